{{
    config(
        materialized='incremental',
        unique_key='order_item_id',
    )
}}

-- One row per order line, with its order's status and dates. Lines whose order never
-- landed (orphans in the source) are kept and flagged with has_order = false. Incremental:
-- the lines of orders changed since the high-water mark minus the lookback are restated.
with

order_items as (

    select * from {{ ref('stg_sales_order__order_items') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

products as (

    select * from {{ ref('stg_sales_product__products') }}

),

final as (

    select
        order_items.order_item_id,
        order_items.order_id,
        orders.customer_id,
        orders.store_id,
        order_items.product_id,
        order_items.sku_id,
        products.category_id,
        order_items.product_name,
        orders.order_status,
        orders.order_channel,
        order_items.quantity,
        order_items.unit_price_usd,
        order_items.gross_amount_usd,
        order_items.discount_amount_usd,
        order_items.paid_amount_usd,
        cast(case when orders.is_revenue then order_items.paid_amount_usd else 0 end as numeric(12, 2))
            as revenue_usd,
        coalesce(orders.is_revenue, false) as is_revenue,
        orders.order_id is not null as has_order,
        coalesce(orders.order_date, {{ to_local_date('order_items.created_at') }}) as order_date,
        coalesce(orders.ordered_at, order_items.created_at) as ordered_at,
        coalesce(orders.updated_at, order_items.updated_at) as source_updated_at

    from order_items
    left join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
    where {{ incremental_window('coalesce(orders.updated_at, order_items.updated_at)', 'source_updated_at') }}

)

select * from final
{{ order_by_watermark('source_updated_at') }}
