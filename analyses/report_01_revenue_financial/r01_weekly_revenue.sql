-- Report 01, weekly revenue: ISO weeks (Monday to Sunday, New York dates), completed orders,
-- revenue, AOV and the share of orders that used a coupon. is_full_week is false for weeks
-- the data covers only in part.
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

dated as (

    select
        store_id,
        revenue_date,
        completed_orders,
        coupon_orders,
        revenue_usd,
        cast({{ dbt.date_trunc('week', 'revenue_date') }} as date) as week_start_date

    from daily_revenue

),

weekly as (

    select
        week_start_date,
        count(distinct revenue_date) as trading_days,
        count(distinct store_id) as trading_stores,
        sum(completed_orders) as completed_orders,
        sum(coupon_orders) as coupon_orders,
        sum(revenue_usd) as revenue_usd

    from dated
    group by week_start_date

),

final as (

    select
        week_start_date,
        trading_days,
        trading_stores,
        completed_orders,
        revenue_usd,
        round(cast(revenue_usd / nullif(completed_orders, 0) as numeric(12, 4)), 4) as avg_order_value_usd,
        round(cast(coupon_orders * 1.0 / nullif(completed_orders, 0) as numeric(8, 4)), 4) as coupon_order_share,
        trading_days = 7 as is_full_week

    from weekly

)

select * from final
order by week_start_date
