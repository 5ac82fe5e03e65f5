{{
    config(
        materialized='incremental',
        unique_key='order_item_id',
        pre_hook="{{ delete_keys('order_item_id', 'select order_item_id from '
            ~ ref('stg_sales_order__deleted_order_items')) }}",
    )
}}

-- One row per order line, with its order's status and dates. Lines whose order never
-- landed (orphans in the source) are kept and flagged with has_order = false. Incremental:
-- lines whose line or order a load wrote (or deleted) that this model has not processed are
-- restated; lines deleted in the source are deleted (pre-hook).
-- depends_on: {{ ref('stg_sales_order__deleted_order_items') }}
with

order_items as {{ inlined() }} (

    select * from {{ ref('stg_sales_order__order_items') }}

),

orders as {{ inlined() }} (

    select * from {{ ref('fct_orders') }}

),

products as {{ inlined() }} (

    select * from {{ ref('stg_sales_product__products') }}

),

deleted_orders as {{ inlined() }} (

    select * from {{ ref('stg_sales_order__deleted_orders') }}

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
        greatest(order_items.load_id, orders.load_id, deleted_orders.load_id) as load_id

    from order_items
    left join orders
        on order_items.order_id = orders.order_id
    left join deleted_orders
        on order_items.order_id = deleted_orders.order_id
    left join products
        on order_items.product_id = products.product_id
    where {{ load_window('greatest(order_items.load_id, orders.load_id, deleted_orders.load_id)') }}

)

select * from final
{{ order_by_watermark('ordered_at') }}
