"""The great-expectations suites that guard the warehouse, kept as code.

Each suite validates one batch: the rows of a query over the warehouse (cross-database SQL, the
same text on DuckDB and Postgres). On DuckDB the runner reads the query into a pandas frame and
validates it with great-expectations' pandas data source (its SQL data source fails on DuckDB:
every metric raises IndexError inside the SQL execution engine through duckdb_engine); on
Postgres it hands the same query to great-expectations' SQL data source as a query asset.

Every expectation carries `meta.severity`: `critical` (a failure stops `luckin demo` from
publishing reports and makes `luckin validate` exit non-zero) or `warning` (shown in report 07).

Raw load suites check what dlt landed against luckin_audit.load_audit and the source's code
lists; mart suites check keys, money, decoded statuses, the stores' opening periods, device
snapshot freshness and the reconciliation of fct_orders with fct_store_daily_revenue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import great_expectations.expectations as gxe

CRITICAL = "critical"
WARNING = "warning"

ORDER_STATUSES = ["created", "paid", "making", "ready", "completed", "cancelled", "refunded"]
ORDER_STATUS_CODES = [10, 20, 30, 40, 50, 60, 70]  # t_order.status, see t_dict_order_status
ORDER_CHANNEL_CODES = [1, 2]  # t_order.channel: 1 pickup, 2 delivery
PAYMENT_STATUS_CODES = [1, 2, 3, 4]  # t_payment.status: pending, succeeded, failed, refunded
COUPON_STATUSES = ["unused", "used", "expired"]
CONNECTIVITY = ["online", "offline", "error"]
STORE_STATUSES = ["preparing", "open", "paused", "closed"]
REGISTRATION_CHANNELS = ["popup_event", "app_store", "social_ad", "referral", "in_store_qr", "partner_promo"]
RFM_SEGMENTS = ["champions", "new", "loyal", "promising", "at_risk", "hibernating", "needs_attention",
                "never_ordered"]
LOAD_STATUSES_OK = ["loaded", "unchanged"]

# Freshness: the latest device snapshot must come from the latest extract run (within the
# window the dbt sources allow before an error), and should be no older than a day's run.
SNAPSHOT_MAX_HOURS_BEHIND_EXTRACT = 50
SNAPSHOT_WARN_HOURS_OLD = 26
# Known dirty rows (DirtyRates in the simulator): flag when they grow well past their rates.
MAX_DUPLICATE_COUPON_RATE = 0.01
MAX_ORPHAN_LINE_RATE = 0.005
REVENUE_TOLERANCE_USD = 0.005


def expect(expectation_cls, severity: str, note: str, **kwargs):
    """An expectation with its severity and a sentence saying why it matters."""
    return expectation_cls(**kwargs, meta={"severity": severity, "note": note})


@dataclass
class SuiteSpec:
    name: str  # "<layer>.<subject>", e.g. marts.fct_orders
    layer: str  # raw | marts
    description: str
    sql: str
    expectations: list = field(default_factory=list)
    skip_reason: str = ""  # set when the relation it needs is not in the warehouse


def seconds_between(start: str, end: str) -> str:
    """Seconds from start to end (timestamps with time zone), the same text on DuckDB and Postgres."""
    return f"(extract(epoch from {end}) - extract(epoch from {start}))"


# --------------------------------------------------------------------------- raw load

def raw_row_counts_sql(audited: list[tuple[str, str]]) -> str:
    """Per audited table: the latest audit row and the rows actually in the landed table."""
    counts = "\n    union all\n".join(
        f"    select '{schema}' as source_schema, '{table}' as source_table, count(*) as rows_counted "
        f'from "{schema}"."{table}"' for schema, table in audited)
    if not counts:
        counts = ("    select cast(null as varchar) as source_schema, cast(null as varchar) as source_table, "
                  "cast(null as bigint) as rows_counted")
    return f"""
with audit as (
    select
        source_schema,
        source_table,
        status,
        strategy,
        rows_in_source,
        rows_in_warehouse,
        row_number() over (partition by source_schema, source_table order by started_at desc, run_id desc) as recency_rank
    from luckin_audit.load_audit
    where source_schema <> 'redis_snapshots'
),
counted as (
{counts}
)
select
    audit.source_schema,
    audit.source_table,
    audit.status,
    audit.strategy,
    audit.rows_in_source,
    audit.rows_in_warehouse,
    counted.rows_counted,
    -- name the table when a check fails, so the failure says which
    case
        when counted.rows_counted is null or counted.rows_counted <> audit.rows_in_warehouse
            then audit.source_schema || '.' || audit.source_table
    end as table_short_of_audit,
    case
        when audit.rows_in_warehouse <> audit.rows_in_source
            then audit.source_schema || '.' || audit.source_table
    end as table_unlike_source
from audit
left join counted
    on audit.source_schema = counted.source_schema and audit.source_table = counted.source_table
where audit.recency_rank = 1
"""


def raw_keys_sql(keyed: list[tuple[str, str]]) -> str:
    """Per landed table with an `id` primary key: rows and distinct ids."""
    parts = [f"    select '{schema}.{table}' as source_table_id, count(*) as row_count, count(distinct id) as distinct_ids "
             f'from "{schema}"."{table}"' for schema, table in keyed]
    if not parts:
        parts = ["    select cast(null as varchar) as source_table_id, cast(null as bigint) as row_count, "
                 "cast(null as bigint) as distinct_ids"]
    union = "\n    union all\n".join(parts)
    # duplicated_table names the table when it holds an id twice, so the failure says which
    return f"""
with keyed as (
{union}
)
select
    source_table_id,
    row_count,
    distinct_ids,
    case when row_count <> distinct_ids then source_table_id end as duplicated_table
from keyed
"""


def raw_suites(audited: list[tuple[str, str]], keyed: list[tuple[str, str]] | None = None) -> list[SuiteSpec]:
    load = SuiteSpec(
        "raw.load_audit", "raw",
        "Every table of the latest extract holds the rows luckin_audit.load_audit says were landed, "
        "and as many as the source had when it was read.",
        raw_row_counts_sql(audited),
        [
            expect(gxe.ExpectTableRowCountToBeBetween, CRITICAL, "the load audit records the extract",
                   min_value=1),
            expect(gxe.ExpectColumnValuesToNotBeNull, CRITICAL, "every audited table exists in the warehouse",
                   column="rows_counted"),
            expect(gxe.ExpectColumnValuesToBeNull, CRITICAL,
                   "rows in the landed table = rows the audit recorded after the load",
                   column="table_short_of_audit"),
            expect(gxe.ExpectColumnValuesToBeNull, WARNING,
                   "the warehouse copy is complete: rows landed = rows in the source when read",
                   column="table_unlike_source"),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "no table's last load failed",
                   column="status", value_set=LOAD_STATUSES_OK),
        ])
    orders = SuiteSpec(
        "raw.luckyus_sales_order.t_order", "raw",
        "Landed orders: status and channel codes within the source's code lists, no negative money.",
        """
select id, status, channel, total_amount, discount_amount, pay_amount, create_time
from luckyus_sales_order.t_order
""",
        [
            expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, "order ids are unique after merge loads",
                   column="id"),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "status is a code of t_dict_order_status",
                   column="status", value_set=ORDER_STATUS_CODES),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "channel is 1 pickup or 2 delivery",
                   column="channel", value_set=ORDER_CHANNEL_CODES),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative paid amount", column="pay_amount",
                   min_value=0),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative discount",
                   column="discount_amount", min_value=0),
            expect(gxe.ExpectColumnValuesToNotBeNull, CRITICAL, "every order has a creation time",
                   column="create_time"),
        ])
    payments = SuiteSpec(
        "raw.luckyus_sales_payment.t_payment", "raw",
        "Landed payments: no negative amounts, statuses within the code list.",
        "select id, amount, status from luckyus_sales_payment.t_payment",
        [
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative paid amount", column="amount",
                   min_value=0),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "status is 1 pending, 2 succeeded, 3 failed, 4 refunded",
                   column="status", value_set=PAYMENT_STATUS_CODES),
        ])
    keys = SuiteSpec(
        "raw.primary_keys", "raw",
        "No landed table holds a primary key twice (merge and replace loads must not duplicate rows).",
        raw_keys_sql(keyed or []),
        [
            expect(gxe.ExpectColumnValuesToBeNull, CRITICAL, "every id landed once (rows = distinct ids)",
                   column="duplicated_table"),
        ])
    return [load, keys, orders, payments]


# --------------------------------------------------------------------------- marts

def mart_suites() -> list[SuiteSpec]:
    orders = SuiteSpec(
        "marts.fct_orders", "marts",
        "Orders: keys, money, decoded statuses, and every order inside its store's opening period "
        "(from the opening date to the latest extract).",
        f"""
with orders as (
    select * from marts.fct_orders
),
stores as (
    select * from marts.dim_stores
),
latest_extract as (
    select max(last_loaded_at) as latest_extract_at from marts.fct_source_tables
)
select
    orders.order_id,
    orders.store_id,
    orders.order_status,
    orders.order_channel,
    orders.gross_amount_usd,
    orders.discount_amount_usd,
    orders.paid_amount_usd,
    orders.revenue_usd,
    orders.production_seconds,
    orders.order_date,
    orders.ordered_at,
    stores.opened_date as store_opened_date,
    latest_extract.latest_extract_at
from orders
left join stores on orders.store_id = stores.store_id
cross join latest_extract
""",
        [
            expect(gxe.ExpectTableRowCountToBeBetween, CRITICAL, "the orders mart is not empty", min_value=1),
            expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, "one row per order", column="order_id"),
            expect(gxe.ExpectColumnValuesToNotBeNull, CRITICAL, "every order has an id", column="order_id"),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative paid amount",
                   column="paid_amount_usd", min_value=0),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative revenue", column="revenue_usd",
                   min_value=0),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative discount",
                   column="discount_amount_usd", min_value=0),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "status within the decoded set",
                   column="order_status", value_set=ORDER_STATUSES),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "channel decoded", column="order_channel",
                   value_set=["pickup", "delivery"]),
            expect(gxe.ExpectColumnValuesToNotBeNull, CRITICAL, "every order's store is a known store",
                   column="store_opened_date"),
            expect(gxe.ExpectColumnPairValuesAToBeGreaterThanB, CRITICAL,
                   "no order before its store opened (New York dates)",
                   column_A="order_date", column_B="store_opened_date", or_equal=True),
            expect(gxe.ExpectColumnPairValuesAToBeGreaterThanB, CRITICAL,
                   "no order after the latest extract (timestamps in the future)",
                   column_A="latest_extract_at", column_B="ordered_at", or_equal=True),
            expect(gxe.ExpectColumnValuesToBeBetween, WARNING, "production times are positive and under an hour",
                   column="production_seconds", min_value=0, max_value=3600, mostly=0.999),
        ])
    reconciliation = SuiteSpec(
        "marts.revenue_reconciliation", "marts",
        "fct_store_daily_revenue adds up to fct_orders for every store and New York month: revenue and "
        "completed orders.",
        f"""
with orders as (
    select
        store_id,
        order_month as revenue_month,
        sum(revenue_usd) as revenue_usd,
        sum(case when is_revenue then 1 else 0 end) as completed_orders
    from marts.fct_orders
    group by store_id, order_month
),
daily as (
    select
        store_id,
        revenue_month,
        sum(revenue_usd) as revenue_usd,
        sum(completed_orders) as completed_orders
    from marts.fct_store_daily_revenue
    group by store_id, revenue_month
)
select
    coalesce(orders.store_id, daily.store_id) as store_id,
    coalesce(orders.revenue_month, daily.revenue_month) as revenue_month,
    coalesce(orders.revenue_usd, 0) as orders_revenue_usd,
    coalesce(daily.revenue_usd, 0) as daily_revenue_usd,
    abs(coalesce(orders.revenue_usd, 0) - coalesce(daily.revenue_usd, 0)) as revenue_difference_usd,
    coalesce(orders.completed_orders, 0) as orders_completed_orders,
    coalesce(daily.completed_orders, 0) as daily_completed_orders
from orders
full outer join daily
    on orders.store_id = daily.store_id and orders.revenue_month = daily.revenue_month
""",
        [
            expect(gxe.ExpectTableRowCountToBeBetween, CRITICAL, "there is revenue to reconcile", min_value=1),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL,
                   "daily revenue = order revenue for every store and month (to the cent)",
                   column="revenue_difference_usd", max_value=REVENUE_TOLERANCE_USD),
            expect(gxe.ExpectColumnPairValuesToBeEqual, CRITICAL,
                   "daily completed orders = completed orders for every store and month",
                   column_A="orders_completed_orders", column_B="daily_completed_orders"),
        ])
    daily = SuiteSpec(
        "marts.fct_store_daily_revenue", "marts", "Store-days: one row each, no negative figures.",
        "select store_id, revenue_date, completed_orders, revenue_usd, avg_order_value_usd "
        "from marts.fct_store_daily_revenue",
        [
            expect(gxe.ExpectCompoundColumnsToBeUnique, CRITICAL, "one row per store and day",
                   column_list=["store_id", "revenue_date"]),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative revenue", column="revenue_usd",
                   min_value=0),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative order counts",
                   column="completed_orders", min_value=0),
            expect(gxe.ExpectColumnValuesToBeBetween, WARNING, "a store-day's AOV stays within $1-40",
                   column="avg_order_value_usd", min_value=1, max_value=40, mostly=0.99),
        ])
    items = SuiteSpec(
        "marts.fct_order_items", "marts", "Order lines: no negative money; orphan lines stay rare.",
        "select order_item_id, paid_amount_usd, quantity, case when has_order then 0 else 1 end as is_orphan "
        "from marts.fct_order_items",
        [
            expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, "one row per order line", column="order_item_id"),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative paid amount",
                   column="paid_amount_usd", min_value=0),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "quantities are positive", column="quantity",
                   min_value=1),
            expect(gxe.ExpectColumnMeanToBeBetween, WARNING,
                   "orphan lines (order hard-deleted in the source) stay below 0.5%",
                   column="is_orphan", max_value=MAX_ORPHAN_LINE_RATE),
        ])
    devices = SuiteSpec(
        "marts.fct_iot_device_snapshots", "marts",
        "Device snapshots: the latest is fresh (from the latest extract run, and less than a day old), "
        "connectivity within the classified set, one row per device in it.",
        f"""
with snapshots as (
    select * from marts.fct_iot_device_snapshots
),
latest as (
    select max(snapshot_at) as latest_snapshot_at from snapshots
),
latest_extract as (
    select max(last_loaded_at) as latest_extract_at from marts.fct_source_tables
)
select
    snapshots.device_id,
    snapshots.connectivity_status,
    snapshots.heartbeat_age_seconds,
    snapshots.snapshot_at,
    {seconds_between('latest.latest_snapshot_at', 'latest_extract.latest_extract_at')} / 3600.0
        as snapshot_hours_behind_extract,
    {seconds_between('latest.latest_snapshot_at', 'current_timestamp')} / 3600.0 as snapshot_age_hours
from snapshots
cross join latest
cross join latest_extract
where snapshots.snapshot_at = latest.latest_snapshot_at
""",
        [
            expect(gxe.ExpectTableRowCountToBeBetween, CRITICAL, "the latest snapshot saw the fleet", min_value=1),
            expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, "one row per device in a snapshot",
                   column="device_id"),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "connectivity within online/offline/error",
                   column="connectivity_status", value_set=CONNECTIVITY),
            expect(gxe.ExpectColumnMaxToBeBetween, CRITICAL,
                   f"the latest device snapshot is at most {SNAPSHOT_MAX_HOURS_BEHIND_EXTRACT} h older than the "
                   "latest extract run",
                   column="snapshot_hours_behind_extract", min_value=-1, max_value=SNAPSHOT_MAX_HOURS_BEHIND_EXTRACT),
            expect(gxe.ExpectColumnMaxToBeBetween, WARNING,
                   f"the latest device snapshot is less than {SNAPSHOT_WARN_HOURS_OLD} h old",
                   column="snapshot_age_hours", max_value=SNAPSHOT_WARN_HOURS_OLD),
            expect(gxe.ExpectColumnValuesToBeBetween, WARNING, "heartbeats are not from the future (clock skew)",
                   column="heartbeat_age_seconds", min_value=-60, mostly=0.99),
        ])
    coupons = SuiteSpec(
        "marts.fct_coupons", "marts", "Coupons: statuses decoded, costs not negative, duplicate issues rare.",
        "select coupon_id, coupon_status, discount_cost_usd, case when is_duplicate_issue then 1 else 0 end "
        "as is_duplicate from marts.fct_coupons",
        [
            expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, "one row per coupon", column="coupon_id"),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "status within unused/used/expired",
                   column="coupon_status", value_set=COUPON_STATUSES),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative discount cost",
                   column="discount_cost_usd", min_value=0),
            expect(gxe.ExpectColumnMeanToBeBetween, WARNING, "duplicate coupon issues stay below 1%",
                   column="is_duplicate", max_value=MAX_DUPLICATE_COUPON_RATE),
        ])
    customers = SuiteSpec(
        "marts.dim_customers", "marts", "Customers: keys, decoded channels and segments, CLV consistent.",
        "select customer_id, registration_channel, rfm_segment, historical_clv_usd, predicted_clv_usd, "
        "revenue_usd from marts.dim_customers",
        [
            expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, "one row per customer", column="customer_id"),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "registration channel decoded",
                   column="registration_channel", value_set=REGISTRATION_CHANNELS),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "RFM segment within the documented set",
                   column="rfm_segment", value_set=RFM_SEGMENTS),
            expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "no negative customer revenue",
                   column="revenue_usd", min_value=0),
            expect(gxe.ExpectColumnPairValuesAToBeGreaterThanB, WARNING, "predicted CLV >= historical CLV",
                   column_A="predicted_clv_usd", column_B="historical_clv_usd", or_equal=True),
        ])
    stores = SuiteSpec(
        "marts.dim_stores", "marts", "Stores: decoded statuses, open stores have an opening date.",
        "select store_id, store_status, opened_date, case when is_open then 1 else 0 end as is_open "
        "from marts.dim_stores",
        [
            expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, "one row per store", column="store_id"),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "status within preparing/open/paused/closed",
                   column="store_status", value_set=STORE_STATUSES),
            expect(gxe.ExpectColumnSumToBeBetween, CRITICAL, "at least one store is open", column="is_open",
                   min_value=1),
        ])
    sources = SuiteSpec(
        "marts.fct_source_tables", "marts", "The load inventory: every landed table complete and loaded.",
        "select source_table_id, last_load_status, case when is_row_count_matching then 1 else 0 end "
        "as is_row_count_matching from marts.fct_source_tables where schema_family <> 'redis'",
        [
            expect(gxe.ExpectTableRowCountToBeBetween, CRITICAL, "the inventory lists the landed tables",
                   min_value=1),
            expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, "no table's last load failed",
                   column="last_load_status", value_set=LOAD_STATUSES_OK),
            expect(gxe.ExpectColumnValuesToBeInSet, WARNING, "warehouse row counts match the source",
                   column="is_row_count_matching", value_set=[1]),
        ])
    redis = SuiteSpec(
        "marts.fct_redis_instances", "marts",
        "Redis instances in the latest snapshot: memory below the alert ratio (a warning when not).",
        """
select redis_instance, memory_used_ratio
from marts.fct_redis_instances
where snapshot_at = (select max(latest.snapshot_at) from marts.fct_redis_instances as latest)
""",
        [
            expect(gxe.ExpectTableRowCountToBeBetween, CRITICAL, "the snapshot saw the Redis instances",
                   min_value=1),
            expect(gxe.ExpectColumnValuesToBeBetween, WARNING,
                   "every instance below 85% of its maxmemory (the memory alert)",
                   column="memory_used_ratio", max_value=0.85),
        ])
    return [orders, reconciliation, daily, items, devices, coupons, customers, stores, sources, redis]
