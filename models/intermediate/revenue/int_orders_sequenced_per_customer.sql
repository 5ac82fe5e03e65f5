-- Every order with its place in the customer's order history (1 = their first order, any
-- status), the campaign of the coupon it used, its delivery details and its refunds.
-- Sequencing runs over all orders so that incremental marts read a stable number.
with

orders as (

    select * from {{ ref('stg_sales_order__orders') }}

),

coupons as (

    select * from {{ ref('stg_isales_market__coupons') }}

),

coupon_templates as (

    select * from {{ ref('stg_isales_market__coupon_templates') }}

),

deliveries as (

    select * from {{ ref('stg_sales_delivery__delivery_orders') }}

),

refunds as (

    select * from {{ ref('stg_sales_order__refunds') }}

),

refunds_per_order as (

    select
        order_id,
        sum(refund_amount_usd) as refunded_amount_usd

    from refunds
    where refund_status = 'approved'
    group by order_id

),

sequenced as (

    select
        orders.*,
        row_number() over (
            partition by orders.customer_id
            order by orders.ordered_at, orders.order_id
        ) as customer_order_number

    from orders

),

final as (

    select
        sequenced.*,
        coupon_templates.campaign_id,
        deliveries.delivery_platform,
        deliveries.delivery_fee_usd,
        coalesce(refunds_per_order.refunded_amount_usd, 0) as refunded_amount_usd

    from sequenced
    left join coupons
        on sequenced.coupon_id = coupons.coupon_id
    left join coupon_templates
        on coupons.coupon_template_id = coupon_templates.coupon_template_id
    left join deliveries
        on sequenced.order_id = deliveries.order_id
    left join refunds_per_order
        on sequenced.order_id = refunds_per_order.order_id

)

select * from final
