-- Every issued coupon with the order it was redeemed on. The coupon's own order_id wins;
-- when the marketing service lost it, the order that names the coupon (t_order.coupon_id)
-- is used. A coupon issued again to the same user from the same template within a second
-- of the previous one is a duplicate issue (a known source defect), flagged, not dropped.
with

coupons as (

    select * from {{ ref('stg_isales_market__coupons') }}

),

templates as (

    select * from {{ ref('stg_isales_market__coupon_templates') }}

),

orders_naming_a_coupon as (

    select
        coupon_id,
        min(order_id) as order_id,
        max(load_id) as load_id

    from {{ ref('stg_sales_order__orders') }}
    where coupon_id is not null
    group by coupon_id

),

deleted_orders_naming_a_coupon as (

    -- an order deleted in the source takes its attribution with it: its load must reach the
    -- coupon's row, which did not change itself
    select
        coupon_id,
        max(load_id) as load_id

    from {{ ref('stg_sales_order__deleted_orders') }}
    where coupon_id is not null
    group by coupon_id

),

ordered as (

    select
        coupons.*,
        lag(coupons.issued_at) over (
            partition by coupons.customer_id, coupons.coupon_template_id
            order by coupons.issued_at, coupons.coupon_id
        ) as previous_issued_at

    from coupons

),

final as (

    select
        ordered.coupon_id,
        ordered.coupon_template_id,
        templates.campaign_id,
        ordered.customer_id,
        coalesce(ordered.order_id, orders_naming_a_coupon.order_id) as order_id,
        ordered.coupon_no,
        ordered.coupon_status,
        templates.coupon_type,
        templates.is_new_user_only,
        case
            when ordered.order_id is not null then 'coupon'
            when orders_naming_a_coupon.order_id is not null then 'order'
        end as attribution_source,
        coalesce({{ seconds_between('ordered.previous_issued_at', 'ordered.issued_at') }} <= 1, false)
            as is_duplicate_issue,
        ordered.issued_at,
        ordered.expires_at,
        ordered.used_at,
        ordered.updated_at,
        -- the newest load of the coupon and of the orders naming it, deleted ones included
        greatest(ordered.load_id, orders_naming_a_coupon.load_id, deleted_orders_naming_a_coupon.load_id)
            as load_id

    from ordered
    left join templates
        on ordered.coupon_template_id = templates.coupon_template_id
    left join orders_naming_a_coupon
        on ordered.coupon_id = orders_naming_a_coupon.coupon_id
    left join deleted_orders_naming_a_coupon
        on ordered.coupon_id = deleted_orders_naming_a_coupon.coupon_id

)

select * from final
