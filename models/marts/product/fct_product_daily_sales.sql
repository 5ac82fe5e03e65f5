{{
    config(
        materialized='incremental',
        unique_key=['store_id', 'sales_date'],
        pre_hook="{{ delete_restated_store_days('sales_date', [ref('fct_orders'),
            ref('stg_sales_order__deleted_orders'), ref('fct_order_items'), deleted_order_lines()]) }}",
    )
}}

-- Product x store x New York business day, completed orders only. share_of_orders is the
-- share of the store-day's completed orders that contain the product (the Iced Coconut
-- Latte figure). Incremental like fct_store_daily_revenue: whole store-days are restated -
-- those with an order or a line that a load this model has not processed wrote or deleted.
-- depends_on: {{ ref('stg_sales_order__deleted_orders') }}, {{ ref('stg_sales_order__deleted_order_items') }}

with

items as {{ inlined() }} (

    select * from {{ ref('fct_order_items') }}
    where has_order

),

orders as {{ inlined() }} (

    select * from {{ ref('fct_orders') }}

),

{%- if is_incremental() %}

deleted_orders as {{ inlined() }} (

    select * from {{ ref('stg_sales_order__deleted_orders') }}

),

restated as (

    {{ restated_store_days(['orders', 'deleted_orders', 'items', deleted_order_lines()]) }}

),
{%- endif %}

orders_in_scope as (

    {{ orders_of_restated_store_days('orders', 'restated') }}

),

store_days as (

    select
        store_id,
        order_date,
        sum(case when is_revenue then 1 else 0 end) as store_completed_orders,
        max(load_id) as load_id

    from orders_in_scope
    group by store_id, order_date

),

product_days as (

    select
        items.product_id,
        orders_in_scope.store_id,
        orders_in_scope.order_date,
        sum(items.quantity) as units_sold,
        count(distinct items.order_id) as orders_with_product,
        sum(items.gross_amount_usd) as gross_amount_usd,
        sum(items.discount_amount_usd) as discount_amount_usd,
        sum(items.revenue_usd) as revenue_usd

    from items
    inner join orders_in_scope
        on items.order_id = orders_in_scope.order_id
    where orders_in_scope.is_revenue
    group by items.product_id, orders_in_scope.store_id, orders_in_scope.order_date

),

final as (

    select
        {{ surrogate_key(['product_days.product_id', 'product_days.store_id', 'product_days.order_date']) }}
            as product_store_day_id,
        product_days.product_id,
        product_days.store_id,
        cast(product_days.units_sold as integer) as units_sold,
        cast(product_days.orders_with_product as integer) as orders_with_product,
        cast(store_days.store_completed_orders as integer) as store_completed_orders,
        cast(product_days.gross_amount_usd as numeric(14, 2)) as gross_amount_usd,
        cast(product_days.discount_amount_usd as numeric(14, 2)) as discount_amount_usd,
        cast(product_days.revenue_usd as numeric(14, 2)) as revenue_usd,
        cast(
            {{ divide_rounded('product_days.orders_with_product', 'store_days.store_completed_orders', 4) }}
            as numeric(8, 4)
        )
            as share_of_orders,
        product_days.order_date as sales_date,
        store_days.load_id

    from product_days
    inner join store_days
        on
            product_days.store_id = store_days.store_id
            and product_days.order_date = store_days.order_date

)

select * from final
{{ order_by_watermark('sales_date') }}
