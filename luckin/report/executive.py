"""Report 00, the executive summary: KPI tiles, the critical findings, a SWOT and a 12-month
roadmap derived from the data (luckin.report.rules), the revenue trend; and its appendix page
(how the figures are computed, the rules, the comparison with the seed, where each figure
comes from)."""

from __future__ import annotations

import math

import pandas as pd
from markupsafe import Markup, escape

from . import charts as ch
from . import fmt, rules
from .data import ReportData, n, report
from .model import Chart, Html, Page, Pages, Report, Section, Table, Text, Tile, Tiles

APPENDIX_SLUG = "00-appendix"


# --------------------------------------------------------------------------- figures

def key_metrics_frame(key: dict) -> pd.DataFrame:
    """The seed's "Key Metrics at a Glance" table, with report 00's figures."""
    run_rate = n(key.get("run_rate_month_revenue_usd"))
    month = fmt.month(key.get("latest_full_month")) if key.get("latest_full_month") is not None else ""
    rows = [
        ("Total USD Revenue", fmt.money(key.get("revenue_usd"))),
        ("Total Completed Orders", fmt.count(key.get("completed_orders"))),
        ("Average Order Value", f"{fmt.money(key.get('avg_order_value_usd'), cents=True)} (growing to "
                                f"{fmt.money(key.get('latest_full_month_aov_usd'), cents=True)})"),
        ("Active US Stores", fmt.count(key.get("active_stores"))),
        ("Registered Users", fmt.count(key.get("registered_users"))),
        (f"Monthly Run Rate ({month})" if month else "Monthly Run Rate",
         f"{fmt.compact_money(run_rate)} ({fmt.compact_money(run_rate * 12)} annualized)"),
        ("IoT Devices Deployed", fmt.count(key.get("iot_devices"))),
        ("Database Instances", f"{fmt.count(key.get('database_instances'))} ({fmt.count(key.get('mysql_schemas'))} "
                               f"MySQL + {fmt.count(key.get('redis_instances'))} Redis + "
                               f"{fmt.count(key.get('postgres_servers'))} PostgreSQL)"),
    ]
    return pd.DataFrame(rows, columns=["metric", "value"])


def critical_findings(f: dict, key: dict) -> list[str]:
    """The critical findings, each stated from the figures (and worded by what they show)."""
    out = []
    tax_rows, revenue = n(f.get("fi_tax_rows")), n(key.get("revenue_usd"))
    if tax_rows == 0:
        out.append(f"**TAX COMPLIANCE GAP** - no sales-tax records at all (the tax system's "
                   f"{fmt.count(f.get('fi_tax_tables'))} tables are empty) despite {fmt.compact_money(revenue)} "
                   f"revenue: an estimated {fmt.compact_money(f.get('tax_compliance_gap_usd'))} of NYC sales tax "
                   "is not on record")
    else:
        out.append(f"**Tax records present** - {fmt.count(tax_rows)} tax records; an estimated "
                   f"{fmt.compact_money(f.get('tax_compliance_gap_usd'))} not on record")
    loyalty_rows, users = n(f.get("loyalty_rows")), n(f.get("registered_users"))
    if loyalty_rows == 0:
        people = f"{users / 1000:,.0f}K" if users >= 10_000 else fmt.count(users)
        out.append(f"**Loyalty Program Not Launched** - all {fmt.count(f.get('loyalty_tables'))} membership tables "
                   f"are empty ({people} users unengaged)")
    else:
        out.append(f"**Loyalty programme live** - {fmt.count(loyalty_rows)} membership records")
    delivery, pickup = n(f.get("delivery_aov_usd")), n(f.get("pickup_aov_usd"))
    ratio = delivery / pickup if pickup else math.nan
    orders = n(f.get("delivery_orders")) + n(f.get("pickup_orders"))
    out.append(f"**Delivery = {ratio:.0f}x AOV** - delivery orders average {fmt.money(delivery, cents=True)} against "
               f"{fmt.money(pickup, cents=True)} for pickup, yet they are {fmt.count(f.get('delivery_orders'))} of "
               f"{fmt.count(orders)} completed orders: untapped growth")
    out.append(f"**IoT Fleet Health** - {fmt.share(f.get('offline_device_share'), 0)} of devices offline, blenders "
               f"at a {fmt.share(f.get('offline_blender_share'), 0)} offline rate")
    first, latest = n(f.get("first_month_production_seconds")), n(f.get("latest_month_production_seconds"))
    change = latest / first - 1 if first else math.nan
    verb = "Improving" if change < 0 else "Slowing"
    out.append(f"**Production {verb}** - {fmt.share(abs(change), 0)} {'less' if change < 0 else 'more'} time to "
               f"make an order ({first:.0f} s in {fmt.long_month(f.get('first_full_month'))} to {latest:.0f} s in "
               f"{fmt.long_month(f.get('latest_full_month'))})")
    out.append(f"**Hero Product Moat** - {f.get('top_product_name')} is in "
               f"{fmt.share(f.get('top_product_order_share'), 0)} of all orders")
    return out


def executive_figures(d: ReportData) -> dict:
    """The figures the SWOT and roadmap rules read (luckin.report.rules), from the analyses."""
    key, f = d.row("r00_key_metrics"), d.row("r00_critical_findings")
    months = d("r00_monthly_kpis")
    full = months[months["is_full_month"]]
    latest = full.iloc[-1] if len(full) else None
    previous = full.iloc[-2] if len(full) >= 2 else None
    waste = d("r06_waste_monthly")
    waste_months = pd.to_datetime(waste["inventory_month"])
    latest_month = pd.Timestamp(key["latest_full_month"]) if key.get("latest_full_month") is not None else None
    stock_row = waste[waste_months.dt.tz_localize(None) == latest_month] if latest_month is not None else waste.iloc[0:0]
    flags = d("r06_stockout_flags")
    contribution = d("r01_store_contribution")
    clv = d("r02_clv_cac_by_channel")
    clv = clv[clv["clv_to_cac_ratio"].notna()]
    overview = d("r03_store_overview")
    open_stores = overview[overview["opened_date"].notna()]
    users, ordering = n(f.get("registered_users")), n(f.get("ordering_customers"))
    delivery, pickup = n(f.get("delivery_aov_usd")), n(f.get("pickup_aov_usd"))
    orders = n(f.get("delivery_orders")) + n(f.get("pickup_orders"))
    first_s, latest_s = n(f.get("first_month_production_seconds")), n(f.get("latest_month_production_seconds"))
    return {
        "tax_records": n(f.get("fi_tax_rows")),
        "tax_gap_usd": n(f.get("tax_compliance_gap_usd")),
        "loyalty_rows": n(f.get("loyalty_rows")),
        "ordering_customers": ordering,
        "never_ordered_users": users - ordering,
        "never_ordered_share": (users - ordering) / users if users else math.nan,
        "delivery_aov_usd": delivery, "pickup_aov_usd": pickup,
        "delivery_aov_ratio": delivery / pickup if pickup else math.nan,
        "delivery_order_share": n(f.get("delivery_orders")) / orders if orders else math.nan,
        "offline_device_share": n(f.get("offline_device_share")),
        "offline_blender_share": n(f.get("offline_blender_share")),
        "offline_devices": n(f.get("offline_devices")),
        "stock_out_day_share": (n(stock_row["stock_out_days"].sum()) / n(stock_row["counted_days"].sum())
                                if len(stock_row) and stock_row["counted_days"].sum() else math.nan),
        "flagged_stock_out_pairs": int(flags["is_flagged"].sum()) if len(flags) else 0,
        "coupon_order_share": n(latest["coupon_order_share"]) if latest is not None else math.nan,
        "discount_rate": n(latest["discount_rate"]) if latest is not None else math.nan,
        "latest_full_month_label": fmt.long_month(latest["order_month"]) if latest is not None else "",
        "revenue_mom_change": (n(latest["revenue_usd"]) / n(previous["revenue_usd"]) - 1
                               if latest is not None and previous is not None and n(previous["revenue_usd"])
                               else math.nan),
        "run_rate_usd": n(key.get("run_rate_month_revenue_usd")),
        "production_time_change": latest_s / first_s - 1 if first_s else math.nan,
        "hero_product": f.get("top_product_name"),
        "hero_product_share": n(f.get("top_product_order_share")),
        "stores_below_break_even": int((contribution["recent_monthly_contribution_usd"] < 0).sum()),
        "open_stores": len(open_stores),
        "lowest_clv_to_cac": n(clv["clv_to_cac_ratio"].min()) if len(clv) else math.nan,
        "lowest_clv_to_cac_channel": (fmt.code_label(clv.loc[clv["clv_to_cac_ratio"].idxmin(), "registration_channel"])
                                      if len(clv) else ""),
        "ramping_stores": int((open_stores["weeks_open"] < 12).sum()),
        "redis_memory_alert": 1.0 if bool(f.get("is_largest_redis_memory_alert")) else 0.0,
        "largest_redis_instance": f.get("largest_redis_instance"),
        "largest_redis_memory_ratio": n(f.get("largest_redis_memory_ratio")),
    }


# --------------------------------------------------------------------------- blocks

def kpi_tiles(d: ReportData) -> Tiles:
    """The latest full month's headline figures, each with its change on the month before and
    a sparkline of the full months."""
    months = d("r00_monthly_kpis")
    full = months[months["is_full_month"]].reset_index(drop=True)
    key = d.row("r00_key_metrics")
    f = d.row("r00_critical_findings")
    tiles = []
    if len(full):
        latest = full.iloc[-1]
        previous = full.iloc[-2] if len(full) >= 2 else None
        month_labels = [fmt.month(m) for m in full["order_month"]]

        def tile(label, column, show, good_when_up=True, relative=True):
            value = n(latest[column])
            series = [n(v) for v in full[column]]
            change, text = None, ""
            if previous is not None:
                before = n(previous[column])
                if relative and before:
                    change = value / before - 1
                    text = f"{fmt.change(change)} on {fmt.month(previous['order_month'])}"
                elif not relative:
                    change = value - before
                    text = f"{change * 100:+.1f} pts on {fmt.month(previous['order_month'])}"
            tiles.append(Tile(f"{label}, {fmt.month(latest['order_month'])}", show(value), change, text, good_when_up,
                              series, [f"{m}: {show(v)}" for m, v in zip(month_labels, series)]))

        tile("Revenue", "revenue_usd", fmt.money)
        tile("Completed orders", "completed_orders", fmt.count)
        tile("Average order value", "avg_order_value_usd", lambda v: fmt.money(v, cents=True))
        tile("New customers", "new_customers", fmt.count)
        tile("Orders with a coupon", "coupon_order_share", fmt.share, good_when_up=False, relative=False)
    tiles.append(Tile("Open stores", fmt.count(key.get("active_stores")), note=f"{fmt.count(key.get('stores_listed'))} "
                                                                              "listed, including announced"))
    tiles.append(Tile("Registered users", fmt.count(key.get("registered_users")),
                      note=f"{fmt.count(f.get('ordering_customers'))} have ordered"))
    tiles.append(Tile("Devices offline", fmt.share(f.get("offline_device_share"), 0),
                      note=f"{fmt.count(f.get('offline_devices'))} of {fmt.count(f.get('iot_devices'))} now"))
    return Tiles(tiles, d.a("r00_monthly_kpis", "r00_key_metrics", "r00_critical_findings"))


def swot_block(items: list[rules.Item]) -> Html:
    quadrants = rules.swot(items)
    parts, md = [], []
    for q in rules.QUADRANTS:
        entries = quadrants[q]
        lis = "".join(f"<li>{escape(i.text)}<span class=\"cite\">{escape(i.cite)}</span></li>" for i in entries) \
            or "<li>No rule fired.</li>"
        parts.append(f'<div class="quadrant {q}"><h3>{escape(rules.QUADRANT_TITLES[q])}</h3><ul>{lis}</ul></div>')
        md += [f"**{rules.QUADRANT_TITLES[q]}**", ""]
        md += [f"- {i.text} *({i.cite})*" for i in entries] or ["- No rule fired."]
        md.append("")
    return Html(Markup(f'<div class="swot">{"".join(parts)}</div>'), "\n".join(md))


def roadmap_block(items: list[rules.Item], as_of) -> Html:
    plan = rules.roadmap(items)
    start = pd.Timestamp(as_of) + pd.offsets.MonthBegin(1) if as_of is not None else None
    parts, md = [], []
    for h, title in rules.HORIZONS.items():
        if start is not None:
            first, last = start + pd.DateOffset(months=3 * (h - 1)), start + pd.DateOffset(months=3 * h - 1)
            title = f"{title} ({fmt.month(first)} – {fmt.month(last)})"
        entries = plan[h]
        lis = "".join(f"<li>{escape(i.action)}<span class=\"cite\">Because: {escape(i.cite)}</span></li>"
                      for i in entries) or "<li>Nothing the rules call for.</li>"
        parts.append(f'<div class="horizon"><h3>{escape(title)}</h3><ul>{lis}</ul></div>')
        md += [f"**{title}**", ""] + ([f"- {i.action} *(because {i.cite})*" for i in entries]
                                      or ["- Nothing the rules call for."]) + [""]
    return Html(Markup(f'<div class="roadmap">{"".join(parts)}</div>'), "\n".join(md))


def monthly_revenue_chart(d: ReportData, slug: str, title: str = "Revenue by month") -> Chart:
    monthly = d("r01_monthly_revenue").assign(is_partial=lambda x: ~x["is_full_month"].astype(bool))
    return Chart(title, ch.bar(monthly, "revenue_month", "revenue_usd", x_kind="month", y_title="Revenue",
                               kind="money", partial="is_partial", label="Revenue"),
                 d.a("r01_monthly_revenue"), slug,
                 note="Faded bars are partial months (the opening month and the current month).")


# --------------------------------------------------------------------------- report 00

def report_00(d: ReportData) -> tuple[Report, list[rules.Item]]:
    r = report("00")
    key, f = d.row("r00_key_metrics"), d.row("r00_critical_findings")
    figures = executive_figures(d)
    items = rules.evaluate(figures)
    r.summary = (f"Luckin Coffee USA took **{fmt.money(key.get('revenue_usd'))}** on "
                 f"**{fmt.count(key.get('completed_orders'))}** completed orders from its first day to "
                 f"{fmt.long_day(key.get('as_of_date'))}, across **{fmt.count(key.get('active_stores'))}** open "
                 f"stores. The latest full month ({fmt.long_month(key.get('latest_full_month'))}) ran at "
                 f"{fmt.compact_money(key.get('run_rate_month_revenue_usd'))}, "
                 f"{fmt.compact_money(key.get('annualized_run_rate_usd'))} a year.")
    r.section("Key figures").add(
        kpi_tiles(d),
        Table("Key Metrics at a Glance", key_metrics_frame(key), d.a("r00_key_metrics"), max_rows=None,
              columns={"metric": "Metric", "value": "Value"}))
    r.section("Critical Findings").add(
        Text("\n".join(f"{i}. {line}" for i, line in enumerate(critical_findings(f, key), 1))))
    r.section("SWOT").add(
        Text("Each item is a rule applied to the figures: it appears because the figure in grey crossed the "
             "threshold beside it. The rules are listed in the appendix."),
        swot_block(items))
    r.section("12-month roadmap").add(
        Text("The actions the rules call for, in the quarter each belongs to, each with the figure behind it."),
        roadmap_block(items, key.get("as_of_date")))
    r.section("Revenue trend").add(monthly_revenue_chart(d, "00-monthly-revenue"))
    return r, items


def appendix_page(d: ReportData, suite_reports: list[Report], items: list[rules.Item], target: str,
                  warehouse: str, comparison: list | None, scale: float | None) -> Page:
    """How report 00's figures are computed: rules, seed comparison, sources, where the data is."""
    fired = {i.rule for i in items}
    rule_rows = pd.DataFrame([{"rule": r.key.replace("_", " "), "quadrant": r.quadrant, "condition": r.statement(),
                               "roadmap": rules.HORIZONS[r.horizon] if r.action else "–",
                               "fired": r.key in fired} for r in rules.RULES])
    sections = [Section("SWOT and roadmap rules", [
        Text("A rule reads one figure, compares it with its threshold and, when it fires, adds its SWOT item and "
             "(where it has one) its roadmap action. The figures come from the analyses of reports 00-06."),
        Table("Rules", rule_rows, d.a("r00_key_metrics", "r00_critical_findings", "r00_monthly_kpis"), max_rows=None,
              columns={"rule": "Rule", "quadrant": "Quadrant", "condition": "Fires when", "roadmap": "Roadmap",
                       "fired": "Fired"})])]
    if comparison is not None:
        frame = pd.DataFrame([c.as_dict() for c in comparison])
        frame["result"] = ["pass" if p else "FAIL" for p in frame["passed"]]
        sections.append(Section("Against the seed", [
            Text(f"Report 00 compared with the report suite's published figures at scale {scale:g}, with the "
                 "tolerances of the estate spec (absolute figures scaled; below scale 1 sampled figures' "
                 "tolerances widen by sqrt(1/s))."),
            Table("Key metrics and critical findings against the seed",
                  frame[["metric", "seed", "target", "actual", "result", "finding"]],
                  d.a("r00_key_metrics", "r00_critical_findings"), max_rows=None,
                  columns={"metric": "Metric", "seed": "Seed", "target": "Target at this scale",
                           "actual": "Report 00", "result": "Result", "finding": "Backs"})]))
    provenance = pd.DataFrame([
        {"report": r.number, "figure": b.title, "analysis": ", ".join(a.path for a in b.sources),
         "marts": ", ".join(sorted({m for a in b.sources for m in a.marts}))}
        for r in suite_reports for b in r.blocks() if isinstance(b, (Table, Chart)) and b.sources])
    sections.append(Section("Where each figure comes from", [
        Text(f"Every figure is computed from the published marts of the {target} warehouse (`{warehouse}`) by the analysis "
             "files below (folder `analyses/`); `provenance.json` beside the reports holds the same list."),
        Table("Tables and charts, their analyses and marts", provenance, [], max_rows=15,
              columns={"report": "Report", "figure": "Figure", "analysis": "Analysis", "marts": "Marts"},
              extra_source="report suite")]))
    return Page(APPENDIX_SLUG, "Appendix: how the executive figures are computed",
                "Rules, comparison with the seed, sources", sections=sections)
