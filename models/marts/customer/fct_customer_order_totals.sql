{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        pre_hook="{{ delete_keys('customer_id', 'select customer_id from ' ~ ref('stg_sales_order__deleted_orders')
                    ~ ' where ' ~ load_window('load_id')) }}",
    )
}}

-- One row per customer with an order in fct_orders: their order totals to date, what
-- dim_customers needs of their order history that does not depend on the as-of date.
-- Aggregating every order on every build made dim_customers grow with the history; this
-- keeps the aggregates and, in an incremental run,
-- recomputes only the customers with an order that loads after the last processed one
-- restated in fct_orders. A customer whose order was deleted in the source is deleted first
-- (pre-hook) and recomputed from the orders left, if any.
-- depends_on: {{ ref('stg_sales_order__deleted_orders') }}
with

orders as {{ inlined() }} (

    select * from {{ ref('fct_orders') }}

),
{%- if is_incremental() %}

deleted_orders as {{ inlined() }} (

    select * from {{ ref('stg_sales_order__deleted_orders') }}

),

changed as (

    select customer_id from orders
    where {{ load_window('load_id') }}
    union
    select customer_id from deleted_orders
    where {{ load_window('load_id') }}

),
{%- endif %}

customer_orders as (

    select orders.*

    from orders
    {%- if is_incremental() %}
        inner join changed
            on orders.customer_id = changed.customer_id
    {%- endif %}

),

final as (

    select
        customer_id,
        -- The customer's first order of any status: what acquired them.
        max(case when is_first_order then campaign_id end) as acquisition_campaign_id,
        max(load_id) as load_id,
        cast(sum(case when is_revenue then 1 else 0 end) as integer) as completed_orders,
        cast(sum(case when is_revenue then revenue_usd else 0 end) as numeric(14, 2)) as revenue_usd,
        max(case when is_first_order then (case when has_coupon then 1 else 0 end) end) = 1
            as is_first_order_with_coupon,
        min(case when is_revenue then order_date end) as first_order_date,
        max(case when is_revenue then order_date end) as last_order_date,
        min(case when is_revenue then ordered_at end) as first_order_at,
        max(case when is_revenue then ordered_at end) as last_order_at

    from customer_orders
    group by customer_id

)

-- stored by load: the customers a later run restates are the ones whose orders load next
select * from final
{{ order_by_watermark('load_id') }}
