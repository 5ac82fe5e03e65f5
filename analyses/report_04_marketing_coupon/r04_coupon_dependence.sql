-- Report 04, coupon dependence: per New York month, the share of completed orders that used a
-- coupon, the discount as a share of list price, and first orders as a share of all orders.
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

final as (

    select
        revenue_month,
        sum(completed_orders) as completed_orders,
        sum(coupon_orders) as coupon_orders,
        sum(first_orders) as first_orders,
        round(cast(sum(coupon_orders) * 1.0 / nullif(sum(completed_orders), 0) as numeric(8, 4)), 4)
            as coupon_order_share,
        round(cast(sum(first_orders) * 1.0 / nullif(sum(completed_orders), 0) as numeric(8, 4)), 4)
            as first_order_share,
        sum(discount_amount_usd) as discount_amount_usd,
        round(cast(sum(discount_amount_usd) / nullif(sum(gross_amount_usd), 0) as numeric(8, 4)), 4)
            as discount_rate

    from daily_revenue
    group by revenue_month

)

select * from final
order by revenue_month
