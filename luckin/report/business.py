"""Reports 01 (revenue and finance), 02 (customers), 04 (marketing and coupons) and 05 (product
and menu): which analyses each section shows, and the sentences read from their rows."""

from __future__ import annotations

import math

import pandas as pd

from . import charts as ch
from . import fmt
from .data import ReportData, add_sections, chart_of, n, report, table_of, with_partial
from .model import Chart, Report, Table, Text
from .stores import store_pages

MIN_CAC_CUSTOMERS = 30  # no CAC bar for a campaign crediting fewer new customers than this


def _stores(frame: pd.DataFrame, column: str = "store_name") -> pd.DataFrame:
    return frame.assign(**{column: frame[column].map(fmt.store_short)})


def _store_links(d: ReportData) -> dict[str, str]:
    """Short store name (as charts show it) -> the store's page."""
    return {fmt.store_short(name): page for name, page in store_pages(d).items()}


# --------------------------------------------------------------------------- 01

def payback_text(months) -> str:
    v = n(months)
    if math.isnan(v):
        return "not while contribution is negative"
    if v > 120:
        return "over 10 years"
    return f"{v / 12:.1f} years" if v >= 24 else f"{v:.0f} months"


def report_01(d: ReportData) -> Report:
    r = report("01")
    monthly, run_rate = d("r01_monthly_revenue"), d("r01_run_rate")
    full = monthly[monthly["is_full_month"]]
    if len(full) >= 2:
        first, last = full.iloc[0], full.iloc[-1]
        r.summary = (f"Revenue grew from {fmt.compact_money(first.revenue_usd)} in {fmt.long_month(first.revenue_month)}"
                     f" to {fmt.compact_money(last.revenue_usd)} in {fmt.long_month(last.revenue_month)} "
                     f"({last.revenue_usd / first.revenue_usd:.1f}x) as stores opened, with the average order moving "
                     f"from {fmt.money(first.avg_order_value_usd, cents=True)} to "
                     f"{fmt.money(last.avg_order_value_usd, cents=True)}.")
    monthly = monthly.assign(is_partial=lambda x: ~x["is_full_month"].astype(bool))
    projection = []
    if len(run_rate):
        rr = run_rate.iloc[0]
        proj = run_rate.melt(id_vars=["projected_month"], value_vars=["projected_revenue_usd",
                                                                      "flat_run_rate_revenue_usd"],
                             var_name="scenario", value_name="revenue_usd")
        proj["scenario"] = proj["scenario"].map({"projected_revenue_usd": "At recent growth",
                                                 "flat_run_rate_revenue_usd": "Flat run rate"})
        hist = full[["revenue_month", "revenue_usd"]].rename(columns={"revenue_month": "projected_month"})
        hist["scenario"] = "Actual"
        projection = [
            Text(f"**Method.** The run rate is the latest full month's revenue ({fmt.long_month(rr.latest_full_month)}: "
                 f"{fmt.money(rr.run_rate_month_revenue_usd)}) x 12 = **{fmt.money(rr.annualized_run_rate_usd)}** a "
                 "year. The projection carries that month forward at the compound monthly growth of the last three "
                 f"full months ({fmt.share(rr.monthly_growth_rate)} a month); the flat run rate is shown beside it. "
                 "It is a trend line, not a forecast: it ignores seasonality, new openings and price changes."),
            Chart("Monthly revenue: actual and projected",
                  ch.line(pd.concat([hist, proj], ignore_index=True), "projected_month", "revenue_usd",
                          color="scenario", y_title="Revenue", kind="money"),
                  d.a("r01_run_rate", "r01_monthly_revenue"), "01-projection"),
            table_of("r01_run_rate", "Projection",
                     columns=["projected_month", "projected_revenue_usd", "flat_run_rate_revenue_usd",
                              "monthly_growth_rate"]),
        ]
    bridge = d("r01_net_revenue_bridge")
    contribution = d("r01_store_contribution")
    fit_out = n(contribution["fit_out_cost_usd"].iloc[0]) if len(contribution) else math.nan
    best = contribution.sort_values("recent_monthly_contribution_usd", ascending=False).head(1)
    economics_text = None
    if len(best):
        b = best.iloc[0]
        below = int((contribution["recent_monthly_contribution_usd"] < 0).sum())
        economics_text = Text(
            f"Contribution is what a store keeps after the cost of the goods it used (materials consumed, at their "
            f"unit cost), stock written off and staff time (planned shift hours at an assumed "
            f"{fmt.money(n(contribution['labour_cost_usd'].sum()) / n(contribution['labour_hours'].sum()), cents=True)}"
            f" an hour, because payroll is outsourced and not in the data). Rent, utilities and head office are not "
            f"in it. **{b.store_name}** contributes the most over its last three full months "
            f"({fmt.money(b.recent_monthly_contribution_usd)} a month); {below} of {len(contribution)} stores are "
            f"below break-even. Payback assumes a fit-out cost of **{fmt.money(fit_out)}** per store "
            "(dbt var `store_fit_out_cost_usd`) and the store's last three full months of contribution.")
    payback = contribution.assign(payback=contribution["payback_months"].map(payback_text))
    add_sections(r, d, [
        ("Monthly revenue", [
            Chart("Revenue by month and channel",
                  ch.bar(monthly[["revenue_month", "pickup_revenue_usd", "delivery_revenue_usd", "is_partial"]]
                         .melt(id_vars=["revenue_month", "is_partial"], var_name="channel",
                               value_name="channel_revenue_usd")
                         .assign(channel=lambda x: x.channel.str.replace("_revenue_usd", "", regex=False)),
                         "revenue_month", "channel_revenue_usd", x_kind="month", y_title="Revenue", kind="money",
                         color="channel", color_title="Channel", partial="is_partial"),
                  d.a("r01_monthly_revenue"), "01-monthly-revenue",
                  note="Faded bars are partial months."),
            table_of("r01_monthly_revenue", "Monthly revenue",
                     columns=["revenue_month", "trading_stores", "completed_orders", "revenue_usd",
                              "avg_order_value_usd", "discount_rate", "revenue_growth_on_previous_month",
                              "is_full_month"]),
        ]),
        ("Net-revenue bridge", [
            Text("From the list price of every paid order to the revenue kept: discounts (coupons and promotions) "
                 "and refunds are the two steps between them."),
            Chart("From list price to revenue kept",
                  ch.bar(bridge.assign(amount=lambda x: x.amount_usd.abs()), "step_name", "amount", horizontal=True,
                         y_title="USD", kind="money", label="Amount"),
                  d.a("r01_net_revenue_bridge"), "01-bridge",
                  note="Discounts and refunded orders are the amounts taken off; the totals are the bars between."),
            table_of("r01_net_revenue_bridge", "Net-revenue bridge", max_rows=None,
                     columns={"step_name": "Step", "amount_usd": "Amount (USD)",
                              "share_of_list_price": "Share of list price"}),
        ]),
        ("Weekly trend", [
            chart_of("r01_weekly_revenue", "Weekly revenue",
                     lambda f: ch.line(f[f["is_full_week"]], "week_start_date", "revenue_usd", x_kind="week", y_title="Revenue",
                                       kind="money"),
                     "01-weekly-revenue", note="Full weeks only (Monday to Sunday)."),
            chart_of("r01_weekly_revenue", "Weekly average order value",
                     lambda f: ch.line(f[f["is_full_week"]], "week_start_date", "avg_order_value_usd", x_kind="week",
                                       y_title="Average order value", kind="unit_money", zero=False, height=160),
                     "01-weekly-aov"),
            table_of("r01_weekly_revenue", "Latest weeks", lambda f: f.sort_values("week_start_date", ascending=False),
                     columns=["week_start_date", "trading_stores", "completed_orders", "revenue_usd",
                              "avg_order_value_usd", "coupon_order_share", "is_full_week"], max_rows=8),
        ]),
        ("Store economics and payback", [
            economics_text,
            Chart("Contribution by store, lifetime",
                  ch.bar(_stores(contribution), "store_name", "contribution_usd", horizontal=True,
                         y_title="Contribution", kind="money", label="Contribution", links=_store_links(d)),
                  d.a("r01_store_contribution"), "01-store-contribution"),
            Table("Store contribution and payback", payback, d.a("r01_store_contribution"), max_rows=None,
                  columns={"store_name": "Store", "opened_date": "Opened", "net_revenue_usd": "Net revenue (USD)",
                           "cost_of_goods_usd": "Cost of goods (USD)", "waste_usd": "Waste (USD)",
                           "labour_cost_usd": "Labour, est. (USD)", "contribution_usd": "Contribution (USD)",
                           "contribution_margin": "Margin",
                           "recent_monthly_contribution_usd": "Recent monthly contribution (USD)",
                           "payback": "Payback"}),
            chart_of("r01_store_economics", "Revenue per trading day by store: lifetime and last 28 days",
                     lambda f: ch.bar(_stores(f).melt(id_vars=["store_name"],
                                                      value_vars=["revenue_per_trading_day_usd",
                                                                  "last_28_days_revenue_per_day_usd"],
                                                      var_name="measure", value_name="usd")
                                      .assign(measure=lambda x: x.measure.map(
                                          {"revenue_per_trading_day_usd": "Lifetime",
                                           "last_28_days_revenue_per_day_usd": "Last 28 days"})),
                                      "store_name", "usd", horizontal=True, y_title="Revenue per day", kind="money",
                                      color="measure", color_title="Period", stack=False,
                                      links=_store_links(d)),
                     "01-store-revenue-per-day"),
            table_of("r01_store_economics", "Store revenue",
                     columns=["store_name", "opened_date", "completed_orders", "revenue_usd", "share_of_revenue",
                              "avg_order_value_usd", "revenue_per_trading_day_usd",
                              "last_28_days_revenue_per_day_usd", "discount_rate", "delivery_order_share"]),
        ]),
        ("Average order value", [
            chart_of("r01_aov_by_channel", "Average order value by month and channel",
                     lambda f: ch.line(f, "order_month", "avg_order_value_usd", color="order_channel",
                                       color_title="Channel", y_title="Average order value", kind="unit_money",
                                       zero=False),
                     "01-aov-by-channel"),
            table_of("r01_aov_by_channel", "Average order value by channel", max_rows=12),
            chart_of("r01_weekday_profile", "Average orders per store-day by weekday",
                     lambda f: ch.bar(f[~f["is_holiday"]], "day_name", "avg_orders_per_store_day",
                                      y_title="Orders per store-day", kind="average", label="Orders per store-day"),
                     "01-weekday-profile", note="Holidays and dip days left out."),
        ]),
        ("Run rate and projection", projection),
    ])
    return r


# --------------------------------------------------------------------------- 02

def report_02(d: ReportData) -> Report:
    r = report("02")
    acq_c, cohorts = d("r02_acquisition_by_channel"), d("r02_cohort_retention")
    users = acq_c["registered_users"].sum()
    ordering = acq_c["ordering_customers"].sum()
    coupon_share = ((acq_c["coupon_acquired_share"] * acq_c["ordering_customers"]).sum() / ordering
                    if ordering else math.nan)
    r.summary = (f"{fmt.count(users)} registered users, of whom {fmt.count(ordering)} "
                 f"({fmt.share(ordering / users if users else math.nan)}) have completed an order. Acquisition is "
                 f"coupon-led: {fmt.share(coupon_share)} of first orders used a coupon.")
    m1 = cohorts[cohorts["months_since_first_order"] == 1]
    month_1 = (Text(f"Month-1 retention ranges from {fmt.share(m1.retention_rate.min())} to "
                    f"{fmt.share(m1.retention_rate.max())} across cohorts (mean {fmt.share(m1.retention_rate.mean())}).")
               if len(m1) else None)
    clv = d("r02_clv_cac_by_channel")
    rated = clv[clv["clv_to_cac_ratio"].notna()]
    clv_text = None
    if len(rated):
        hi, lo = rated.loc[rated["clv_to_cac_ratio"].idxmax()], rated.loc[rated["clv_to_cac_ratio"].idxmin()]
        clv_text = Text(
            f"A customer's acquisition cost is the cost of the campaign whose coupon paid for their first order, "
            f"shared equally among the customers that campaign acquired. By that rule "
            f"**{fmt.code_label(hi.registration_channel)}** customers return {hi.clv_to_cac_ratio:.1f}x their cost in "
            f"predicted value and **{fmt.code_label(lo.registration_channel)}** customers "
            f"{lo.clv_to_cac_ratio:.1f}x. A ratio under 3x is the usual warning line.")
    add_sections(r, d, [
        ("Acquisition", [
            chart_of("r02_acquisition_monthly", "Registrations by month and channel",
                     lambda f: ch.bar(with_partial(d, f, "registration_month"), "registration_month",
                                      "registered_users", x_kind="month", color="registration_channel",
                                      color_title="Channel", y_title="Registered users", kind="count",
                                      partial="is_partial"),
                     "02-registrations", note="Faded bars are partial months."),
            table_of("r02_acquisition_by_channel", "Acquisition channels"),
        ]),
        ("Customer value against acquisition cost", [
            clv_text,
            Chart("Predicted customer value and acquisition cost per customer, by channel",
                  ch.bar(clv.melt(id_vars=["registration_channel"],
                                  value_vars=["avg_predicted_clv_usd", "cac_per_customer_usd"],
                                  var_name="measure", value_name="usd")
                         .assign(measure=lambda x: x.measure.map({"avg_predicted_clv_usd": "Predicted value (CLV)",
                                                                 "cac_per_customer_usd": "Acquisition cost (CAC)"}),
                                 registration_channel=lambda x: x.registration_channel.map(fmt.code_label)),
                         "registration_channel", "usd", horizontal=True, color="measure", color_title="Measure",
                         stack=False, y_title="USD per customer", kind="unit_money"),
                  d.a("r02_clv_cac_by_channel"), "02-clv-cac"),
            table_of("r02_clv_cac_by_channel", "Value and cost by channel", max_rows=None),
        ]),
        ("Segments (RFM)", [
            chart_of("r02_rfm_segments", "Customers by RFM segment",
                     lambda f: ch.bar(f.sort_values("customers", ascending=False)
                                      .assign(rfm_segment=lambda x: x.rfm_segment.map(fmt.code_label)),
                                      "rfm_segment", "customers", horizontal=True, y_title="Customers", kind="count",
                                      label="Customers"),
                     "02-rfm-segments"),
            table_of("r02_rfm_segments", "RFM segments"),
        ]),
        ("Cohort retention", [
            chart_of("r02_cohort_retention", "Share of each cohort ordering again, by months since the first order",
                     lambda f: ch.heatmap(f[f["months_since_first_order"] > 0], "months_since_first_order",
                                          "cohort_month", "retention_rate", x_title="Months since first order",
                                          y_title="First-order month", value_title="Retention"),
                     "02-cohort-retention", note="Month 0 (100% by definition) left out."),
            month_1,
            table_of("r02_cohort_retention", "Cohort sizes and first-month revenue",
                     lambda f: f[f["months_since_first_order"] == 0][["cohort_month", "cohort_customers",
                                                                      "revenue_usd"]],
                     columns={"cohort_month": "Cohort month", "cohort_customers": "Customers",
                              "revenue_usd": "First-month revenue (USD)"}),
        ]),
        ("Customer lifetime value", [
            Text("Predicted value is what a customer has spent plus the expected spend of the next 12 months (their "
                 "spend per month of tenure x 12 x the chance they are still active, which halves every 30 days "
                 "since their last order): a transparent rule of thumb, not a fitted model."),
            chart_of("r02_clv_distribution", "Ordering customers by predicted value band",
                     lambda f: ch.bar(f, "clv_band", "customers", horizontal=True, y_title="Customers", kind="count",
                                      label="Customers"),
                     "02-clv-bands"),
            table_of("r02_clv_distribution", "Value bands",
                     columns=["clv_band", "customers", "avg_historical_clv_usd", "avg_predicted_clv_usd",
                              "predicted_clv_usd"]),
        ]),
    ])
    return r


# --------------------------------------------------------------------------- 04

def report_04(d: ReportData) -> Report:
    r = report("04")
    camp = d("r04_campaign_performance")
    total_cost = camp["total_cost_usd"].sum()
    new_customers = camp["new_customers"].sum()
    r.summary = (f"{len(camp)} campaigns issued {fmt.count(camp.coupons_issued.sum())} coupons, "
                 f"{fmt.count(camp.coupons_redeemed.sum())} redeemed on completed orders; discounts and media cost "
                 f"{fmt.money(total_cost)} for {fmt.count(new_customers)} new customers "
                 f"(blended acquisition cost {fmt.money(total_cost / new_customers if new_customers else math.nan, cents=True)}"
                 " per customer).")
    enough = camp[camp["cac_usd"].notna() & (camp["new_customers"] >= MIN_CAC_CUSTOMERS)]
    few = camp[camp["cac_usd"].notna() & (camp["new_customers"] < MIN_CAC_CUSTOMERS)]
    cac_note = (f"Only campaigns that acquired at least {MIN_CAC_CUSTOMERS} new customers are drawn; "
                + (f"{', '.join(few.campaign_name)} acquired fewer ({', '.join(fmt.count(v) for v in few.new_customers)}"
                   "), too few for a cost per customer to mean anything." if len(few) else "none is left out."))
    ref, ref_coupons = d("r04_referral_attribution"), d("r04_referral_coupons")
    referral_text = None
    if len(ref):
        total = ref["referred_users"].sum()
        top = ref.iloc[0]
        rc = ref_coupons.iloc[0] if len(ref_coupons) else None
        referral_text = Text(
            f"**Why the referral campaign shows so few new customers.** A new customer is credited to the campaign "
            f"whose coupon paid for their first order. Of the {fmt.count(total)} users who signed up with an invite "
            f"code, {fmt.count(top.referred_users)} ({fmt.share(top.share_of_referred_users)}) are credited to "
            f"**{top.credited_to}**, because their first order used that welcome coupon. "
            + (f"The invite-a-friend coupons go to the inviter after the friend's first order: "
               f"{fmt.count(rc.redeemed_on_first_orders)} of their {fmt.count(rc.coupons_redeemed)} redemptions "
               "paid for a first order, so the rule credits that campaign with almost no new customers. Referral "
               "sign-ups are counted in report 02 by registration channel; both numbers are right under their rules."
               if rc is not None else ""))
    roi = d("r04_campaign_roi")
    margin = n(roi["estate_contribution_margin"].iloc[0]) if len(roi) else math.nan
    add_sections(r, d, [
        ("Campaign effectiveness and acquisition cost", [
            Chart("Acquisition cost per new customer, by campaign",
                  ch.bar(enough.sort_values("cac_usd"), "campaign_name", "cac_usd", horizontal=True,
                         y_title="Cost per new customer", kind="unit_money", label="CAC"),
                  d.a("r04_campaign_performance"), "04-cac", note=cac_note),
            table_of("r04_campaign_performance", "Campaigns",
                     columns=["campaign_name", "campaign_type", "campaign_status", "coupons_issued",
                              "coupons_redeemed", "redemption_rate", "discount_cost_usd", "media_spend_usd",
                              "new_customers", "cac_usd", "incremental_revenue_usd", "revenue_per_cost_dollar"]),
        ]),
        ("Return on campaigns", [
            Text(f"ROAS is the revenue a campaign's coupons paid for plus the later revenue of the customers it "
                 f"acquired, per dollar of media spend. ROI turns that revenue into contribution at the estate's "
                 f"margin ({fmt.share(margin)}, report 01) and sets it against the full cost (discounts and media): "
                 "0% is break-even. Later orders are not all caused by the campaign, so both overstate the lift."),
            chart_of("r04_campaign_roi", "Return on ad spend by campaign",
                     lambda f: ch.bar(f[f["roas"].notna()].sort_values("roas", ascending=False), "campaign_name",
                                      "roas", horizontal=True, y_title="Revenue per media dollar", kind="average",
                                      label="ROAS"),
                     "04-roas"),
            table_of("r04_campaign_roi", "Campaign return", max_rows=None,
                     columns=["campaign_name", "new_customers", "total_cost_usd", "attributed_revenue_usd",
                              "incremental_revenue_usd", "roas", "roi_ratio"]),
        ]),
        ("Referral attribution", [
            referral_text,
            table_of("r04_referral_attribution", "Users who signed up with an invite code, by the campaign credited",
                     max_rows=None, columns={"credited_to": "Credited to", "referred_users": "Users",
                                             "share_of_referred_users": "Share"}),
            table_of("r04_referral_coupons", "Invite-a-friend coupons", max_rows=None),
        ]),
        ("Redemption", [
            chart_of("r04_coupon_redemption_monthly", "Coupons by month of issue and outcome",
                     lambda f: ch.bar(with_partial(d, f.melt(id_vars=["issued_month"],
                                                             value_vars=["coupons_redeemed", "coupons_expired",
                                                                         "coupons_open"],
                                                             var_name="outcome", value_name="coupons")
                                                      .assign(outcome=lambda x: x.outcome.str.replace(
                                                          "coupons_", "", regex=False)), "issued_month"),
                                      "issued_month", "coupons", x_kind="month", color="outcome",
                                      color_title="Outcome", y_title="Coupons", kind="count", partial="is_partial"),
                     "04-redemption", note="Faded bars are partial months."),
            table_of("r04_coupon_redemption_monthly", "Redemption by month of issue"),
            table_of("r04_coupon_types", "Coupon mechanics"),
        ]),
        ("Coupon dependence", [
            chart_of("r04_coupon_dependence", "Share of completed orders using a coupon, and the discount rate",
                     lambda f: ch.line(f, "revenue_month", ["coupon_order_share", "discount_rate",
                                                            "first_order_share"],
                                       names={"coupon_order_share": "Orders with a coupon",
                                              "discount_rate": "Discount rate",
                                              "first_order_share": "First orders"},
                                       y_title="Share", kind="share"),
                     "04-coupon-dependence"),
            table_of("r04_coupon_dependence", "Coupon dependence by month"),
        ]),
        ("Data defects surfaced", [
            table_of("r04_coupon_defects", "Coupon defects",
                     note="Duplicate issues are excluded from the redemption tables above; both defects are known "
                          "source problems kept visible rather than dropped."),
        ]),
    ])
    return r


# --------------------------------------------------------------------------- 05

def report_05(d: ReportData) -> Report:
    r = report("05")
    top, mix = d("r05_top_products"), d("r05_category_mix")
    if len(top):
        hero = top.iloc[0]
        r.summary = (f"{len(top)} menu items sold. **{hero.product_name}** is #1, in {fmt.share(hero.share_of_orders)} "
                     f"of completed orders; {mix.iloc[0].category_name if len(mix) else '?'} is the largest category "
                     "by revenue.")
    impact = d("r05_price_change_impact")
    pricing = []
    if len(impact) == 2:
        before, after = impact.iloc[0], impact.iloc[1]

        def delta(col):
            return n(after[col]) / n(before[col]) - 1 if n(before[col]) else math.nan
        pricing = [
            Text(f"On **{fmt.long_day(after.change_date)}** {fmt.count(after.sizes_changed)} sizes changed price by "
                 f"{fmt.change(after.avg_list_price_change)} on average. Over the 28 days after it against the 28 "
                 f"days before: orders per store-day {fmt.change(delta('orders_per_store_day'))}, average order value "
                 f"{fmt.change(delta('avg_order_value_usd'))}, units per order {fmt.change(delta('units_per_order'))}, "
                 f"and the repriced sizes' share of units moved from {fmt.share(before.changed_sizes_unit_share)} to "
                 f"{fmt.share(after.changed_sizes_unit_share)}. The windows span the holidays and new openings, so "
                 "this is a before/after comparison, not a controlled test."),
            table_of("r05_price_change_impact", "Before and after the price change", max_rows=None,
                     columns={"period": "Period", "start_date": "From", "end_date": "To",
                              "trading_store_days": "Store-days", "orders_per_store_day": "Orders per store-day",
                              "avg_order_value_usd": "Average order value (USD)", "units_per_order": "Units per order",
                              "avg_list_price_per_unit_usd": "List price per unit (USD)",
                              "changed_sizes_unit_share": "Repriced sizes' share of units"}),
        ]
    add_sections(r, d, [
        ("Top products", [
            chart_of("r05_top_products", "Share of completed orders containing the product (top 15)",
                     lambda f: ch.bar(f.head(15), "product_name", "share_of_orders", horizontal=True,
                                      y_title="Share of orders", kind="share", label="Share of orders"),
                     "05-top-products"),
            table_of("r05_top_products", "Product ranking",
                     columns=["product_rank", "product_name", "category_name", "orders_with_product",
                              "share_of_orders", "units_sold", "revenue_usd", "current_price_usd"], max_rows=15),
            chart_of("r05_top_product_share_monthly", "Top five products: share of orders by month",
                     lambda f: ch.line(f, "sales_month", "share_of_orders", color="product_name",
                                       color_title="Product", kind="share", y_title="Share of orders"),
                     "05-top-share-monthly"),
        ]),
        ("Categories", [
            chart_of("r05_category_monthly", "Revenue by category and month",
                     lambda f: ch.bar(with_partial(d, f, "sales_month"), "sales_month", "revenue_usd",
                                      x_kind="month", color="category_name", color_title="Category",
                                      y_title="Revenue", kind="money", partial="is_partial"),
                     "05-category-monthly", note="Faded bars are partial months."),
            table_of("r05_category_mix", "Category mix"),
        ]),
        ("The January price change", pricing),
        ("Price points and pricing", [
            chart_of("r05_price_points", "Units sold by list price per unit (50-cent bands)",
                     lambda f: ch.bar(f.assign(band=f.price_band_usd.map(lambda v: fmt.money(v, cents=True))), "band",
                                      "units_sold", y_title="Units", kind="count", label="Units"),
                     "05-price-points"),
            table_of("r05_price_points", "Price bands"),
            table_of("r05_price_changes", "List-price changes (newest first)", max_rows=12),
        ]),
    ])
    return r
