"""Report 03 (store performance) and its store pages: one deep dive per open store (revenue by
month, product mix, hour-of-day and weekday profile, channel split, production time, its
devices, inventory cover and stock-outs, each beside the other stores)."""

from __future__ import annotations

import pandas as pd

from . import charts as ch
from . import fmt
from .data import ReportData, add_sections, chart_of, report, table_of, with_partial
from .model import Chart, Page, Pages, Report, Section, Table, Text

WEEKDAYS = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


def store_pages(d: ReportData) -> dict[str, str]:
    """Every open store's name -> its page (the links every report's store names use)."""
    overview = d("r03_store_overview")
    open_stores = overview[overview["opened_date"].notna()]
    return {row.store_name: f"{fmt.store_page_slug(row.store_id)}.html" for row in open_stores.itertuples()}


def report_03(d: ReportData) -> Report:
    r = report("03")
    overview, curves = d("r03_store_overview"), d("r03_maturity_curves")
    cannibal = d("r03_cannibalisation")
    open_stores = overview[overview["opened_date"].notna()]
    r.summary = (f"{len(open_stores)} stores have opened since {fmt.long_day(open_stores.opened_date.min())}; "
                 f"{len(overview) - len(open_stores)} more announced. Each ramps up over its first weeks and takes "
                 "some orders from its nearest neighbours. Every store has a page of its own (linked from its name).")
    week8 = curves[curves["weeks_since_opening"] == 8]
    by_week_8 = (Text(f"By week 8 a store sells {fmt.count(week8.completed_orders.min())} to "
                      f"{fmt.count(week8.completed_orders.max())} orders a week (median "
                      f"{fmt.count(week8.completed_orders.median())}).") if len(week8) else None)
    has = cannibal[cannibal["neighbour_orders_change_ratio"].notna()]
    neighbours = []
    if len(has):
        neighbours = [
            Text(f"Around {len(has)} openings with neighbours measurable on both sides, the neighbours' weekly "
                 f"orders changed by {fmt.share(has.neighbour_orders_change_ratio.median())} (median; negative = "
                 "orders moved to the new store)."),
            Chart("Change in neighbours' weekly orders after each opening",
                  ch.bar(has.assign(store_name=has.store_name.map(fmt.store_short)), "store_name",
                         "neighbour_orders_change_ratio", horizontal=True, kind="share",
                         y_title="Change in neighbours' weekly orders", label="Change",
                         links={fmt.store_short(k): v for k, v in store_pages(d).items()}),
                  d.a("r03_cannibalisation"), "03-cannibalisation"),
        ]
    add_sections(r, d, [
        ("Store overview", [
            table_of("r03_store_overview", "Stores",
                     columns=["store_name", "neighborhood", "store_status", "opened_date", "weeks_open",
                              "completed_orders", "revenue_usd", "avg_order_value_usd", "recent_weekly_orders",
                              "nearest_store_name", "nearest_store_distance_miles"], max_rows=None),
            table_of("r03_store_operations", "Stores side by side", max_rows=None,
                     columns=["store_name", "completed_orders", "delivery_order_share", "median_production_seconds",
                              "offline_device_share", "stock_out_day_share", "median_days_of_cover",
                              "contribution_margin"],
                     note="Production time and stock-outs over the last 28 days of data; devices as of the latest "
                          "snapshot; margin after goods, waste and estimated labour (report 01)."),
        ]),
        ("Maturity curves", [
            chart_of("r03_maturity_curves", "Weekly completed orders by weeks since opening, one panel per store",
                     lambda f: ch.small_multiples(f.assign(store_name=f.store_name.map(fmt.store_short)),
                                                  "weeks_since_opening", "completed_orders", "store_name",
                                                  x_title="Weeks since opening", y_title="Orders a week"),
                     "03-maturity-curves",
                     note="Grey: the median store at the same age. Partial weeks at the end of the data left out."),
            by_week_8,
        ]),
        ("Cannibalisation", [*neighbours, table_of("r03_cannibalisation", "Neighbours' orders around each opening")]),
        ("Store pages", [Pages([store_page(d, store) for store in open_stores.itertuples()])]),
    ])
    return r


def store_page(d: ReportData, store) -> Page:
    """One open store's page (a row of r03_store_overview)."""
    sid = store.store_id
    slug = fmt.store_page_slug(sid)
    short = fmt.store_short(store.store_name)

    def own(name: str) -> pd.DataFrame:
        frame = d(name)
        return frame[frame["store_id"] == sid]

    monthly = own("r03_store_monthly")
    hourly, weekday, mix = own("r03_store_hourly"), own("r03_store_weekday"), own("r03_store_product_mix")
    ops_all = d("r03_store_operations")
    ops = ops_all[ops_all["store_id"] == sid]
    devices = own("r03_store_devices")
    flags = own("r06_stockout_flags")
    description = f"{store.store_no} · {store.neighborhood} · opened {fmt.day(store.opened_date)}"
    intro = Text(f"{store.street_address}, {store.neighborhood}. Opened {fmt.long_day(store.opened_date)}, "
                 f"{fmt.count(store.weeks_open)} weeks open; {fmt.count(store.completed_orders)} completed orders, "
                 f"{fmt.money(store.revenue_usd)} revenue, average order {fmt.money(store.avg_order_value_usd, cents=True)}; "
                 f"nearest store {store.nearest_store_name} ({store.nearest_store_distance_miles:.2f} miles).")
    sections = [Section("Revenue by month", [
        Chart(f"{short}: revenue by month",
              ch.bar(with_partial(d, monthly, "revenue_month"), "revenue_month", "revenue_usd", x_kind="month",
                     y_title="Revenue", kind="money", height=160, width=520, label="Revenue", partial="is_partial"),
              d.a("r03_store_monthly"), f"{slug}-monthly", note="Faded bars are partial months."),
        Table(f"{short}: months", monthly, d.a("r03_store_monthly"), max_rows=None,
              columns=["revenue_month", "trading_days", "completed_orders", "customer_days", "revenue_usd",
                       "avg_order_value_usd"]),
    ])]
    if len(hourly):
        both = hourly.melt(id_vars=["order_hour"], value_vars=["share_of_orders", "all_stores_share_of_orders"],
                           var_name="measure", value_name="share")
        both["measure"] = both["measure"].map({"share_of_orders": short, "all_stores_share_of_orders": "All stores"})
        both["hour"] = both["order_hour"].map(lambda h: f"{int(h):02d}:00")
        sections.append(Section("When customers order", [
            Chart(f"{short}: share of orders by hour of day (New York time)",
                  ch.bar(both, "hour", "share", color="measure", color_title="", stack=False, kind="share",
                         y_title="Share of orders", height=180),
                  d.a("r03_store_hourly"), f"{slug}-hourly"),
            Chart(f"{short}: average orders per day by weekday",
                  ch.bar(weekday.assign(day=weekday.iso_weekday.map(WEEKDAYS)), "day", "avg_orders_per_day",
                         kind="average", y_title="Orders per day", height=150, width=420, label="Orders per day"),
                  d.a("r03_store_weekday"), f"{slug}-weekday", note="Holidays left out."),
        ]))
    if len(mix):
        sections.append(Section("Product mix", [
            Table(f"{short}: top five products", mix, d.a("r03_store_product_mix"), max_rows=None,
                  columns={"product_rank": "Rank", "product_name": "Product", "orders_with_product": "Orders",
                           "share_of_orders": "Share of the store's orders",
                           "all_stores_share_of_orders": "Share, all stores", "revenue_usd": "Revenue (USD)"}),
        ]))
    if len(ops):
        o = ops.iloc[0]
        med = ops_all.median(numeric_only=True)
        compare = pd.DataFrame([
            ("Delivery share of orders", fmt.share(o.delivery_order_share), fmt.share(med.delivery_order_share)),
            ("Median production time, last 28 days", fmt.seconds(o.median_production_seconds),
             fmt.seconds(med.median_production_seconds)),
            ("Devices offline", f"{fmt.count(o.offline_devices)} of {fmt.count(o.devices)}",
             fmt.share(med.offline_device_share)),
            ("Stock-out days, last 28 days", fmt.share(o.stock_out_day_share), fmt.share(med.stock_out_day_share)),
            ("Median days of cover", fmt.average(o.median_days_of_cover), fmt.average(med.median_days_of_cover)),
            ("Contribution margin", fmt.share(o.contribution_margin), fmt.share(med.contribution_margin)),
        ], columns=["measure_name", "store", "median_store"])
        blocks = [Table(f"{short} against the median store", compare, d.a("r03_store_operations"), max_rows=None,
                        columns={"measure_name": "Measure", "store": short, "median_store": "Median store"})]
        if len(devices):
            blocks.append(Table(f"{short}: devices by type", devices, d.a("r03_store_devices"), max_rows=None,
                                columns=["device_type", "devices", "offline_devices", "error_devices",
                                         "oldest_heartbeat_hours"]))
        if len(flags):
            blocks.append(Table(f"{short}: materials that ran out (last 28 days)", flags, d.a("r06_stockout_flags"),
                                max_rows=8, columns=["material_name", "counted_days", "stock_out_days",
                                                     "stock_out_share", "is_flagged", "last_stock_out_date"]))
        sections.append(Section("Operations", blocks))
    return Page(slug, store.store_name, description, [intro], sections)
