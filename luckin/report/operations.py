"""Reports 06 (operations and supply chain) and 07 (data infrastructure and technology): the
supply side, stock-out flags, the AI systems, the architecture diagram and data quality."""

from __future__ import annotations

import math

import pandas as pd
from markupsafe import escape

from . import charts as ch
from . import fmt
from .data import ReportData, add_sections, chart_of, report, table_of, with_partial
from .model import Chart, Diagram, Report, Table, Text

STOCK_OUT_RULE = "a quarter or more of its counted days in the last 28 ended with none on hand (at least 3 days)"


# --------------------------------------------------------------------------- 06

def report_06(d: ReportData) -> Report:
    r = report("06")
    prod, fleet_t = d("r06_production_monthly"), d("r06_fleet_health_by_type")
    devices, offline = fleet_t["devices"].sum(), fleet_t["offline_devices"].sum()
    flags = d("r06_stockout_flags")
    flagged = flags[flags["is_flagged"]]
    suppliers = d("r06_supplier_performance")
    if len(prod) >= 2:
        r.summary = (f"Mean production time moved from {prod.iloc[0].mean_production_seconds:.0f} s "
                     f"({fmt.long_month(prod.iloc[0].production_month)}) to {prod.iloc[-1].mean_production_seconds:.0f} s"
                     f" ({fmt.long_month(prod.iloc[-1].production_month)}). {fmt.count(offline)} of "
                     f"{fmt.count(devices)} in-store devices ({fmt.share(offline / devices if devices else math.nan)}) "
                     f"are offline. {len(flagged)} store-material pairs are flagged for stock-outs; "
                     f"{len(suppliers)} suppliers deliver.")
    waste = d("r06_waste_monthly")
    worst = waste.assign(share=waste.stock_out_days / waste.counted_days.where(waste.counted_days > 0))
    worst = worst.loc[worst["share"].idxmax()] if worst["share"].notna().any() else None
    stock_text = Text(
        f"A store-material pair is flagged when {STOCK_OUT_RULE}. "
        + (f"The worst month was {fmt.long_month(worst.inventory_month)}: {fmt.count(worst.stock_out_days)} of "
           f"{fmt.count(worst.counted_days)} counted store-material days ended empty ({fmt.share(worst.share)}). "
           if worst is not None else "")
        + (f"Now flagged: {len(flagged)} pairs, most often "
           f"{', '.join(flagged['material_name'].value_counts().head(3).index)}." if len(flagged)
           else "No pair is flagged now."))
    supply_text = None
    if len(suppliers):
        late = suppliers.sort_values("on_time_rate").iloc[0]
        supply_text = Text(
            f"{len(suppliers)} suppliers received {fmt.count(suppliers.purchase_orders.sum())} purchase orders worth "
            f"{fmt.money(suppliers.ordered_amount_usd.sum())}. Lead time is measured from the order date to the first "
            f"delivery at the store; the fill rate is the share of deliveries that brought everything ordered. "
            f"The least punctual is **{late.supplier_name}** ({fmt.share(late.on_time_rate)} on time, "
            f"{fmt.average(late.avg_lead_time_days)} days against {fmt.count(late.quoted_lead_time_days)} quoted).")
    add_sections(r, d, [
        ("Production time", [
            chart_of("r06_production_monthly", "Seconds from make queue to finished, by month",
                     lambda f: ch.line(f, "production_month", ["mean_production_seconds", "median_production_seconds",
                                                               "p90_production_seconds"],
                                       names={"mean_production_seconds": "Mean",
                                              "median_production_seconds": "Median",
                                              "p90_production_seconds": "Slowest 10%"},
                                       y_title="Seconds", kind="seconds"),
                     "06-production-monthly"),
            table_of("r06_production_monthly", "Production time by month"),
            table_of("r06_production_by_store", "Production time by store: first and latest month", max_rows=None),
        ]),
        ("IoT fleet health", [
            chart_of("r06_fleet_health_by_type", "Share of devices offline, by device type",
                     lambda f: ch.bar(f.assign(device_type=f.device_type.map(fmt.code_label)), "device_type",
                                      "offline_share", horizontal=True, kind="share", y_title="Offline share",
                                      label="Offline"),
                     "06-fleet-by-type"),
            table_of("r06_fleet_health_by_type", "Fleet health by device type",
                     columns=["device_type", "devices", "online_devices", "error_devices", "offline_devices",
                              "offline_share", "reported_offline_share", "stale_heartbeat_share", "offline_events",
                              "error_events", "out_of_range_readings"],
                     note="Offline: the device says so, sends no heartbeat, or its heartbeat is stale; reported "
                          "offline is what the devices said about themselves."),
            table_of("r06_fleet_health_by_store", "Fleet health by store", max_rows=None,
                     columns=["store_name", "devices", "offline_devices", "error_devices", "offline_share"]),
        ]),
        ("Stock-outs", [
            stock_text,
            chart_of("r06_stockout_flags", "Flagged store-material pairs: share of counted days out of stock",
                     lambda f: ch.bar(f[f["is_flagged"]].head(15).assign(
                         pair=lambda x: x.store_name.map(fmt.store_short) + " · " + x.material_name),
                         "pair", "stock_out_share", horizontal=True, kind="share", y_title="Days out of stock",
                         label="Out of stock"),
                     "06-stockouts") if len(flagged) else None,
            table_of("r06_stockout_flags", "Store-material pairs with a stock-out in the last 28 days",
                     columns=["store_name", "material_name", "counted_days", "stock_out_days", "stock_out_share",
                              "is_flagged", "last_stock_out_date"]),
        ]),
        ("Suppliers and purchase orders", [
            supply_text,
            table_of("r06_supplier_performance", "Suppliers", max_rows=None,
                     columns=["supplier_name", "purchase_orders", "delivered_orders", "ordered_amount_usd",
                              "quoted_lead_time_days", "avg_lead_time_days", "max_lead_time_days", "on_time_rate",
                              "fill_rate"]),
            chart_of("r06_purchase_orders_monthly", "Purchase orders by month",
                     lambda f: ch.bar(with_partial(d, f, "ordered_month"), "ordered_month", "ordered_amount_usd",
                                      x_kind="month", kind="money", y_title="Ordered", label="Ordered",
                                      partial="is_partial"),
                     "06-purchase-orders", note="Faded bars are partial months."),
            table_of("r06_purchase_orders_monthly", "Purchasing by month"),
        ]),
        ("Inventory cover and waste", [
            chart_of("r06_waste_monthly", "Cost of wasted stock by month",
                     lambda f: ch.bar(with_partial(d, f, "inventory_month"), "inventory_month", "wasted_cost_usd",
                                      x_kind="month", y_title="Wasted", kind="money", label="Wasted",
                                      partial="is_partial"),
                     "06-waste-monthly", note="Faded bars are partial months."),
            table_of("r06_inventory_cover", "Cover and waste by material (last 28 days)"),
            table_of("r06_waste_monthly", "Waste and stock-outs by month"),
        ]),
    ])
    return r


# --------------------------------------------------------------------------- 07

def architecture_svg(mysql_schemas: int, redis_instances: int, source_tables: int, marts: int, analyses: int,
                     store_pages: int) -> str:
    """Sources -> extract and load -> warehouse layers -> analyses -> reports, as a small SVG."""
    boxes = [
        ("Sources", [f"{mysql_schemas} MySQL schemas", f"{redis_instances} Redis instances",
                     f"{source_tables:,} tables"], "#eef1f5"),
        ("Extract and load", ["dlt pipelines", "incremental, audited", "daily"], "#fdf1e7"),
        ("Warehouse", ["raw → staging", "→ intermediate", f"→ {marts} marts"], "#e7f3f1"),
        ("Analyses", [f"{analyses} SQL queries", "read marts only", "dbt-compiled"], "#efeaf6"),
        ("Reports", ["8 reports", f"{store_pages} store pages", "HTML, Markdown, PDF"], "#eaf1fb"),
    ]
    w, h, gap, top = 150, 112, 34, 14
    parts = []
    for i, (title, lines, fill) in enumerate(boxes):
        x = 8 + i * (w + gap)
        parts.append(f'<rect x="{x}" y="{top}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="#1f3c88" '
                     f'stroke-width="1.2"><title>{escape(title)}: {escape(", ".join(lines))}</title></rect>')
        parts.append(f'<text x="{x + w / 2}" y="{top + 26}" text-anchor="middle" font-size="14" font-weight="700" '
                     f'fill="#17202a">{escape(title)}</text>')
        for j, line in enumerate(lines):
            parts.append(f'<text x="{x + w / 2}" y="{top + 52 + 19 * j}" text-anchor="middle" font-size="12" '
                         f'fill="#34495e">{escape(line)}</text>')
        if i:
            x0 = x - gap + 4
            parts.append(f'<line x1="{x0}" y1="{top + h / 2}" x2="{x - 6}" y2="{top + h / 2}" stroke="#1f3c88" '
                         'stroke-width="1.6" marker-end="url(#arrow)"/>')
    width = 8 * 2 + 5 * w + 4 * gap
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {top * 2 + h}" width="{width}" '
            f'height="{top * 2 + h}" font-family="DejaVu Sans, sans-serif">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f3c88"/></marker></defs>'
            + "".join(parts) + "</svg>")


def report_07(d: ReportData, validation: dict | None, validation_path: str, store_pages: int) -> Report:
    r = report("07")
    inv, empty, redis_mem = d("r07_schema_inventory"), d("r07_empty_tables"), d("r07_redis_memory")
    mysql = inv[inv["schema_family"] != "redis"]
    empty_schemas = sorted(empty[empty["is_schema_empty"]]["source_schema"].unique())
    alerts = redis_mem[redis_mem["is_memory_alert"]]
    r.summary = (f"{mysql.source_schema.nunique()} MySQL schemas ({fmt.count(mysql.tables.sum())} tables, "
                 f"{fmt.count(mysql.rows_in_source.sum())} rows) and {len(redis_mem)} Redis instances land in the "
                 f"warehouse. {len(empty)} tables are empty; wholly empty schemas: "
                 f"{', '.join(f'`{x}`' for x in empty_schemas) or 'none'}. "
                 f"Redis memory alerts: {', '.join(f'`{x}`' for x in alerts.redis_instance) or 'none'}.")
    marts = len({m for a in d.compiled for m in a.marts})
    diagram = Diagram("From the source systems to these reports",
                      architecture_svg(mysql.source_schema.nunique(), len(redis_mem), int(mysql.tables.sum()), marts,
                                       len(d.compiled), store_pages),
                      "Sources (MySQL schemas and Redis instances) are extracted and loaded by dlt into the "
                      "warehouse, where dbt builds staging, intermediate and mart layers; the report analyses read "
                      "only marts and render these reports.", d.a("r07_schema_inventory"))
    ai = d("r07_ai_systems")
    ai_text = None
    if len(ai):
        per = ai.groupby("source_schema").agg(tables=("source_table", "count"), rows=("rows_in_source", "sum"),
                                              empty=("is_empty", "sum"))
        names = {"luckyus_algo_recommend": "menu recommendation", "luckyus_algo_feature": "feature store",
                 "luckyus_app_abtest": "A/B testing"}
        pieces = [f"{names.get(s, s)} ({fmt.count(row.tables)} tables, {fmt.count(row.rows)} rows"
                  f"{', ' + fmt.count(row.empty) + ' empty' if row.empty else ''})" for s, row in per.iterrows()]
        ai_text = Text(
            "Three schemas hold the AI systems: " + "; ".join(pieces) + ". The recommendation service logs what it "
            "showed and what was clicked, and the A/B-test service records experiments, variants and assignments: "
            "both are written to, so both are in use. Neither is read by any mart yet, so the reports cannot say "
            "whether recommendations or experiments changed what people bought; modelling the exposure log and the "
            "assignments is the next step.")
    add_sections(r, d, [
        ("Architecture", [
            diagram,
            Text("How each figure of the executive summary is computed, the SWOT rules and the comparison with the "
                 "published report suite are on the [appendix page of report 00](00-appendix.html)."),
        ]),
        ("AI systems", [
            ai_text,
            table_of("r07_ai_systems", "AI-system tables", max_rows=None,
                     columns=["source_schema", "source_table", "rows_in_source", "is_empty", "last_loaded_at"]),
        ]),
        ("Schema and table inventory", [
            Chart("Rows in the source by schema (top 20)",
                  ch.bar(mysql.sort_values("rows_in_source", ascending=False).head(20), "source_schema",
                         "rows_in_source", horizontal=True, y_title="Rows", kind="count", label="Rows"),
                  d.a("r07_schema_inventory"), "07-inventory"),
            table_of("r07_schema_inventory", "Landed schemas", max_rows=10,
                     columns=["schema_family", "source_schema", "tables", "empty_tables", "rows_in_source",
                              "rows_in_warehouse", "tables_not_matching", "zero_dates_nulled", "last_table_loaded_at"]),
        ]),
        ("Empty tables", [
            table_of("r07_empty_tables", "Tables with no rows in the source", max_rows=10,
                     columns=["source_schema", "source_table", "is_schema_empty"]),
        ]),
        ("Load freshness", [
            table_of("r07_load_freshness", "Last load per schema", max_rows=10,
                     columns=["source_schema", "tables", "last_loaded_at", "max_hours_behind_latest_run",
                              "loads_recorded", "failed_tables", "slowest_table_seconds", "rows_extracted_last_run"]),
        ]),
        ("Redis memory", [
            chart_of("r07_redis_memory", "Memory used against the memory budget, top 15 instances",
                     lambda f: ch.bar(f.sort_values("memory_used_ratio", ascending=False).head(15), "redis_instance",
                                      "memory_used_ratio", horizontal=True, kind="share", y_title="Used / budget",
                                      label="Used"),
                     "07-redis-memory", note="The alert threshold is 85% of the budget (maxmemory)."),
            table_of("r07_redis_memory", "Redis instances by memory used", max_rows=10,
                     columns=["redis_instance", "used_memory_mb", "max_memory_mb", "memory_used_ratio", "key_count",
                              "evicted_keys", "sensitive_keys", "is_memory_alert"]),
        ]),
        ("Tax compliance gap", [
            chart_of("r07_tax_gap", "Estimated sales tax against tax recorded, by month",
                     lambda f: ch.bar(with_partial(d, f.melt(id_vars=["tax_month"],
                                                             value_vars=["estimated_tax_usd", "recorded_tax_usd"],
                                                             var_name="measure", value_name="usd")
                                                      .assign(measure=lambda x: x.measure.map(
                                                          {"estimated_tax_usd": "Estimated",
                                                           "recorded_tax_usd": "Recorded"})), "tax_month"),
                                      "tax_month", "usd", x_kind="month", color="measure", color_title="Tax",
                                      stack=False, y_title="Tax", kind="money", partial="is_partial"),
                     "07-tax-gap", note="Faded bars are partial months."),
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
                   f"**{validation.get('evaluated', len(results))} expectations** in "
                   f"{len(validation.get('suites', []))} suites, **{len(critical_failed)} critical failure(s)**, "
                   f"{len(warned)} warning(s). "
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
        blocks.append(Table("Every expectation", shown, [], max_rows=10, extra_source=extra,
                            columns={"suite": "Suite", "expectation": "Expectation", "column": "Column",
                                     "note": "Why it matters", "severity": "Severity", "observed": "Observed",
                                     "result": "Result"}))
    return blocks
