-- Report 00, "Key Metrics at a Glance": the executive summary's headline figures, one row.
-- Revenue, orders and AOV count completed orders only (is_revenue). The first full month is
-- the first New York month that the data covers from its first day; the latest full month is
-- the last one it covers to its last day (the run-rate month). Database instances are the
-- landed MySQL schemas plus the Redis instances of the latest snapshot plus the PostgreSQL
-- servers, which are not a source of the warehouse: their count is the estate inventory's
-- (var estate_postgres_servers).
with

orders as (

    select * from {{ ref('fct_orders') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

devices as (

    select * from {{ ref('dim_iot_devices') }}

),

source_tables as (

    select * from {{ ref('fct_source_tables') }}

),

redis_instances as (

    select * from {{ ref('fct_redis_instances') }}

),

-- calendar and report_months, as in r00_critical_findings: macros/reporting/report_00_base_figures.sql
{{ report_00_base_figures('orders') }},

monthly as (

    select
        order_month,
        sum(case when is_revenue then 1 else 0 end) as completed_orders,
        sum(revenue_usd) as revenue_usd

    from orders
    group by order_month

),

order_totals as (

    select
        sum(completed_orders) as completed_orders,
        sum(revenue_usd) as revenue_usd

    from monthly

),

month_figures as (

    select
        max(case when monthly.order_month = report_months.first_full_month then monthly.completed_orders end)
            as first_month_orders,
        max(case when monthly.order_month = report_months.first_full_month then monthly.revenue_usd end)
            as first_month_revenue_usd,
        max(case when monthly.order_month = report_months.latest_full_month then monthly.completed_orders end)
            as latest_month_orders,
        max(case when monthly.order_month = report_months.latest_full_month then monthly.revenue_usd end)
            as latest_month_revenue_usd

    from monthly
    cross join report_months

),

store_totals as (

    select
        count(*) as stores_listed,
        sum(case when is_open then 1 else 0 end) as active_stores

    from stores

),

customer_totals as (

    select count(*) as registered_users
    from customers
    where not is_deleted

),

device_totals as (

    select count(*) as iot_devices
    from devices

),

mysql_totals as (

    select count(distinct source_schema) as mysql_schemas
    from source_tables
    where schema_family <> 'redis'

),

redis_totals as (

    select count(distinct redis_instance) as redis_instances
    from redis_instances
    where snapshot_at = (select max(latest.snapshot_at) as latest_snapshot_at from redis_instances as latest)

),

final as (

    select
        report_months.as_of_date,
        report_months.first_full_month,
        report_months.latest_full_month,
        order_totals.completed_orders,
        order_totals.revenue_usd,
        round(cast(order_totals.revenue_usd / nullif(order_totals.completed_orders, 0) as numeric(12, 4)), 4)
            as avg_order_value_usd,
        round(
            cast(month_figures.first_month_revenue_usd / nullif(month_figures.first_month_orders, 0) as numeric(12, 4)),
            4
        ) as first_full_month_aov_usd,
        round(
            cast(
                month_figures.latest_month_revenue_usd / nullif(month_figures.latest_month_orders, 0) as numeric(12, 4)
            ),
            4
        ) as latest_full_month_aov_usd,
        month_figures.latest_month_revenue_usd as run_rate_month_revenue_usd,
        month_figures.latest_month_revenue_usd * 12 as annualized_run_rate_usd,
        store_totals.active_stores,
        store_totals.stores_listed,
        customer_totals.registered_users,
        device_totals.iot_devices,
        mysql_totals.mysql_schemas,
        redis_totals.redis_instances,
        {{ var('estate_postgres_servers') }} as postgres_servers,
        mysql_totals.mysql_schemas + redis_totals.redis_instances + {{ var('estate_postgres_servers') }}
            as database_instances

    from report_months
    cross join order_totals
    cross join month_figures
    cross join store_totals
    cross join customer_totals
    cross join device_totals
    cross join mysql_totals
    cross join redis_totals

)

select * from final
