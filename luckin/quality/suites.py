"""The great-expectations suites that guard the warehouse, kept as code.

Each suite validates one batch: the rows of a query over the warehouse (cross-database SQL, the
same text on DuckDB and Postgres). The runner reads the query into a pandas frame and validates
it with great-expectations' pandas data source, on both targets (its SQL data source fails on
DuckDB: every metric raises IndexError inside the SQL execution engine through duckdb_engine;
on Postgres it re-ran the suite's query for every metric).

Every expectation carries a great-expectations `severity`: `critical` (a failure stops `luckin
demo` from publishing reports and makes `luckin validate` exit non-zero) or `warning` (shown in
report 07).

Raw load suites check what dlt landed against luckin_audit.load_audit and the source's code
lists; mart suites check keys, money, decoded statuses, the stores' opening periods, device
snapshot freshness and the reconciliation of fct_orders with fct_store_daily_revenue.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

with warnings.catch_warnings():
    # great-expectations probes pyspark (installed for the Spark target) on import, and pyspark
    # warns that it does not support pandas 3 yet: a warning about Spark, printed on every
    # `luckin validate` and `publish`, whatever the target. Nothing here runs pyspark.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    import great_expectations.expectations as gxe

CRITICAL = "critical"
WARNING = "warning"

ORDER_STATUSES = ["created", "paid", "making", "ready", "completed", "cancelled", "refunded"]
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
    """An expectation with its severity (great-expectations' own field) and a sentence saying
    why it matters."""
    return expectation_cls(**kwargs, severity=severity, meta={"note": note})


# The expectations the suites use, by short names for the rows of `expectations()`.
ROW_COUNT = gxe.ExpectTableRowCountToBeBetween
UNIQUE = gxe.ExpectColumnValuesToBeUnique
COMPOUND_UNIQUE = gxe.ExpectCompoundColumnsToBeUnique
NOT_NULL = gxe.ExpectColumnValuesToNotBeNull
IS_NULL = gxe.ExpectColumnValuesToBeNull
IN_SET = gxe.ExpectColumnValuesToBeInSet
BETWEEN = gxe.ExpectColumnValuesToBeBetween
MEAN_BETWEEN = gxe.ExpectColumnMeanToBeBetween
MAX_BETWEEN = gxe.ExpectColumnMaxToBeBetween
SUM_BETWEEN = gxe.ExpectColumnSumToBeBetween
PAIR_A_AT_LEAST_B = gxe.ExpectColumnPairValuesAToBeGreaterThanB
PAIR_EQUAL = gxe.ExpectColumnPairValuesToBeEqual


def expectations(*rows: tuple) -> list:
    """A suite's expectations from rows of (expectation, severity, column, note[, options]).

    column: a column name; a (column_A, column_B) tuple for the column-pair expectations; a list
    of columns for the compound ones; None for the table-level ones. options: the expectation's
    other arguments (value_set, min_value, max_value, mostly, or_equal).
    """
    built = []
    for expectation_cls, severity, column, note, *options in rows:
        if column is None:
            columns = {}
        elif isinstance(column, tuple):
            columns = {"column_A": column[0], "column_B": column[1]}
        elif isinstance(column, list):
            columns = {"column_list": column}
        else:
            columns = {"column": column}
        built.append(expect(expectation_cls, severity, note, **columns, **(options[0] if options else {})))
    return built


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
        # live rows: a row deleted in the source stays in raw, marked _luckin_deleted_at
        f"    select '{schema}' as source_schema, '{table}' as source_table, "
        f"count(*) - count(_luckin_deleted_at) as rows_counted "
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
        expectations(
            (ROW_COUNT, CRITICAL, None, "the load audit records the extract", {"min_value": 1}),
            (NOT_NULL, CRITICAL, "rows_counted", "every audited table exists in the warehouse"),
            (IS_NULL, CRITICAL, "table_short_of_audit",
             "rows in the landed table = rows the audit recorded after the load"),
            (IS_NULL, WARNING, "table_unlike_source",
             "the warehouse copy is complete: rows landed = rows in the source when read"),
            (IN_SET, CRITICAL, "status", "no table's last load failed", {"value_set": LOAD_STATUSES_OK}),
        ))
    orders = SuiteSpec(
        "raw.luckyus_sales_order.t_order", "raw",
        "Landed orders: status and channel codes within the source's code lists, no negative money.",
        # the status codes are the source's own list (t_dict_order_status), read beside the orders
        """
select
    orders.id,
    orders.status,
    case when statuses.code is null then orders.status end as unknown_status,
    orders.channel,
    orders.total_amount,
    orders.discount_amount,
    orders.pay_amount,
    orders.create_time
from luckyus_sales_order.t_order as orders
left join luckyus_sales_order.t_dict_order_status as statuses on orders.status = statuses.code
""",
        expectations(
            (UNIQUE, CRITICAL, "id", "order ids are unique after merge loads"),
            (IS_NULL, CRITICAL, "unknown_status", "status is a code of t_dict_order_status"),
            (IN_SET, CRITICAL, "channel", "channel is 1 pickup or 2 delivery", {"value_set": ORDER_CHANNEL_CODES}),
            (BETWEEN, CRITICAL, "pay_amount", "no negative paid amount", {"min_value": 0}),
            (BETWEEN, CRITICAL, "discount_amount", "no negative discount", {"min_value": 0}),
            (NOT_NULL, CRITICAL, "create_time", "every order has a creation time"),
        ))
    payments = SuiteSpec(
        "raw.luckyus_sales_payment.t_payment", "raw",
        "Landed payments: no negative amounts, statuses within the code list.",
        "select id, amount, status from luckyus_sales_payment.t_payment",
        expectations(
            (BETWEEN, CRITICAL, "amount", "no negative paid amount", {"min_value": 0}),
            (IN_SET, CRITICAL, "status", "status is 1 pending, 2 succeeded, 3 failed, 4 refunded",
             {"value_set": PAYMENT_STATUS_CODES}),
        ))
    keys = SuiteSpec(
        "raw.primary_keys", "raw",
        "No landed table holds a primary key twice (merge and replace loads must not duplicate rows).",
        raw_keys_sql(keyed or []),
        expectations(
            (IS_NULL, CRITICAL, "duplicated_table", "every id landed once (rows = distinct ids)"),
        ))
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
        expectations(
            (ROW_COUNT, CRITICAL, None, "the orders mart is not empty", {"min_value": 1}),
            (UNIQUE, CRITICAL, "order_id", "one row per order"),
            (NOT_NULL, CRITICAL, "order_id", "every order has an id"),
            (BETWEEN, CRITICAL, "paid_amount_usd", "no negative paid amount", {"min_value": 0}),
            (BETWEEN, CRITICAL, "revenue_usd", "no negative revenue", {"min_value": 0}),
            (BETWEEN, CRITICAL, "discount_amount_usd", "no negative discount", {"min_value": 0}),
            (IN_SET, CRITICAL, "order_status", "status within the decoded set", {"value_set": ORDER_STATUSES}),
            (IN_SET, CRITICAL, "order_channel", "channel decoded", {"value_set": ["pickup", "delivery"]}),
            (NOT_NULL, CRITICAL, "store_opened_date", "every order's store is a known store"),
            (PAIR_A_AT_LEAST_B, CRITICAL, ("order_date", "store_opened_date"),
             "no order before its store opened (New York dates)", {"or_equal": True}),
            (PAIR_A_AT_LEAST_B, CRITICAL, ("latest_extract_at", "ordered_at"),
             "no order after the latest extract (timestamps in the future)", {"or_equal": True}),
            (BETWEEN, WARNING, "production_seconds", "production times are positive and under an hour",
             {"min_value": 0, "max_value": 3600, "mostly": 0.999}),
        ))
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
        expectations(
            (ROW_COUNT, CRITICAL, None, "there is revenue to reconcile", {"min_value": 1}),
            (BETWEEN, CRITICAL, "revenue_difference_usd",
             "daily revenue = order revenue for every store and month (to the cent)",
             {"max_value": REVENUE_TOLERANCE_USD}),
            (PAIR_EQUAL, CRITICAL, ("orders_completed_orders", "daily_completed_orders"),
             "daily completed orders = completed orders for every store and month"),
        ))
    daily = SuiteSpec(
        "marts.fct_store_daily_revenue", "marts", "Store-days: one row each, no negative figures.",
        "select store_id, revenue_date, completed_orders, revenue_usd, avg_order_value_usd "
        "from marts.fct_store_daily_revenue",
        expectations(
            (COMPOUND_UNIQUE, CRITICAL, ["store_id", "revenue_date"], "one row per store and day"),
            (BETWEEN, CRITICAL, "revenue_usd", "no negative revenue", {"min_value": 0}),
            (BETWEEN, CRITICAL, "completed_orders", "no negative order counts", {"min_value": 0}),
            (BETWEEN, WARNING, "avg_order_value_usd", "a store-day's AOV stays within $1-40",
             {"min_value": 1, "max_value": 40, "mostly": 0.99}),
        ))
    items = SuiteSpec(
        "marts.fct_order_items", "marts", "Order lines: no negative money; orphan lines stay rare.",
        "select order_item_id, paid_amount_usd, quantity, case when has_order then 0 else 1 end as is_orphan "
        "from marts.fct_order_items",
        expectations(
            (UNIQUE, CRITICAL, "order_item_id", "one row per order line"),
            (BETWEEN, CRITICAL, "paid_amount_usd", "no negative paid amount", {"min_value": 0}),
            (BETWEEN, CRITICAL, "quantity", "quantities are positive", {"min_value": 1}),
            (MEAN_BETWEEN, WARNING, "is_orphan", "orphan lines (order hard-deleted in the source) stay below 0.5%",
             {"max_value": MAX_ORPHAN_LINE_RATE}),
        ))
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
        expectations(
            (ROW_COUNT, CRITICAL, None, "the latest snapshot saw the fleet", {"min_value": 1}),
            (UNIQUE, CRITICAL, "device_id", "one row per device in a snapshot"),
            (IN_SET, CRITICAL, "connectivity_status", "connectivity within online/offline/error",
             {"value_set": CONNECTIVITY}),
            (MAX_BETWEEN, CRITICAL, "snapshot_hours_behind_extract",
             f"the latest device snapshot is at most {SNAPSHOT_MAX_HOURS_BEHIND_EXTRACT} h older than the "
             "latest extract run",
             {"min_value": -1, "max_value": SNAPSHOT_MAX_HOURS_BEHIND_EXTRACT}),
            (MAX_BETWEEN, WARNING, "snapshot_age_hours",
             f"the latest device snapshot is less than {SNAPSHOT_WARN_HOURS_OLD} h old",
             {"max_value": SNAPSHOT_WARN_HOURS_OLD}),
            (BETWEEN, WARNING, "heartbeat_age_seconds", "heartbeats are not from the future (clock skew)",
             {"min_value": -60, "mostly": 0.99}),
        ))
    coupons = SuiteSpec(
        "marts.fct_coupons", "marts", "Coupons: statuses decoded, costs not negative, duplicate issues rare.",
        "select coupon_id, coupon_status, discount_cost_usd, case when is_duplicate_issue then 1 else 0 end "
        "as is_duplicate from marts.fct_coupons",
        expectations(
            (UNIQUE, CRITICAL, "coupon_id", "one row per coupon"),
            (IN_SET, CRITICAL, "coupon_status", "status within unused/used/expired", {"value_set": COUPON_STATUSES}),
            (BETWEEN, CRITICAL, "discount_cost_usd", "no negative discount cost", {"min_value": 0}),
            (MEAN_BETWEEN, WARNING, "is_duplicate", "duplicate coupon issues stay below 1%",
             {"max_value": MAX_DUPLICATE_COUPON_RATE}),
        ))
    # Predicted CLV >= historical CLV held by construction (historical plus a non-negative
    # term), so it could never fail; what can go wrong is the base every CLV figure stands on:
    # a customer's historical CLV must be exactly their completed-order revenue in fct_orders.
    customers = SuiteSpec(
        "marts.dim_customers", "marts",
        "Customers: keys, decoded channels and segments, historical CLV reconciled with fct_orders.",
        """
with customers as (
    select * from marts.dim_customers
),
order_revenue as (
    select
        customer_id,
        sum(revenue_usd) as orders_revenue_usd
    from marts.fct_orders
    where is_revenue
    group by customer_id
)
select
    customers.customer_id,
    customers.registration_channel,
    customers.rfm_segment,
    customers.historical_clv_usd,
    customers.predicted_clv_usd,
    customers.revenue_usd,
    coalesce(order_revenue.orders_revenue_usd, 0) as orders_revenue_usd
from customers
left join order_revenue on customers.customer_id = order_revenue.customer_id
""",
        expectations(
            (UNIQUE, CRITICAL, "customer_id", "one row per customer"),
            (IN_SET, CRITICAL, "registration_channel", "registration channel decoded",
             {"value_set": REGISTRATION_CHANNELS}),
            (IN_SET, CRITICAL, "rfm_segment", "RFM segment within the documented set", {"value_set": RFM_SEGMENTS}),
            (BETWEEN, CRITICAL, "revenue_usd", "no negative customer revenue", {"min_value": 0}),
            (PAIR_EQUAL, CRITICAL, ("historical_clv_usd", "orders_revenue_usd"),
             "historical CLV = the customer's completed-order revenue in fct_orders (to the cent)"),
        ))
    stores = SuiteSpec(
        "marts.dim_stores", "marts", "Stores: decoded statuses, open stores have an opening date.",
        "select store_id, store_status, opened_date, case when is_open then 1 else 0 end as is_open "
        "from marts.dim_stores",
        expectations(
            (UNIQUE, CRITICAL, "store_id", "one row per store"),
            (IN_SET, CRITICAL, "store_status", "status within preparing/open/paused/closed",
             {"value_set": STORE_STATUSES}),
            (SUM_BETWEEN, CRITICAL, "is_open", "at least one store is open", {"min_value": 1}),
        ))
    sources = SuiteSpec(
        "marts.fct_source_tables", "marts", "The load inventory: every landed table complete and loaded.",
        "select source_table_id, last_load_status, case when is_row_count_matching then 1 else 0 end "
        "as is_row_count_matching from marts.fct_source_tables where schema_family <> 'redis'",
        expectations(
            (ROW_COUNT, CRITICAL, None, "the inventory lists the landed tables", {"min_value": 1}),
            (IN_SET, CRITICAL, "last_load_status", "no table's last load failed", {"value_set": LOAD_STATUSES_OK}),
            (IN_SET, WARNING, "is_row_count_matching", "warehouse row counts match the source", {"value_set": [1]}),
        ))
    redis = SuiteSpec(
        "marts.fct_redis_instances", "marts",
        "Redis instances in the latest snapshot: memory below the alert ratio (a warning when not).",
        """
select redis_instance, memory_used_ratio
from marts.fct_redis_instances
where snapshot_at = (select max(latest.snapshot_at) from marts.fct_redis_instances as latest)
""",
        expectations(
            (ROW_COUNT, CRITICAL, None, "the snapshot saw the Redis instances", {"min_value": 1}),
            (BETWEEN, WARNING, "memory_used_ratio", "every instance below 85% of its maxmemory (the memory alert)",
             {"max_value": 0.85}),
        ))
    return [orders, reconciliation, daily, items, devices, coupons, customers, stores, sources, redis]
