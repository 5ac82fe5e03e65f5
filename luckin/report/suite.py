"""The eight reports: which analyses each section runs, and how they are shown.

Numbers in the texts are read from the analyses' results (never typed in); each table and
chart carries the analyses it came from (render.py prints the marts and files under it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timezone

import pandas as pd

from . import charts as ch
from .db import Analysis, CompiledAnalyses, Warehouse, WarehouseError
from .render import (Chart, Page, Pages, Report, Suite, Table, Text, fmt_compact_money, fmt_int, fmt_money,
                     fmt_pct, label)


class ReportData:
    """Runs the compiled analyses on the warehouse on first use and keeps their results."""

    def __init__(self, compiled: CompiledAnalyses, warehouse: Warehouse):
        self.compiled = compiled
        self.warehouse = warehouse
        self.frames: dict[str, pd.DataFrame] = {}

    def __call__(self, name: str) -> pd.DataFrame:
        if name not in self.frames:
            try:
                self.frames[name] = self.warehouse.query(self.compiled[name].sql)
            except Exception as exc:  # one line naming the analysis, not a driver traceback
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise WarehouseError(f"{self.compiled[name].path} failed on {self.warehouse.target}: {first} "
                                     "(are the marts built? `luckin build`)") from None
        return self.frames[name]

    def a(self, *names: str) -> list[Analysis]:
        return [self.compiled[n] for n in names]

    def row(self, name: str) -> dict:
        frame = self(name)
        return frame.iloc[0].to_dict() if len(frame) else {}

    def run_all(self) -> None:
        for analysis in self.compiled:
            self(analysis.name)


def _n(value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return math.nan
    return v


def _short(frame: pd.DataFrame) -> pd.DataFrame:
    """Store names without the brand, for chart axes and legends."""
    return frame.assign(store_name=frame["store_name"].str.replace("Luckin Coffee ", "", regex=False))


def _month(value) -> str:
    return "?" if value is None or value is pd.NaT else pd.Timestamp(value).strftime("%B %Y")


REPORTS = [
    ("00", "executive-summary", "Executive Summary", "Strategic", "C-level dashboard, key metrics, critical findings"),
    ("01", "revenue-financial-analysis", "Revenue & Financial Analysis", "Financial",
     "Revenue trends, store economics, AOV, projections"),
    ("02", "customer-user-analysis", "Customer & User Analysis", "Customer",
     "Acquisition, segmentation, retention, CLV modeling"),
    ("03", "store-performance-analysis", "Store Performance Analysis", "Operations",
     "Per-store deep dives, maturity curves, cannibalization"),
    ("04", "marketing-coupon-analysis", "Marketing & Coupon Analysis", "Marketing",
     "Coupon effectiveness, campaigns, CAC analysis"),
    ("05", "product-menu-analysis", "Product & Menu Analysis", "Product",
     "Product performance, categories, pricing strategy"),
    ("06", "operations-supply-chain-analysis", "Operations & Supply Chain", "Operations",
     "Production efficiency, IoT fleet, inventory"),
    ("07", "data-infrastructure-technology", "Data Infrastructure & Technology", "Technology",
     "Database architecture, load inventory, data quality"),
]


def _report(number: str) -> Report:
    num, slug, title, size, focus = next(r for r in REPORTS if r[0] == number)
    return Report(number=num, slug=f"{num}-{slug}", title=title, focus=focus, size=size)


# --------------------------------------------------------------------------- section layouts
# A report's sections as a table: rows of (section title, blocks), added in order by
# add_sections. A block is a chart_of or table_of (drawn from its analysis's rows), a ready
# Text, Chart or Table, or None (left out, e.g. a sentence the data cannot support).

def chart_of(analysis: str, title: str, plot: Callable[[pd.DataFrame], object], slug: str, note: str = ""):
    """A chart of one analysis's rows: plot(rows) draws it; slug names its SVG file."""
    return lambda d: Chart(title, plot(d(analysis)), d.a(analysis), slug, note=note)


def table_of(analysis: str, title: str, rows: Callable[[pd.DataFrame], pd.DataFrame] | None = None, **options):
    """A table of one analysis's rows (rows(frame) picks or orders them first); options are
    render.Table's: columns, max_rows, note."""
    return lambda d: Table(title, rows(d(analysis)) if rows else d(analysis), d.a(analysis), **options)


def add_sections(r: Report, d: ReportData, layout: list[tuple[str, list]]) -> None:
    """Add the sections of a layout table to the report, blocks in order (None left out)."""
    for title, blocks in layout:
        section = r.section(title)
        for block in blocks:
            if block is not None:
                section.add(block(d) if callable(block) else block)


# --------------------------------------------------------------------------- 00

def key_metrics_frame(key: dict) -> pd.DataFrame:
    """The seed's "Key Metrics at a Glance" table, with report 00's figures."""
    aov_growth = f"{fmt_money(_n(key.get('avg_order_value_usd')))} (growing to " \
                 f"{fmt_money(_n(key.get('latest_full_month_aov_usd')))})"
    run_rate = _n(key.get("run_rate_month_revenue_usd"))
    rows = [
        ("Total USD Revenue", fmt_money(_n(key.get("revenue_usd")), cents=False)),
        ("Total Completed Orders", fmt_int(key.get("completed_orders"))),
        ("Average Order Value", aov_growth),
        ("Active US Stores", fmt_int(key.get("active_stores"))),
        ("Registered Users", fmt_int(key.get("registered_users"))),
        (f"Monthly Run Rate ({pd.Timestamp(key['latest_full_month']).strftime('%b %Y')})"
         if key.get("latest_full_month") is not None else "Monthly Run Rate",
         f"{fmt_compact_money(run_rate)} ({fmt_compact_money(run_rate * 12)} annualized)"),
        ("IoT Devices Deployed", fmt_int(key.get("iot_devices"))),
        ("Database Instances", f"{fmt_int(key.get('database_instances'))} ({fmt_int(key.get('mysql_schemas'))} MySQL"
                               f" + {fmt_int(key.get('redis_instances'))} Redis + {fmt_int(key.get('postgres_servers'))}"
                               " PostgreSQL)"),
    ]
    return pd.DataFrame(rows, columns=["metric", "value"])


def critical_findings(f: dict, key: dict) -> list[str]:
    """The critical findings, each stated from the figures (and worded by what they show)."""
    out = []
    tax_rows, revenue = _n(f.get("fi_tax_rows")), _n(key.get("revenue_usd"))
    if tax_rows == 0:
        out.append(f"**TAX COMPLIANCE GAP** - fi_tax database is completely empty ({fmt_int(f.get('fi_tax_tables'))} "
                   f"tables, 0 rows) despite {fmt_compact_money(revenue)} revenue; sales tax not on record: "
                   f"{fmt_compact_money(_n(f.get('tax_compliance_gap_usd')))} at the NYC rate")
    else:
        out.append(f"**Tax records present** - fi_tax holds {fmt_int(tax_rows)} rows; unrecorded tax "
                   f"{fmt_compact_money(_n(f.get('tax_compliance_gap_usd')))}")
    loyalty_rows, users = _n(f.get("loyalty_rows")), _n(f.get("registered_users"))
    if loyalty_rows == 0:
        out.append(f"**Loyalty Program Not Launched** - All {fmt_int(f.get('loyalty_tables'))} membership tables empty "
                   f"({users / 1000:,.0f}K users unengaged)" if users >= 10_000 else
                   f"**Loyalty Program Not Launched** - All {fmt_int(f.get('loyalty_tables'))} membership tables empty "
                   f"({fmt_int(users)} users unengaged)")
    else:
        out.append(f"**Loyalty programme live** - {fmt_int(loyalty_rows)} rows in luckyus_member")
    delivery, pickup = _n(f.get("delivery_aov_usd")), _n(f.get("pickup_aov_usd"))
    ratio = delivery / pickup if pickup else math.nan
    out.append(f"**Delivery = {ratio:.0f}x AOV** - Delivery orders average {fmt_money(delivery)} vs pickup "
               f"{fmt_money(pickup)} ({fmt_int(f.get('delivery_orders'))} delivery of "
               f"{fmt_int(_n(f.get('delivery_orders')) + _n(f.get('pickup_orders')))} completed orders: untapped growth)")
    out.append(f"**IoT Fleet Health** - {fmt_pct(_n(f.get('offline_device_share')), 0)} of devices offline, blenders at "
               f"{fmt_pct(_n(f.get('offline_blender_share')), 0)} offline rate")
    first, latest = _n(f.get("first_month_production_seconds")), _n(f.get("latest_month_production_seconds"))
    change = latest / first - 1 if first else math.nan
    verb = "Improving" if change < 0 else "Slowing"
    out.append(f"**Production {verb}** - {fmt_pct(abs(change), 0)} {'reduction' if change < 0 else 'increase'} in "
               f"production time ({first:.0f}s in {_month(f.get('first_full_month'))} -> {latest:.0f}s in "
               f"{_month(f.get('latest_full_month'))})")
    out.append(f"**Hero Product Moat** - {f.get('top_product_name')} dominates with "
               f"{fmt_pct(_n(f.get('top_product_order_share')), 0)} of all orders")
    return out


def report_00(d: ReportData, comparison: list | None, scale: float | None) -> Report:
    r = _report("00")
    key, f = d.row("r00_key_metrics"), d.row("r00_critical_findings")
    sources = d.a("r00_key_metrics")
    r.summary = (f"Luckin Coffee USA took **{fmt_money(_n(key.get('revenue_usd')), cents=False)}** on "
                 f"**{fmt_int(key.get('completed_orders'))}** completed orders from its first day to "
                 f"{pd.Timestamp(key['as_of_date']).strftime('%B %d, %Y')}, across "
                 f"**{fmt_int(key.get('active_stores'))}** open stores. The latest full month "
                 f"({_month(key.get('latest_full_month'))}) ran at {fmt_compact_money(_n(key.get('run_rate_month_revenue_usd')))}"
                 f", {fmt_compact_money(_n(key.get('annualized_run_rate_usd')))} annualized.")
    s = r.section("Key Metrics at a Glance")
    s.add(Table("Key metrics at a glance", key_metrics_frame(key), sources, max_rows=None,
                note="Database instances count the landed MySQL schemas and the Redis instances of the latest "
                     "snapshot; the 3 PostgreSQL servers are not a source of the warehouse (the estate inventory's "
                     "count)."))
    detail = pd.DataFrame([key]).drop(columns=["postgres_servers"], errors="ignore").T.reset_index()
    detail.columns = ["figure", "value"]
    detail["figure"] = detail["figure"].map(label)
    detail["value"] = [_detail_value(name, v) for name, v in zip(pd.DataFrame([key]).drop(
        columns=["postgres_servers"], errors="ignore").columns, detail["value"])]
    s.add(Table("The figures behind the table", detail, sources, max_rows=None))

    s = r.section("Critical Findings")
    s.add(Text("\n".join(f"{i}. {line}" for i, line in enumerate(critical_findings(f, key), 1))))
    findings_table = pd.DataFrame([
        ("fi_tax rows (tables)", f"{fmt_int(f.get('fi_tax_rows'))} ({fmt_int(f.get('fi_tax_tables'))})"),
        ("Estimated unrecorded sales tax", fmt_money(_n(f.get("tax_compliance_gap_usd")), cents=False)),
        ("Loyalty rows (tables)", f"{fmt_int(f.get('loyalty_rows'))} ({fmt_int(f.get('loyalty_tables'))})"),
        ("Registered users who have ordered", f"{fmt_int(f.get('ordering_customers'))} of "
                                              f"{fmt_int(f.get('registered_users'))}"),
        ("Delivery AOV / pickup AOV", f"{fmt_money(_n(f.get('delivery_aov_usd')))} / "
                                      f"{fmt_money(_n(f.get('pickup_aov_usd')))}"),
        ("Devices offline", f"{fmt_int(f.get('offline_devices'))} of {fmt_int(f.get('iot_devices'))} "
                            f"({fmt_pct(_n(f.get('offline_device_share')))})"),
        ("Blenders offline", f"{fmt_int(f.get('offline_blenders'))} of {fmt_int(f.get('blenders'))} "
                             f"({fmt_pct(_n(f.get('offline_blender_share')))})"),
        ("Mean production time, first -> latest full month",
         f"{_n(f.get('first_month_production_seconds')):.0f} s -> {_n(f.get('latest_month_production_seconds')):.0f} s"),
        ("#1 product, share of completed orders", f"{f.get('top_product_name')}, "
                                                  f"{fmt_pct(_n(f.get('top_product_order_share')))}"),
        ("Largest Redis instance (memory used / budget)",
         f"{f.get('largest_redis_instance')} ({fmt_pct(_n(f.get('largest_redis_memory_ratio')))}"
         f"{', alert' if f.get('is_largest_redis_memory_alert') else ''})"),
    ], columns=["figure", "value"])
    s.add(Table("The figures behind the findings", findings_table, d.a("r00_critical_findings"), max_rows=None))

    monthly = d("r01_monthly_revenue")
    s = r.section("Revenue trend")
    s.add(Chart("Monthly revenue (USD)", ch.bar(monthly, "revenue_month", "revenue_usd", x_kind="month",
                                                 y_title="Revenue (USD)", y_format="$,.0f"),
                d.a("r01_monthly_revenue"), "00-monthly-revenue",
                note="The first and the current month are partial months."))

    if comparison is not None:
        s = r.section("Against the seed")
        frame = pd.DataFrame([c.as_dict() for c in comparison])
        frame["result"] = ["pass" if p else "FAIL" for p in frame["passed"]]
        s.add(Text(f"Report 00 compared with the seed's figures at scale {scale:g}, with the tolerances of the estate "
                   "spec (absolute figures scaled; below scale 1 sampled figures' tolerances widen by sqrt(1/s))."))
        s.add(Table("Key metrics and critical findings against the seed",
                    frame[["metric", "seed", "target", "actual", "result", "finding"]],
                    d.a("r00_key_metrics", "r00_critical_findings"), max_rows=None,
                    columns={"metric": "Metric", "seed": "Seed", "target": "Target at this scale",
                             "actual": "Report 00", "result": "Result", "finding": "Backs"}))
    return r


def _detail_value(name: str, value) -> str:
    from .render import format_value

    return format_value(name, value)


# --------------------------------------------------------------------------- 01

def report_01(d: ReportData) -> Report:
    r = _report("01")
    monthly, run_rate = d("r01_monthly_revenue"), d("r01_run_rate")
    full = monthly[monthly["is_full_month"]]
    if len(full) >= 2:
        first, last = full.iloc[0], full.iloc[-1]
        r.summary = (f"Revenue grew from {fmt_compact_money(first.revenue_usd)} in {_month(first.revenue_month)} to "
                     f"{fmt_compact_money(last.revenue_usd)} in {_month(last.revenue_month)} "
                     f"({last.revenue_usd / first.revenue_usd:.1f}x) as stores opened, with AOV moving from "
                     f"{fmt_money(first.avg_order_value_usd)} to {fmt_money(last.avg_order_value_usd)}.")
    projection = []
    if len(run_rate):
        rr = run_rate.iloc[0]
        proj = run_rate.melt(id_vars=["projected_month"], value_vars=["projected_revenue_usd",
                                                                      "flat_run_rate_revenue_usd"],
                             var_name="scenario", value_name="revenue_usd")
        proj["scenario"] = proj["scenario"].map({"projected_revenue_usd": "at recent growth",
                                                 "flat_run_rate_revenue_usd": "flat run rate"})
        hist = full[["revenue_month", "revenue_usd"]].rename(columns={"revenue_month": "projected_month"})
        hist["scenario"] = "actual"
        projection = [
            Text(f"**Method.** The run rate is the latest full month's revenue ({_month(rr.latest_full_month)}: "
                 f"{fmt_money(rr.run_rate_month_revenue_usd, cents=False)}) x 12 = "
                 f"**{fmt_money(rr.annualized_run_rate_usd, cents=False)}** a year. The projection carries that month "
                 f"forward at the compound monthly growth of the last three full months "
                 f"({fmt_pct(rr.monthly_growth_rate)} a month, the geometric mean of their month-on-month ratios); "
                 "the flat run rate is shown beside it. It is a trend extrapolation, not a forecast model: it ignores "
                 "seasonality, new openings and price changes."),
            Chart("Monthly revenue: actual and projected (USD)",
                  ch.line(pd.concat([hist, proj], ignore_index=True), "projected_month", "revenue_usd",
                          color="scenario", y_title="Revenue (USD)", y_format="$,.0f"),
                  d.a("r01_run_rate", "r01_monthly_revenue"), "01-projection"),
            table_of("r01_run_rate", "Projection",
                     columns=["projected_month", "projected_revenue_usd", "flat_run_rate_revenue_usd",
                              "monthly_growth_rate"]),
        ]
    add_sections(r, d, [
        ("Monthly revenue", [
            chart_of("r01_monthly_revenue", "Revenue by month and channel (USD)",
                     lambda f: ch.bar(f[["revenue_month", "pickup_revenue_usd", "delivery_revenue_usd"]]
                                      .melt(id_vars=["revenue_month"], var_name="channel",
                                            value_name="channel_revenue_usd")
                                      .assign(channel=lambda x: x.channel.str.replace("_revenue_usd", "")),
                                      "revenue_month", "channel_revenue_usd", x_kind="month",
                                      y_title="Revenue (USD)", y_format="$,.0f", color="channel"),
                     "01-monthly-revenue"),
            table_of("r01_monthly_revenue", "Monthly revenue",
                     columns=["revenue_month", "trading_stores", "completed_orders", "revenue_usd",
                              "avg_order_value_usd", "discount_rate", "revenue_growth_on_previous_month",
                              "is_full_month"]),
        ]),
        ("Weekly trend", [
            chart_of("r01_weekly_revenue", "Weekly revenue (USD) and AOV",
                     lambda f: ch.line(f[f["is_full_week"]], "week_start_date", "revenue_usd", x_kind="week",
                                       y_title="Revenue (USD)", y_format="$,.0f"),
                     "01-weekly-revenue", note="Full weeks only (Monday to Sunday)."),
            table_of("r01_weekly_revenue", "Latest weeks", lambda f: f.sort_values("week_start_date", ascending=False),
                     columns=["week_start_date", "trading_stores", "completed_orders", "revenue_usd",
                              "avg_order_value_usd", "coupon_order_share", "is_full_week"], max_rows=8),
        ]),
        ("Store economics", [
            chart_of("r01_store_economics", "Revenue per trading day by store, lifetime and last 28 days (USD)",
                     lambda f: ch.bar(_short(f).melt(id_vars=["store_name"],
                                                     value_vars=["revenue_per_trading_day_usd",
                                                                 "last_28_days_revenue_per_day_usd"],
                                                     var_name="measure", value_name="usd")
                                      .assign(measure=lambda x: x.measure.map(
                                          {"revenue_per_trading_day_usd": "lifetime",
                                           "last_28_days_revenue_per_day_usd": "last 28 days"})),
                                      "store_name", "usd", horizontal=True, y_title="USD per day", color="measure",
                                      stack=False, height=300),
                     "01-store-revenue-per-day"),
            table_of("r01_store_economics", "Store economics",
                     columns=["store_name", "opened_date", "completed_orders", "revenue_usd", "share_of_revenue",
                              "avg_order_value_usd", "revenue_per_trading_day_usd",
                              "last_28_days_revenue_per_day_usd", "discount_rate", "delivery_order_share"]),
        ]),
        ("Average order value", [
            chart_of("r01_aov_by_channel", "AOV by month and channel (USD)",
                     lambda f: ch.line(f, "order_month", "avg_order_value_usd", color="order_channel",
                                       color_title="channel", y_title="AOV (USD)", y_format="$.2f", zero=False),
                     "01-aov-by-channel"),
            table_of("r01_aov_by_channel", "AOV by channel", max_rows=24),
            chart_of("r01_weekday_profile", "Average orders per store-day by weekday",
                     lambda f: ch.bar(f[~f["is_holiday"]], "day_name", "avg_orders_per_store_day",
                                      y_title="Orders per store-day"),
                     "01-weekday-profile", note="Holidays and dip days left out."),
        ]),
        ("Run rate and projection", projection),
    ])
    return r


# --------------------------------------------------------------------------- 02

def report_02(d: ReportData) -> Report:
    r = _report("02")
    acq_c, cohorts = d("r02_acquisition_by_channel"), d("r02_cohort_retention")
    users = acq_c["registered_users"].sum()
    ordering = acq_c["ordering_customers"].sum()
    r.summary = (f"{fmt_int(users)} registered users, of whom {fmt_int(ordering)} ({fmt_pct(ordering / users if users else math.nan)})"
                 " have completed an order. Acquisition is coupon-led: "
                 f"{fmt_pct((acq_c['coupon_acquired_share'] * acq_c['ordering_customers']).sum() / ordering if ordering else math.nan)}"
                 " of first orders used a coupon.")
    m1 = cohorts[cohorts["months_since_first_order"] == 1]
    month_1 = (Text(f"Month-1 retention ranges from {fmt_pct(m1.retention_rate.min())} to "
                    f"{fmt_pct(m1.retention_rate.max())} across cohorts (mean {fmt_pct(m1.retention_rate.mean())}).")
               if len(m1) else None)
    add_sections(r, d, [
        ("Acquisition", [
            chart_of("r02_acquisition_monthly", "Registrations by month and channel",
                     lambda f: ch.bar(f, "registration_month", "registered_users", x_kind="month",
                                      color="registration_channel", color_title="channel",
                                      y_title="Registered users"),
                     "02-registrations"),
            table_of("r02_acquisition_by_channel", "Acquisition channels"),
        ]),
        ("Segments (RFM)", [
            chart_of("r02_rfm_segments", "Customers by RFM segment",
                     lambda f: ch.bar(f.sort_values("customers", ascending=False), "rfm_segment", "customers",
                                      horizontal=True, y_title="Customers", height=200),
                     "02-rfm-segments"),
            table_of("r02_rfm_segments", "RFM segments"),
        ]),
        ("Cohort retention", [
            chart_of("r02_cohort_retention", "Share of each cohort ordering again, by months since the first order",
                     lambda f: ch.heatmap(f[f["months_since_first_order"] > 0], "months_since_first_order",
                                          "cohort_month", "retention_rate", x_title="Months since first order",
                                          y_title="Cohort (first order month)", value_title="Retention"),
                     "02-cohort-retention", note="Month 0 (100% by definition) left out."),
            month_1,
            table_of("r02_cohort_retention", "Cohort sizes and first-month revenue",
                     lambda f: f[f["months_since_first_order"] == 0][["cohort_month", "cohort_customers",
                                                                      "revenue_usd"]],
                     columns={"cohort_month": "Cohort month", "cohort_customers": "Customers",
                              "revenue_usd": "First-month revenue (USD)"}),
        ]),
        ("Customer lifetime value", [
            Text("Predicted CLV is historical revenue plus the expected value of the next 12 months (revenue per "
                 "month of tenure x horizon x the chance the customer is still active, halving every 30 days since "
                 "the last order): a transparent heuristic documented on `dim_customers`, not a fitted model."),
            chart_of("r02_clv_distribution", "Ordering customers by predicted CLV band",
                     lambda f: ch.bar(f, "clv_band", "customers", y_title="Customers"), "02-clv-bands"),
            table_of("r02_clv_distribution", "CLV bands",
                     columns=["clv_band", "customers", "avg_historical_clv_usd", "avg_predicted_clv_usd",
                              "predicted_clv_usd"]),
        ]),
    ])
    return r


# --------------------------------------------------------------------------- 03

def report_03(d: ReportData) -> Report:
    r = _report("03")
    overview, curves = d("r03_store_overview"), d("r03_maturity_curves")
    cannibal, monthly = d("r03_cannibalisation"), d("r03_store_monthly")
    open_stores = overview[overview["opened_date"].notna()]
    r.summary = (f"{len(open_stores)} stores have opened since {open_stores.opened_date.min():%B %d, %Y}; "
                 f"{len(overview) - len(open_stores)} more announced. Each ramps up over its first weeks and takes some "
                 "orders from its nearest neighbours.")
    week8 = curves[curves["weeks_since_opening"] == 8]
    by_week_8 = (Text(f"By week 8 a store sells {fmt_int(week8.completed_orders.min())} to "
                      f"{fmt_int(week8.completed_orders.max())} orders a week (median "
                      f"{fmt_int(week8.completed_orders.median())}).") if len(week8) else None)
    has = cannibal[cannibal["neighbour_orders_change_ratio"].notna()]
    neighbours = []
    if len(has):
        neighbours = [
            Text(f"Around {len(has)} openings with neighbours measurable on both sides, the neighbours' weekly "
                 f"orders changed by {fmt_pct(has.neighbour_orders_change_ratio.median())} (median; negative = "
                 "orders moved to the new store)."),
            Chart("Change in neighbours' weekly orders after each opening",
                  ch.bar(_short(has), "store_name", "neighbour_orders_change_ratio", horizontal=True, y_format="%",
                         y_title="Change in neighbours' weekly orders", height=200),
                  d.a("r03_cannibalisation"), "03-cannibalisation"),
        ]
    add_sections(r, d, [
        ("Store overview", [
            table_of("r03_store_overview", "Stores",
                     columns=["store_no", "store_name", "neighborhood", "store_status", "opened_date", "weeks_open",
                              "completed_orders", "revenue_usd", "avg_order_value_usd", "recent_weekly_orders",
                              "nearest_store_name", "nearest_store_distance_miles"]),
        ]),
        ("Maturity curves", [
            chart_of("r03_maturity_curves", "Weekly completed orders by weeks since opening",
                     lambda f: ch.line(_short(f), "weeks_since_opening", "completed_orders", x_kind="quantitative",
                                       x_title="Weeks since opening", y_title="Completed orders", color="store_name",
                                       color_title="store", points=False, height=320),
                     "03-maturity-curves", note="Partial weeks at the end of the data left out."),
            by_week_8,
        ]),
        ("Cannibalisation", [*neighbours, table_of("r03_cannibalisation", "Neighbours' orders around each opening")]),
        ("Per-store pages", [Pages([store_page(d, store, monthly) for store in open_stores.itertuples()])]),
    ])
    return r


def store_page(d: ReportData, store, monthly: pd.DataFrame) -> Page:
    """One open store's page under report 03 (a row of r03_store_overview): its figures, and its
    months (r03_store_monthly) as a chart and a table."""
    slug = f"03-store-{int(store.store_id):03d}"
    own = monthly[monthly["store_id"] == store.store_id]
    description = f"{store.store_no} · {store.neighborhood} · opened {store.opened_date:%Y-%m-%d}"
    return Page(slug, store.store_name, description, [
        Text(f"{store.store_no}, {store.neighborhood} - {store.street_address}. "
             f"Opened {store.opened_date:%Y-%m-%d}, {fmt_int(store.weeks_open)} weeks open; "
             f"{fmt_int(store.completed_orders)} completed orders, {fmt_money(store.revenue_usd, cents=False)} "
             f"revenue, AOV {fmt_money(store.avg_order_value_usd)}; nearest store {store.nearest_store_name} "
             f"({store.nearest_store_distance_miles:.2f} mi)."),
        Chart(f"{store.store_name}: monthly revenue (USD)",
              ch.bar(own, "revenue_month", "revenue_usd", x_kind="month", y_title="Revenue (USD)",
                     y_format="$,.0f", height=140, width=560),
              d.a("r03_store_monthly"), slug),
        Table(f"{store.store_name}: months", own, d.a("r03_store_monthly"), max_rows=None,
              columns=["revenue_month", "trading_days", "completed_orders", "customer_days", "revenue_usd",
                       "avg_order_value_usd"]),
    ])


# --------------------------------------------------------------------------- 04

def report_04(d: ReportData) -> Report:
    r = _report("04")
    camp = d("r04_campaign_performance")
    total_cost = camp["total_cost_usd"].sum()
    new_customers = camp["new_customers"].sum()
    r.summary = (f"{len(camp)} campaigns issued {fmt_int(camp.coupons_issued.sum())} coupons, "
                 f"{fmt_int(camp.coupons_redeemed.sum())} redeemed on completed orders; discounts and media cost "
                 f"{fmt_money(total_cost, cents=False)} for {fmt_int(new_customers)} new customers "
                 f"(blended CAC {fmt_money(total_cost / new_customers if new_customers else math.nan)}).")
    add_sections(r, d, [
        ("Campaign effectiveness and CAC", [
            chart_of("r04_campaign_performance", "Customer acquisition cost by campaign (USD)",
                     lambda f: ch.bar(f[f["cac_usd"].notna()].sort_values("cac_usd"), "campaign_name", "cac_usd",
                                      horizontal=True, y_title="CAC (USD)", y_format="$.2f", height=220),
                     "04-cac"),
            table_of("r04_campaign_performance", "Campaigns",
                     columns=["campaign_name", "campaign_type", "campaign_status", "coupons_issued",
                              "coupons_redeemed", "redemption_rate", "discount_cost_usd", "media_spend_usd",
                              "new_customers", "cac_usd", "incremental_revenue_usd", "revenue_per_cost_dollar"]),
        ]),
        ("Redemption", [
            chart_of("r04_coupon_redemption_monthly", "Coupons issued and redeemed by month of issue",
                     lambda f: ch.bar(f.melt(id_vars=["issued_month"],
                                             value_vars=["coupons_redeemed", "coupons_expired", "coupons_open"],
                                             var_name="outcome", value_name="coupons")
                                      .assign(outcome=lambda x: x.outcome.str.replace("coupons_", "")),
                                      "issued_month", "coupons", x_kind="month", color="outcome",
                                      y_title="Coupons"),
                     "04-redemption"),
            table_of("r04_coupon_redemption_monthly", "Redemption by month of issue"),
            table_of("r04_coupon_types", "Coupon mechanics"),
        ]),
        ("Coupon dependence", [
            chart_of("r04_coupon_dependence", "Share of completed orders using a coupon, and the discount rate",
                     lambda f: ch.line(f, "revenue_month", ["coupon_order_share", "discount_rate",
                                                            "first_order_share"],
                                       y_title="Share", y_format="%"),
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
    r = _report("05")
    top, mix = d("r05_top_products"), d("r05_category_mix")
    if len(top):
        hero = top.iloc[0]
        r.summary = (f"{len(top)} menu items sold. **{hero.product_name}** is #1, in {fmt_pct(hero.share_of_orders)} "
                     f"of completed orders; {mix.iloc[0].category_name if len(mix) else '?'} is the largest category by "
                     "revenue.")
    add_sections(r, d, [
        ("Top products", [
            chart_of("r05_top_products", "Share of completed orders containing the product (top 15)",
                     lambda f: ch.bar(f.head(15), "product_name", "share_of_orders", horizontal=True,
                                      y_title="Share of orders", y_format="%", height=300),
                     "05-top-products"),
            table_of("r05_top_products", "Product ranking",
                     columns=["product_rank", "product_name", "category_name", "orders_with_product",
                              "share_of_orders", "units_sold", "revenue_usd", "current_price_usd"], max_rows=20),
            chart_of("r05_top_product_share_monthly", "Top five products: share of orders by month",
                     lambda f: ch.line(f, "sales_month", "share_of_orders", color="product_name",
                                       color_title="product", y_format="%", y_title="Share of orders"),
                     "05-top-share-monthly"),
        ]),
        ("Categories", [
            chart_of("r05_category_monthly", "Revenue by category and month (USD)",
                     lambda f: ch.bar(f, "sales_month", "revenue_usd", x_kind="month", color="category_name",
                                      color_title="category", y_title="Revenue (USD)", y_format="$,.0f"),
                     "05-category-monthly"),
            table_of("r05_category_mix", "Category mix"),
        ]),
        ("Price points and pricing", [
            chart_of("r05_price_points", "Units sold by list price per unit (50-cent bands)",
                     lambda f: ch.bar(f.assign(band=f.price_band_usd.map(lambda v: f"${v:.2f}")), "band",
                                      "units_sold", y_title="Units"),
                     "05-price-points"),
            table_of("r05_price_points", "Price bands"),
            table_of("r05_price_changes", "List-price changes (newest first)", max_rows=25),
        ]),
    ])
    return r


# --------------------------------------------------------------------------- 06

def report_06(d: ReportData) -> Report:
    r = _report("06")
    prod, fleet_t = d("r06_production_monthly"), d("r06_fleet_health_by_type")
    devices = fleet_t["devices"].sum()
    offline = fleet_t["offline_devices"].sum()
    if len(prod) >= 2:
        r.summary = (f"Mean production time moved from {prod.iloc[0].mean_production_seconds:.0f} s "
                     f"({_month(prod.iloc[0].production_month)}) to {prod.iloc[-1].mean_production_seconds:.0f} s "
                     f"({_month(prod.iloc[-1].production_month)}). {fmt_int(offline)} of {fmt_int(devices)} IoT devices "
                     f"({fmt_pct(offline / devices if devices else math.nan)}) are offline in the latest snapshot.")
    add_sections(r, d, [
        ("Production time", [
            chart_of("r06_production_monthly", "Seconds from make queue to finished, by month",
                     lambda f: ch.line(f, "production_month", ["mean_production_seconds", "median_production_seconds",
                                                               "p90_production_seconds"], y_title="Seconds"),
                     "06-production-monthly"),
            table_of("r06_production_monthly", "Production time by month"),
            table_of("r06_production_by_store", "Production time by store: first and latest month"),
        ]),
        ("IoT fleet health", [
            chart_of("r06_fleet_health_by_type", "Share of devices offline, by device type",
                     lambda f: ch.bar(f, "device_type", "offline_share", horizontal=True, y_format="%",
                                      y_title="Offline share", height=200),
                     "06-fleet-by-type"),
            table_of("r06_fleet_health_by_type", "Fleet health by device type",
                     columns=["device_type", "devices", "online_devices", "error_devices", "offline_devices",
                              "offline_share", "reported_offline_share", "stale_heartbeat_share", "offline_events",
                              "error_events", "out_of_range_readings"],
                     note="Offline as the marts classify it (reported offline, no heartbeat, or a stale heartbeat); "
                          "reported offline is what the devices said about themselves."),
            table_of("r06_fleet_health_by_store", "Fleet health by store"),
        ]),
        ("Inventory cover and waste", [
            chart_of("r06_waste_monthly", "Cost of wasted stock by month (USD)",
                     lambda f: ch.bar(f, "inventory_month", "wasted_cost_usd", x_kind="month", y_title="Wasted (USD)",
                                      y_format="$,.0f"),
                     "06-waste-monthly"),
            table_of("r06_inventory_cover", "Cover and waste by material (last 28 days)"),
            table_of("r06_waste_monthly", "Waste and stock-outs by month"),
        ]),
    ])
    return r


# --------------------------------------------------------------------------- 07

def report_07(d: ReportData, validation: dict | None, validation_path: str) -> Report:
    r = _report("07")
    inv, empty, redis_mem = d("r07_schema_inventory"), d("r07_empty_tables"), d("r07_redis_memory")
    mysql = inv[inv["schema_family"] != "redis"]
    empty_schemas = sorted(empty[empty["is_schema_empty"]]["source_schema"].unique())
    alerts = redis_mem[redis_mem["is_memory_alert"]]
    r.summary = (f"{mysql.source_schema.nunique()} MySQL schemas ({fmt_int(mysql.tables.sum())} tables, "
                 f"{fmt_int(mysql.rows_in_source.sum())} rows) and {len(redis_mem)} Redis instances land in the "
                 f"warehouse. {len(empty)} tables are empty; wholly empty schemas: "
                 f"{', '.join(f'`{x}`' for x in empty_schemas) or 'none'}. "
                 f"Redis memory alerts: {', '.join(f'`{x}`' for x in alerts.redis_instance) or 'none'}.")
    add_sections(r, d, [
        ("Schema and table inventory", [
            Chart("Rows in the source by schema (top 20)",
                  ch.bar(mysql.sort_values("rows_in_source", ascending=False).head(20).assign(
                      rows=lambda x: x.rows_in_source), "source_schema", "rows", horizontal=True,
                      y_title="Rows", height=320),
                  d.a("r07_schema_inventory"), "07-inventory"),
            table_of("r07_schema_inventory", "Landed schemas", max_rows=80,
                     columns=["schema_family", "source_schema", "tables", "empty_tables", "rows_in_source",
                              "rows_in_warehouse", "tables_not_matching", "zero_dates_nulled", "last_table_loaded_at"]),
        ]),
        ("Empty tables", [
            table_of("r07_empty_tables", "Tables with no rows in the source", max_rows=60,
                     columns=["source_schema", "source_table", "is_schema_empty"]),
        ]),
        ("Load freshness", [
            table_of("r07_load_freshness", "Last load per schema", max_rows=80,
                     columns=["source_schema", "tables", "last_loaded_at", "max_hours_behind_latest_run",
                              "loads_recorded", "failed_tables", "slowest_table_seconds", "rows_extracted_last_run"]),
        ]),
        ("Redis memory", [
            chart_of("r07_redis_memory", "Memory used against maxmemory, top 15 instances",
                     lambda f: ch.bar(f.sort_values("memory_used_ratio", ascending=False).head(15), "redis_instance",
                                      "memory_used_ratio", horizontal=True, y_format="%", y_title="Used / maxmemory",
                                      height=260),
                     "07-redis-memory", note="The alert threshold is 85% of maxmemory."),
            table_of("r07_redis_memory", "Redis instances by memory used", max_rows=20,
                     columns=["redis_instance", "used_memory_mb", "max_memory_mb", "memory_used_ratio", "key_count",
                              "evicted_keys", "sensitive_keys", "is_memory_alert"]),
        ]),
        ("Tax compliance gap", [
            chart_of("r07_tax_gap", "Estimated sales tax against tax recorded, by month (USD)",
                     lambda f: ch.bar(f.melt(id_vars=["tax_month"], value_vars=["estimated_tax_usd",
                                                                                "recorded_tax_usd"],
                                             var_name="measure", value_name="usd")
                                      .assign(measure=lambda x: x.measure.str.replace("_usd", "")
                                              .str.replace("_", " ")),
                                      "tax_month", "usd", x_kind="month", color="measure", stack=False,
                                      y_title="USD", y_format="$,.0f"),
                     "07-tax-gap"),
            table_of("r07_tax_gap", "Tax gap by month"),
        ]),
        ("Data quality (great-expectations)", quality_blocks(validation, validation_path)),
    ])
    return r


def quality_blocks(validation: dict | None, path: str) -> list:
    extra = f"great-expectations results `{path}` (suites: `luckin/quality/suites.py`)"
    if not validation:
        return [Text(f"No validation results found at `{path}`: run `luckin validate` before `luckin report`.")]
    results = pd.DataFrame(validation.get("results", []))
    critical_failed = validation.get("critical_failures", [])
    warned = [x for x in validation.get("results", []) if not x["success"] and x["severity"] != "critical"]
    blocks = [Text(f"Validation of the {validation.get('target')} warehouse at {validation.get('run_at')}: "
                   f"**{validation.get('evaluated', len(results))} expectations** in {len(validation.get('suites', []))} "
                   f"suites, **{len(critical_failed)} critical failure(s)**, {len(warned)} warning(s). "
                   + ("The gate is green." if validation.get("ok") else "The gate is **red**: the reports should "
                                                                         "not be trusted until it is fixed."))]
    if not results.empty:
        suites = (results.groupby(["suite", "severity"])["success"]
                  .agg(expectations="count", failed=lambda x: int((~x).sum())).reset_index())
        blocks.append(Table("Expectations per suite", suites, [], max_rows=None, extra_source=extra,
                            columns={"suite": "Suite", "severity": "Severity", "expectations": "Expectations",
                                     "failed": "Failed"}))
        shown = results.copy()
        shown["result"] = [("pass" if ok else ("FAIL" if sev == "critical" else "warn"))
                           for ok, sev in zip(shown.success, shown.severity)]
        shown = shown.sort_values(["success", "severity", "suite"], key=lambda c: c.map(
            {False: 0, True: 1, "critical": 0, "warning": 1}) if c.name in ("success", "severity") else c)
        blocks.append(Table("Every expectation", shown, [], max_rows=200, extra_source=extra,
                            columns={"suite": "Suite", "expectation": "Expectation", "column": "Column",
                                     "note": "Why it matters", "severity": "Severity", "observed": "Observed",
                                     "result": "Result"}))
    return blocks


# --------------------------------------------------------------------------- suite

def build_suite(d: ReportData, target: str, warehouse: str, validation: dict | None, validation_path: str,
                comparison: list | None = None, scale: float | None = None) -> Suite:
    key = d.row("r00_key_metrics")
    first = d("r01_monthly_revenue")["revenue_month"].min()
    as_of = key.get("as_of_date")
    period = (f"{pd.Timestamp(first):%B %Y} - {pd.Timestamp(as_of):%B %Y} (data as of {pd.Timestamp(as_of):%Y-%m-%d})"
              if as_of is not None and first is not None else "no data")
    reports = [report_00(d, comparison, scale), report_01(d), report_02(d), report_03(d), report_04(d),
               report_05(d), report_06(d), report_07(d, validation, validation_path)]
    suite = Suite(title="Luckin Coffee USA - Business Intelligence Reports",
                  prepared=datetime.now(timezone.utc).strftime("%B %d, %Y"), period=period, target=target,
                  warehouse=warehouse, reports=reports)
    findings = critical_findings(d.row("r00_critical_findings"), key)
    suite.overview = [
        Table("Key Metrics at a Glance", key_metrics_frame(key), d.a("r00_key_metrics"), max_rows=None),
        Text("**Critical Findings**\n\n" + "\n".join(f"{i}. {line}" for i, line in enumerate(findings, 1))),
    ]
    return suite
