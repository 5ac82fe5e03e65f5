-- Report 00, "Key Metrics at a Glance": the executive summary's headline figures, one row.
-- Revenue, orders, AOV and the run rate come from the metric layer (mtr_orders_total,
-- mtr_orders_monthly): completed orders only (is_revenue). The first full month is
-- the first New York month that the data covers from its first day; the latest full month is
-- the last one it covers to its last day (the run-rate month). Database instances are the
-- landed MySQL schemas plus the Redis instances of the latest snapshot plus the PostgreSQL
-- servers, which are not a source of the warehouse: their count is the estate inventory's
-- (var estate_postgres_servers).
with

orders as (

    select * from {{ ref('fct_orders') }}

),

orders_total as (

    select * from {{ ref('mtr_orders_total') }}

),

orders_monthly as (

    select * from {{ ref('mtr_orders_monthly') }}

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

month_figures as (

    select
        max(
            case
                when orders_monthly.metric_month = report_months.first_full_month
                    then orders_monthly.avg_order_value_usd
            end
        ) as first_full_month_aov_usd,
        max(
            case
                when orders_monthly.metric_month = report_months.latest_full_month
                    then orders_monthly.avg_order_value_usd
            end
        ) as latest_full_month_aov_usd,
        max(
            case when orders_monthly.metric_month = report_months.latest_full_month then orders_monthly.revenue_usd end
        ) as run_rate_month_revenue_usd,
        max(
            case
                when orders_monthly.metric_month = report_months.latest_full_month
                    then orders_monthly.revenue_run_rate_usd
            end
        ) as annualized_run_rate_usd

    from orders_monthly
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
        orders_total.completed_orders,
        orders_total.revenue_usd,
        orders_total.avg_order_value_usd,
        month_figures.first_full_month_aov_usd,
        month_figures.latest_full_month_aov_usd,
        month_figures.run_rate_month_revenue_usd,
        month_figures.annualized_run_rate_usd,
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
    cross join orders_total
    cross join month_figures
    cross join store_totals
    cross join customer_totals
    cross join device_totals
    cross join mysql_totals
    cross join redis_totals

)

select * from final
