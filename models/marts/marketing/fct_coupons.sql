{{
    config(
        materialized='incremental',
        unique_key='coupon_id',
    )
}}

-- One row per issued coupon: where it came from, what became of it, what it cost. Discount
-- cost counts only on completed (revenue) orders. A coupon naming an order that is not in
-- the source (hard-deleted test orders) keeps the id and is flagged is_order_missing.
-- Incremental: coupons, or their orders, changed since the high-water mark minus the lookback.
with

coupons as (

    select * from {{ ref('int_coupons_attributed_to_orders') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        coupons.coupon_id,
        coupons.coupon_template_id,
        coupons.campaign_id,
        coupons.customer_id,
        coupons.order_id,
        coupons.coupon_no,
        coupons.coupon_status,
        coupons.coupon_type,
        coupons.attribution_source,
        cast(case when orders.is_revenue then orders.discount_amount_usd else 0 end as numeric(12, 2))
            as discount_cost_usd,
        cast(case when orders.is_revenue then orders.revenue_usd else 0 end as numeric(12, 2))
            as order_revenue_usd,
        coupons.coupon_status = 'used' as is_used,
        coupons.coupon_status = 'expired' as is_expired,
        coalesce(orders.is_revenue, false) as is_redeemed_on_revenue_order,
        coalesce(orders.is_first_order, false) as is_first_order,
        coalesce(coupons.is_new_user_only, false) as is_new_user_only,
        coupons.is_duplicate_issue,
        coupons.order_id is not null and orders.order_id is null as is_order_missing,
        {{ to_local_date('coupons.issued_at') }} as issued_date,
        coupons.issued_at,
        coupons.expires_at,
        coupons.used_at,
        case
            when orders.updated_at > coupons.updated_at then orders.updated_at
            else coupons.updated_at
        end as source_updated_at

    from coupons
    left join orders
        on coupons.order_id = orders.order_id
    where
        {{ incremental_window('coupons.updated_at', 'source_updated_at') }}
        or {{ incremental_window('orders.updated_at', 'source_updated_at') }}

)

select * from final
{{ order_by_watermark('source_updated_at') }}
