-- Report 04, coupon mechanics: per coupon type and new-user restriction, coupons issued and
-- redeemed, the discount per redemption and the revenue of the orders they were redeemed on.
with

coupons as (

    select * from {{ ref('fct_coupons') }}

),

final as (

    select
        coupon_type,
        is_new_user_only,
        count(*) as coupons_issued,
        sum(case when is_redeemed_on_revenue_order then 1 else 0 end) as coupons_redeemed,
        round(
            cast(sum(case when is_redeemed_on_revenue_order then 1 else 0 end) * 1.0 / count(*) as numeric(8, 4)), 4
        ) as redemption_rate,
        sum(discount_cost_usd) as discount_cost_usd,
        round(
            cast(
                sum(discount_cost_usd) / nullif(sum(case when is_redeemed_on_revenue_order then 1 else 0 end), 0)
                as numeric(12, 4)
            ),
            4
        ) as discount_per_redemption_usd,
        sum(order_revenue_usd) as redeemed_order_revenue_usd,
        sum(case when is_first_order and is_redeemed_on_revenue_order then 1 else 0 end) as first_orders_paid_for

    from coupons
    where not is_duplicate_issue
    group by coupon_type, is_new_user_only

)

select * from final
order by coupons_issued desc
