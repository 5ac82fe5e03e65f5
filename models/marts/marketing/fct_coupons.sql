{{
    config(
        materialized='incremental',
        unique_key='coupon_id',
        pre_hook="{{ delete_keys('coupon_id', 'select coupon_id from ' ~ ref('stg_isales_market__deleted_coupons')) }}",
    )
}}

-- One row per issued coupon: where it came from, what became of it, what it cost. Discount
-- cost counts only on completed (revenue) orders. A coupon naming an order that is not in
-- the source (hard-deleted test orders) keeps the id and is flagged is_order_missing.
-- Incremental: coupons whose coupon or order a load this model has not processed wrote (or
-- deleted); coupons deleted in the source are deleted (pre-hook).
-- depends_on: {{ ref('stg_isales_market__deleted_coupons') }}
with

coupons as {{ inlined() }} (

    select * from {{ ref('int_coupons_attributed_to_orders') }}

),

orders as {{ inlined() }} (

    select * from {{ ref('fct_orders') }}

),

deleted_orders as {{ inlined() }} (

    select * from {{ ref('stg_sales_order__deleted_orders') }}

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
        greatest(coupons.load_id, orders.load_id, deleted_orders.load_id) as load_id

    from coupons
    left join orders
        on coupons.order_id = orders.order_id
    left join deleted_orders
        on coupons.order_id = deleted_orders.order_id
    where {{ load_window('greatest(coupons.load_id, orders.load_id, deleted_orders.load_id)') }}

)

select * from final
{{ order_by_watermark('issued_at') }}
