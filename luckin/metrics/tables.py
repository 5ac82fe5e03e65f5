"""The metric tables: the most used metrics, materialised as marts (mtr_*) for tools that cannot
speak MetricFlow (a BI tool's SQL editor, Superset's datasets, report 00's analyses).

Each table is one MetricFlow query (metrics by group-by names); `luckin metrics generate` writes
its dbt model from MetricFlow's SQL (luckin/metrics/generate.py). A column is either a group-by
item of the query or a metric; a ratio metric is stored rounded by the project's exact
`divide_rounded` from its numerator and denominator, as MetricFlow computes them at the table's
grain. Descriptions of metric columns are the metrics' own (models/marts/semantic/).

To add a table: add a `MetricTable` below, run `luckin metrics generate`, commit the model and
its properties, and `luckin build`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # the table's column
    source: str  # a metric name, or a group-by name of the query (metric_time__month, store, ...)
    data_type: str
    description: str = ""  # for group-by columns; metric columns take the metric's description
    scale: int | None = None  # ratio metrics: decimals kept (divide_rounded)

    @property
    def is_group_by(self) -> bool:
        return "__" in self.source or self.source in ENTITY_KEYS


# Entities used as group-by items: the id column each becomes.
ENTITY_KEYS = {"store", "campaign", "product"}

MONTH = Column("metric_month", "metric_time__month", "date",
               "The New York month (first day) the figures cover.")
STORE = Column("store_id", "store", "bigint", "The store (dim_stores).")
STORE_NAME = Column("store_name", "store__store_name", "text", "Store name.")


@dataclass(frozen=True)
class MetricTable:
    name: str
    description: str
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...]
    where: tuple[str, ...] = ()  # MetricFlow filters, e.g. "{{ Entity('campaign') }} is not null"

    @property
    def group_by(self) -> list[str]:
        return [c.source for c in self.columns if c.is_group_by]

    @property
    def metrics(self) -> list[str]:
        return [c.source for c in self.columns if not c.is_group_by]


TABLES: tuple[MetricTable, ...] = (
    MetricTable(
        "mtr_orders_monthly",
        "The order metrics per New York month: completed orders, revenue, AOV, run rate, new and active "
        "customers, coupon share and discount rate (report 00's KPI tiles and key metrics).",
        (
            Column("completed_orders", "completed_orders", "bigint"),
            Column("new_customers", "new_customers", "bigint"),
            Column("active_customers", "active_customers", "bigint"),
            Column("coupon_orders", "coupon_orders", "bigint"),
            Column("trading_days", "trading_days", "bigint"),
            Column("revenue_usd", "revenue", "numeric(14,2)"),
            Column("gross_sales_usd", "gross_sales", "numeric(14,2)"),
            Column("discounts_usd", "discounts", "numeric(14,2)"),
            Column("avg_order_value_usd", "average_order_value", "numeric(12,4)", scale=4),
            Column("revenue_run_rate_usd", "revenue_run_rate", "numeric(16,2)"),
            Column("coupon_order_share", "coupon_order_share", "numeric(8,4)", scale=4),
            Column("discount_share", "discount_share", "numeric(8,4)", scale=4),
            MONTH,
        ),
        ("metric_month",),
    ),
    MetricTable(
        "mtr_orders_total",
        "The order metrics over every order in the warehouse, one row (report 00's key metrics).",
        (
            Column("completed_orders", "completed_orders", "bigint"),
            Column("new_customers", "new_customers", "bigint"),
            Column("active_customers", "active_customers", "bigint"),
            Column("revenue_usd", "revenue", "numeric(14,2)"),
            Column("avg_order_value_usd", "average_order_value", "numeric(12,4)", scale=4),
        ),
        ("completed_orders",),
    ),
    MetricTable(
        "mtr_store_channel_monthly",
        "Completed orders, revenue and AOV per New York month, store and channel.",
        (
            STORE,
            STORE_NAME,
            Column("order_channel", "order__order_channel", "text", "pickup or delivery."),
            Column("completed_orders", "completed_orders", "bigint"),
            Column("revenue_usd", "revenue", "numeric(14,2)"),
            Column("avg_order_value_usd", "average_order_value", "numeric(12,4)", scale=4),
            MONTH,
        ),
        ("store_id", "order_channel", "metric_month"),
    ),
    MetricTable(
        "mtr_production_monthly",
        "Orders produced and mean production time per New York month they entered the make queue.",
        (
            Column("orders_produced", "orders_produced", "bigint"),
            Column("mean_production_seconds", "mean_production_seconds", "numeric(12,2)", scale=2),
            MONTH,
        ),
        ("metric_month",),
    ),
    MetricTable(
        "mtr_device_fleet",
        "IoT devices per device type in the latest snapshot: devices, offline devices, offline share.",
        (
            Column("device_type", "device__device_type", "text", "Device type."),
            Column("devices", "devices", "bigint"),
            Column("offline_devices", "offline_devices", "bigint"),
            Column("offline_device_share", "offline_device_share", "numeric(8,4)", scale=4),
        ),
        ("device_type",),
    ),
    MetricTable(
        "mtr_coupons_monthly",
        "Coupons issued and redeemed, redemption rate and discount cost per New York month of issue.",
        (
            Column("coupons_issued", "coupons_issued", "bigint"),
            Column("coupons_redeemed", "coupons_redeemed", "bigint"),
            Column("coupon_discount_cost_usd", "coupon_discount_cost", "numeric(14,2)"),
            Column("coupon_redemption_rate", "coupon_redemption_rate", "numeric(8,4)", scale=4),
            MONTH,
        ),
        ("metric_month",),
    ),
    MetricTable(
        "mtr_category_monthly",
        "Product revenue and units sold per menu category and New York month.",
        (
            Column("category_name", "product__category_name", "text", "Menu category."),
            Column("units_sold", "units_sold", "bigint"),
            Column("product_revenue_usd", "product_revenue", "numeric(14,2)"),
            MONTH,
        ),
        ("category_name", "metric_month"),
    ),
    MetricTable(
        "mtr_cohort_retention",
        "Retention per cohort (New York month of the first completed order) and month since.",
        (
            Column("months_since_first_order", "cohort_activity__months_since_first_order", "integer",
                   "Months between the cohort month and the activity month."),
            Column("cohort_customers", "cohort_customers", "bigint"),
            Column("retained_customers", "retained_customers", "bigint"),
            Column("retention_rate", "retention_rate", "numeric(8,4)", scale=4),
            Column("cohort_month", "cohort_activity__cohort_month__month", "date",
                   "The cohort: New York month of the customers' first completed order."),
        ),
        ("cohort_month", "months_since_first_order"),
    ),
    MetricTable(
        "mtr_campaign_cac",
        "Customer acquisition cost per campaign: total cost, acquisition cost, customers acquired, CAC.",
        (
            Column("campaign_id", "campaign", "bigint", "The campaign (dim_campaigns)."),
            Column("campaign_name", "campaign__campaign_name", "text", "Campaign name."),
            Column("campaign_type", "campaign__campaign_type", "text", "Campaign type."),
            Column("campaign_new_customers", "campaign_new_customers", "bigint"),
            Column("campaign_cost_usd", "campaign_cost", "numeric(14,2)"),
            Column("acquisition_cost_usd", "acquisition_cost", "numeric(14,2)"),
            Column("cac_usd", "customer_acquisition_cost", "numeric(12,2)", scale=2),
        ),
        ("campaign_id",),
        # Coupons of no campaign have no acquisition cost to share.
        ("{{ Entity('campaign') }} is not null",),
    ),
)
