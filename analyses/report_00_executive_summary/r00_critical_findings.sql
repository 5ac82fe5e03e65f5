-- Report 00, "Critical Findings": the figures behind each finding of the executive summary,
-- one row. Tax and loyalty come from the load inventory (rows in the source schemas) and the
-- tax estimate; delivery against pickup AOV from completed orders; fleet health from each
-- device's state in the latest Redis snapshot; production time from the first and the latest
-- full New York month; the hero product is the product in the most completed orders.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

source_tables as (

    select * from {{ ref('fct_source_tables') }}

),

tax_estimate as (

    select * from {{ ref('fct_tax_liability_estimate') }}

),

device_fleet as (

    select * from {{ ref('mtr_device_fleet') }}

),

production_monthly as (

    select * from {{ ref('mtr_production_monthly') }}

),

product_sales as (

    select * from {{ ref('fct_product_daily_sales') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

redis_instances as (

    select * from {{ ref('fct_redis_instances') }}

),

-- calendar and report_months, as in r00_key_metrics: macros/reporting/report_00_base_figures.sql
{{ report_00_base_figures('orders') }},

-- The two schemas the findings name as empty: tax filings and the loyalty programme.
schema_inventory as (

    select
        count(case when source_schema = 'fi_tax' then 1 end) as fi_tax_tables,
        coalesce(sum(case when source_schema = 'fi_tax' then rows_in_source end), 0) as fi_tax_rows,
        count(case when source_schema = 'luckyus_member' then 1 end) as loyalty_tables,
        coalesce(sum(case when source_schema = 'luckyus_member' then rows_in_source end), 0) as loyalty_rows

    from source_tables
    where source_schema in ('fi_tax', 'luckyus_member')

),

tax_gap as (

    select
        sum(taxable_sales_usd) as taxable_sales_usd,
        sum(estimated_tax_usd) as estimated_tax_usd,
        sum(compliance_gap_usd) as tax_compliance_gap_usd

    from tax_estimate

),

customer_totals as (

    select
        count(*) as registered_users,
        sum(case when has_ordered then 1 else 0 end) as ordering_customers

    from customers
    where not is_deleted

),

channel_orders as (

    select
        sum(case when order_channel = 'delivery' then 1 else 0 end) as delivery_orders,
        sum(case when order_channel = 'pickup' then 1 else 0 end) as pickup_orders,
        avg(case when order_channel = 'delivery' then revenue_usd end) as delivery_aov_usd,
        avg(case when order_channel = 'pickup' then revenue_usd end) as pickup_aov_usd,
        stddev_samp(case when order_channel = 'delivery' then revenue_usd end) as delivery_revenue_stddev_usd

    from orders
    where is_revenue

),

fleet as (

    select
        sum(devices) as iot_devices,
        sum(offline_devices) as offline_devices,
        coalesce(sum(case when device_type = 'blender' then devices end), 0) as blenders,
        coalesce(sum(case when device_type = 'blender' then offline_devices end), 0) as offline_blenders

    from device_fleet

),

production_months as (

    select
        max(
            case
                when production_monthly.metric_month = report_months.first_full_month
                    then production_monthly.mean_production_seconds
            end
        ) as first_month_production_seconds,
        max(
            case
                when production_monthly.metric_month = report_months.latest_full_month
                    then production_monthly.mean_production_seconds
            end
        ) as latest_month_production_seconds

    from production_monthly
    cross join report_months

),

completed_orders as (

    select sum(case when is_revenue then 1 else 0 end) as completed_orders
    from orders

),

product_orders as (

    select
        product_id,
        sum(orders_with_product) as orders_with_product

    from product_sales
    group by product_id

),

ranked_products as (

    select
        products.product_name,
        product_orders.orders_with_product,
        row_number() over (order by product_orders.orders_with_product desc, products.product_id) as product_rank

    from product_orders
    inner join products on product_orders.product_id = products.product_id

),

hero as (

    select
        ranked_products.product_name as top_product_name,
        ranked_products.orders_with_product as top_product_orders

    from ranked_products
    where ranked_products.product_rank = 1

),

coconut_latte as (

    select sum(ranked_products.orders_with_product) as coconut_latte_orders
    from ranked_products
    where ranked_products.product_name = 'Iced Coconut Latte'

),

memory_alert as (

    select
        redis_instance as largest_redis_instance,
        memory_used_ratio as largest_redis_memory_ratio,
        is_memory_alert as is_largest_redis_memory_alert

    from redis_instances
    where snapshot_at = (select max(latest.snapshot_at) as latest_snapshot_at from redis_instances as latest)
    order by used_memory_bytes desc
    limit 1

),

final as (

    select
        schema_inventory.fi_tax_tables,
        schema_inventory.fi_tax_rows,
        tax_gap.taxable_sales_usd,
        tax_gap.estimated_tax_usd,
        tax_gap.tax_compliance_gap_usd,
        schema_inventory.loyalty_tables,
        schema_inventory.loyalty_rows,
        customer_totals.registered_users,
        customer_totals.ordering_customers,
        channel_orders.delivery_orders,
        channel_orders.pickup_orders,
        round(cast(channel_orders.delivery_aov_usd as numeric(12, 4)), 4) as delivery_aov_usd,
        round(cast(channel_orders.pickup_aov_usd as numeric(12, 4)), 4) as pickup_aov_usd,
        round(
            cast(
                channel_orders.delivery_revenue_stddev_usd / sqrt(nullif(channel_orders.delivery_orders, 0))
                as numeric(12, 4)
            ),
            4
        ) as delivery_aov_standard_error_usd,
        fleet.iot_devices,
        fleet.offline_devices,
        round(cast(fleet.offline_devices * 1.0 / nullif(fleet.iot_devices, 0) as numeric(8, 4)), 4)
            as offline_device_share,
        fleet.blenders,
        fleet.offline_blenders,
        round(cast(fleet.offline_blenders * 1.0 / nullif(fleet.blenders, 0) as numeric(8, 4)), 4)
            as offline_blender_share,
        report_months.first_full_month,
        report_months.latest_full_month,
        production_months.first_month_production_seconds,
        production_months.latest_month_production_seconds,
        completed_orders.completed_orders,
        hero.top_product_name,
        hero.top_product_orders,
        round(cast(hero.top_product_orders * 1.0 / nullif(completed_orders.completed_orders, 0) as numeric(8, 4)), 4)
            as top_product_order_share,
        round(
            cast(
                coconut_latte.coconut_latte_orders * 1.0 / nullif(completed_orders.completed_orders, 0)
                as numeric(8, 4)
            ),
            4
        ) as coconut_latte_order_share,
        memory_alert.largest_redis_instance,
        memory_alert.largest_redis_memory_ratio,
        memory_alert.is_largest_redis_memory_alert

    from schema_inventory
    cross join tax_gap
    cross join customer_totals
    cross join channel_orders
    cross join fleet
    cross join report_months
    cross join production_months
    cross join completed_orders
    cross join hero
    cross join coconut_latte
    cross join memory_alert

)

select * from final
