-- Report 04, coupon redemption by month of issue: coupons issued per New York month, how many
-- were redeemed on completed orders, used, expired or still open, and the discount they cost.
-- Duplicate issues (a known source defect) are left out.
with

coupons as (

    select * from {{ ref('fct_coupons') }}

),

issued as (

    select
        coupon_status,
        is_redeemed_on_revenue_order,
        is_used,
        is_expired,
        discount_cost_usd,
        order_revenue_usd,
        cast({{ dbt.date_trunc('month', 'issued_date') }} as date) as issued_month

    from coupons
    where not is_duplicate_issue

),

final as (

    select
        issued_month,
        count(*) as coupons_issued,
        sum(case when is_redeemed_on_revenue_order then 1 else 0 end) as coupons_redeemed,
        sum(case when is_used then 1 else 0 end) as coupons_used,
        sum(case when is_expired then 1 else 0 end) as coupons_expired,
        sum(case when coupon_status = 'unused' then 1 else 0 end) as coupons_open,
        round(
            cast(sum(case when is_redeemed_on_revenue_order then 1 else 0 end) * 1.0 / count(*) as numeric(8, 4)), 4
        ) as redemption_rate,
        sum(discount_cost_usd) as discount_cost_usd,
        sum(order_revenue_usd) as redeemed_order_revenue_usd

    from issued
    group by issued_month

)

select * from final
order by issued_month
