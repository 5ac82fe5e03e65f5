{{
    config(
        materialized='incremental',
        unique_key='order_id',
        pre_hook="{{ delete_keys('order_id', 'select order_id from ' ~ ref('stg_sales_order__deleted_orders')) }}",
    )
}}

-- One row per order. Incremental: each run reprocesses the orders whose order, coupon,
-- delivery, refunds, place in the customer's sequence or make-queue events a load wrote that
-- this model has not processed (load_id), whatever the source's own timestamps say; orders
-- deleted in the source are deleted (pre-hook).
-- depends_on: {{ ref('stg_sales_order__deleted_orders') }}
with

orders as {{ inlined() }} (

    select * from {{ ref('int_orders_sequenced_per_customer') }}

),

production as {{ inlined() }} (

    select * from {{ ref('int_make_events_pivoted_to_orders') }}

),
{%- if is_incremental() %}

changed as (

    select order_id from orders
    where {{ load_window('load_id') }}
    union
    select order_id from production
    where {{ load_window('load_id') }}

),
{%- endif %}

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.store_id,
        orders.coupon_id,
        orders.campaign_id,
        orders.order_no,
        orders.order_channel,
        orders.order_status,
        orders.delivery_platform,
        cast(orders.customer_order_number as integer) as customer_order_number,
        orders.item_count,
        orders.gross_amount_usd,
        orders.discount_amount_usd,
        orders.paid_amount_usd,
        cast(
            case when orders.is_completed and not orders.is_deleted then orders.paid_amount_usd else 0 end
            as numeric(12, 2)
        ) as revenue_usd,
        cast(orders.refunded_amount_usd as numeric(12, 2)) as refunded_amount_usd,
        orders.delivery_fee_usd,
        cast(production.queue_seconds as numeric(12, 3)) as queue_seconds,
        cast(production.make_seconds as numeric(12, 3)) as make_seconds,
        cast(production.production_seconds as numeric(12, 3)) as production_seconds,
        orders.is_completed and not orders.is_deleted as is_revenue,
        orders.customer_order_number = 1 as is_first_order,
        orders.coupon_id is not null as has_coupon,
        orders.is_deleted,
        {{ to_local_date('orders.ordered_at') }} as order_date,
        {{ to_local_month('orders.ordered_at') }} as order_month,
        orders.ordered_at,
        orders.paid_at,
        orders.completed_at,
        orders.cancelled_at,
        orders.updated_at,
        greatest(orders.load_id, production.load_id) as load_id

    from orders
    left join production
        on orders.order_id = production.order_id
    {%- if is_incremental() %}
        where orders.order_id in (select changed.order_id from changed)
    {%- endif %}

)

select * from final
{{ order_by_watermark('updated_at') }}
