-- Report 01, monthly revenue: New York month by month, completed orders, revenue by channel,
-- discounts, AOV and growth on the previous month. is_full_month is false for the months the
-- data covers only in part (the opening month and the current one); growth is given only
-- between two full months.
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

calendar as (

    select
        min(revenue_date) as first_date,
        max(revenue_date) as last_date

    from daily_revenue

),

monthly as (

    select
        revenue_month,
        count(distinct store_id) as trading_stores,
        count(distinct revenue_date) as trading_days,
        sum(orders_placed) as orders_placed,
        sum(completed_orders) as completed_orders,
        sum(cancelled_orders) as cancelled_orders,
        sum(refunded_orders) as refunded_orders,
        sum(delivery_orders) as delivery_orders,
        sum(gross_amount_usd) as gross_amount_usd,
        sum(discount_amount_usd) as discount_amount_usd,
        sum(revenue_usd) as revenue_usd,
        sum(pickup_revenue_usd) as pickup_revenue_usd,
        sum(delivery_revenue_usd) as delivery_revenue_usd,
        min(revenue_date) as first_date,
        max(revenue_date) as last_date

    from daily_revenue
    group by revenue_month

),

flagged as (

    select
        monthly.*,
        (
            monthly.revenue_month > cast({{ dbt.date_trunc('month', 'calendar.first_date') }} as date)
            or extract(day from calendar.first_date) = 1
        )
        and (
            monthly.revenue_month < cast({{ dbt.date_trunc('month', 'calendar.last_date') }} as date)
            or extract(day from {{ add_days('calendar.last_date', 1) }}) = 1
        ) as is_full_month

    from monthly
    cross join calendar

),

final as (

    select
        revenue_month,
        trading_stores,
        trading_days,
        orders_placed,
        completed_orders,
        cancelled_orders,
        refunded_orders,
        delivery_orders,
        gross_amount_usd,
        discount_amount_usd,
        revenue_usd,
        pickup_revenue_usd,
        delivery_revenue_usd,
        round(cast(revenue_usd / nullif(completed_orders, 0) as numeric(12, 4)), 4) as avg_order_value_usd,
        round(cast(discount_amount_usd / nullif(gross_amount_usd, 0) as numeric(8, 4)), 4) as discount_rate,
        round(cast(revenue_usd / nullif(trading_days, 0) as numeric(14, 2)), 2) as revenue_per_trading_day_usd,
        -- growth only between two full months: a partial month is not comparable
        case
            when is_full_month and lag(is_full_month) over (order by revenue_month)
                then round(
                        cast(
                            revenue_usd / nullif(lag(revenue_usd) over (order by revenue_month), 0)
                            - 1 as numeric(10, 4)
                        ),
                        4
                    )
        end as revenue_growth_on_previous_month,
        is_full_month

    from flagged

)

select * from final
order by revenue_month
