"""Every metric of the layer, answered through MetricFlow (`query_metrics`) on the small estate
built on DuckDB and on Postgres, equals the figure the report suite's analysis gives: money and
counts exactly, ratios to the analysis's rounding unit (MetricFlow returns them unrounded).

The analyses of reports 01-06 read the fct_/dim_ marts, so they are an independent check of the
metric definitions; report 00 reads the metric tables, and its own figures are checked here
against the definitions it had before (the reference SQL below, over fct_orders)."""

from __future__ import annotations

import pytest

from luckin.metrics import query_metrics
from tests.metrics.figures import key as day, mismatches, same

# (metrics, group_by, where, analysis, analysis keys, metric keys, {analysis column: (metric, scale)})
CASES = {
    "monthly revenue, orders, AOV, discount rate (r01_monthly_revenue)": (
        ["revenue", "completed_orders", "average_order_value", "discount_share", "gross_sales", "discounts",
         "trading_days"],
        ["metric_time__month"], [], "r01_monthly_revenue", ["revenue_month"], ["metric_time__month"],
        {"revenue_usd": ("revenue", None), "completed_orders": ("completed_orders", None),
         "avg_order_value_usd": ("average_order_value", 4), "discount_rate": ("discount_share", 4),
         "gross_amount_usd": ("gross_sales", None), "discount_amount_usd": ("discounts", None),
         "trading_days": ("trading_days", None)},
    ),
    "AOV by channel (r01_aov_by_channel)": (
        ["completed_orders", "revenue", "average_order_value"], ["metric_time__month", "order__order_channel"],
        [],
        "r01_aov_by_channel", ["order_month", "order_channel"], ["metric_time__month", "order__order_channel"],
        {"completed_orders": ("completed_orders", None), "revenue_usd": ("revenue", None),
         "avg_order_value_usd": ("average_order_value", 4)},
    ),
    "registrations and conversion by channel (r02_acquisition_monthly)": (
        ["registered_users", "ordering_customers", "customer_conversion_rate"],
        ["metric_time__month", "customer__registration_channel"], [], "r02_acquisition_monthly",
        ["registration_month", "registration_channel"], ["metric_time__month", "customer__registration_channel"],
        {"registered_users": ("registered_users", None), "ordering_customers": ("ordering_customers", None),
         "conversion_rate": ("customer_conversion_rate", 4)},
    ),
    "cohort retention (r02_cohort_retention)": (
        ["cohort_customers", "retained_customers", "retention_rate"],
        ["cohort_activity__cohort_month__month", "cohort_activity__months_since_first_order"], [],
        "r02_cohort_retention", ["cohort_month", "months_since_first_order"],
        ["cohort_activity__cohort_month__month", "cohort_activity__months_since_first_order"],
        {"cohort_customers": ("cohort_customers", None), "active_customers": ("retained_customers", None),
         "retention_rate": ("retention_rate", 4)},
    ),
    "coupon redemption by month of issue (r04_coupon_redemption_monthly)": (
        ["coupons_issued", "coupons_redeemed", "coupon_redemption_rate", "coupon_discount_cost"],
        ["metric_time__month"], [], "r04_coupon_redemption_monthly", ["issued_month"], ["metric_time__month"],
        {"coupons_issued": ("coupons_issued", None), "coupons_redeemed": ("coupons_redeemed", None),
         "redemption_rate": ("coupon_redemption_rate", 4), "discount_cost_usd": ("coupon_discount_cost", None)},
    ),
    "CAC by campaign (r04_campaign_performance)": (
        ["campaign_cost", "campaign_new_customers", "customer_acquisition_cost"], ["campaign"],
        ["{{ Entity('campaign') }} is not null"], "r04_campaign_performance", ["campaign_id"], ["campaign"],
        {"total_cost_usd": ("campaign_cost", None), "new_customers": ("campaign_new_customers", None),
         "cac_usd": ("customer_acquisition_cost", 2)},
    ),
    "category revenue by month (r05_category_monthly)": (
        ["product_revenue", "units_sold"], ["metric_time__month", "product__category_name"], [],
        "r05_category_monthly", ["sales_month", "category_name"], ["metric_time__month", "product__category_name"],
        {"revenue_usd": ("product_revenue", None), "units_sold": ("units_sold", None)},
    ),
    "production time by month (r06_production_monthly)": (
        ["orders_produced", "mean_production_seconds"], ["metric_time__month"], [], "r06_production_monthly",
        ["production_month"], ["metric_time__month"],
        {"orders_produced": ("orders_produced", None), "mean_production_seconds": ("mean_production_seconds", 2)},
    ),
    "device offline share by store (r06_fleet_health_by_store)": (
        ["devices", "offline_devices", "offline_device_share"], ["store"], [], "r06_fleet_health_by_store",
        ["store_id"], ["store"],
        {"devices": ("devices", None), "offline_devices": ("offline_devices", None),
         "offline_share": ("offline_device_share", 4)},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_metric_equals_the_analysis(built, analysis, case) -> None:
    metrics, group_by, where, name, analysis_keys, metric_keys, columns = CASES[case]
    expected = analysis(name)
    assert not expected.empty, f"{name} is empty on {built.target}: the comparison would prove nothing"
    answered = query_metrics(built.settings, metrics, group_by, where)
    assert mismatches(expected, analysis_keys, answered, metric_keys, columns) == []


def test_run_rate_is_the_latest_full_month_times_twelve(built, analysis) -> None:
    run_rate = analysis("r01_run_rate").iloc[0]
    answered = query_metrics(built.settings, ["revenue", "revenue_run_rate"], ["metric_time__month"])
    month = answered[answered["metric_time__month"].map(day) == day(run_rate["latest_full_month"])]
    assert len(month) == 1
    assert same(run_rate["run_rate_month_revenue_usd"], month["revenue"].iloc[0])
    assert same(run_rate["annualized_run_rate_usd"], month["revenue_run_rate"].iloc[0])


# Report 00's definitions before the metric layer: the reference its figures must still equal.
REPORT_00_MONTHLY = """
select
    order_month,
    count(distinct order_date) as trading_days,
    sum(case when is_revenue then 1 else 0 end) as completed_orders,
    sum(case when is_revenue and is_first_order then 1 else 0 end) as new_customers,
    count(distinct case when is_revenue then customer_id end) as active_customers,
    sum(revenue_usd) as revenue_usd,
    round(cast(sum(revenue_usd) / nullif(sum(case when is_revenue then 1 else 0 end), 0) as numeric(12, 4)), 4)
        as avg_order_value_usd,
    round(cast(sum(case when is_revenue and has_coupon then 1 else 0 end) * 1.0
        / nullif(sum(case when is_revenue then 1 else 0 end), 0) as numeric(8, 4)), 4) as coupon_order_share,
    round(cast(sum(case when is_revenue then discount_amount_usd else 0 end)
        / nullif(sum(case when is_revenue then gross_amount_usd else 0 end), 0) as numeric(8, 4)), 4) as discount_rate
from marts.fct_orders
group by order_month
"""


def test_report_00_monthly_figures_equal_their_definitions(built, analysis, warehouse_sql) -> None:
    reference = warehouse_sql(REPORT_00_MONTHLY)
    kpis = analysis("r00_monthly_kpis")
    same_columns = ["trading_days", "completed_orders", "new_customers", "revenue_usd", "avg_order_value_usd",
                    "coupon_order_share", "discount_rate"]
    assert mismatches(reference, ["order_month"], kpis, ["order_month"], {c: (c, None) for c in same_columns}) == []
    answered = query_metrics(built.settings, ["new_customers", "active_customers", "coupon_order_share"],
                             ["metric_time__month"])
    assert mismatches(reference, ["order_month"], answered, ["metric_time__month"],
                      {"new_customers": ("new_customers", None), "active_customers": ("active_customers", None),
                       "coupon_order_share": ("coupon_order_share", 4)}) == []


def test_report_00_key_metrics_equal_the_metric_layer_and_their_definitions(built, analysis, warehouse_sql) -> None:
    key = analysis("r00_key_metrics").iloc[0]
    totals = warehouse_sql("select sum(case when is_revenue then 1 else 0 end) as completed_orders, "
                           "sum(revenue_usd) as revenue_usd from marts.fct_orders").iloc[0]
    assert same(totals["completed_orders"], key["completed_orders"])
    assert same(totals["revenue_usd"], key["revenue_usd"])
    answered = query_metrics(built.settings, ["revenue", "completed_orders", "average_order_value"]).iloc[0]
    assert same(key["revenue_usd"], answered["revenue"])
    assert same(key["completed_orders"], answered["completed_orders"])
    assert same(key["avg_order_value_usd"], answered["average_order_value"], 4)
    monthly = query_metrics(built.settings, ["revenue", "average_order_value", "revenue_run_rate"],
                            ["metric_time__month"])
    by_month = {day(m): row for m, row in zip(monthly["metric_time__month"], monthly.to_dict("records"))}
    latest, first = by_month[day(key["latest_full_month"])], by_month[day(key["first_full_month"])]
    assert same(key["run_rate_month_revenue_usd"], latest["revenue"])
    assert same(key["annualized_run_rate_usd"], latest["revenue_run_rate"])
    assert same(key["annualized_run_rate_usd"], latest["revenue"] * 12)
    assert same(key["latest_full_month_aov_usd"], latest["average_order_value"], 4)
    assert same(key["first_full_month_aov_usd"], first["average_order_value"], 4)


def test_report_00_fleet_and_production_findings_equal_the_metric_layer(built, analysis) -> None:
    findings = analysis("r00_critical_findings").iloc[0]
    fleet = query_metrics(built.settings, ["devices", "offline_devices", "offline_device_share"]).iloc[0]
    assert same(findings["iot_devices"], fleet["devices"])
    assert same(findings["offline_devices"], fleet["offline_devices"])
    assert same(findings["offline_device_share"], fleet["offline_device_share"], 4)
    production = query_metrics(built.settings, ["mean_production_seconds"], ["metric_time__month"])
    by_month = dict(zip(production["metric_time__month"].map(day), production["mean_production_seconds"]))
    assert same(findings["first_month_production_seconds"], by_month[day(findings["first_full_month"])], 2)
    assert same(findings["latest_month_production_seconds"], by_month[day(findings["latest_full_month"])], 2)
