-- Report 01, weekday profile: average completed orders, revenue and AOV per store-day by day
-- of the week (New York dates), holidays apart: the office-market shape of demand.
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

tagged as (

    select
        cast(extract(dow from revenue_date) as integer) as day_of_week,
        is_holiday,
        completed_orders,
        revenue_usd

    from daily_revenue

),

final as (

    select
        day_of_week,
        case day_of_week
            when 0 then 'Sunday'
            when 1 then 'Monday'
            when 2 then 'Tuesday'
            when 3 then 'Wednesday'
            when 4 then 'Thursday'
            when 5 then 'Friday'
            when 6 then 'Saturday'
        end as day_name,
        is_holiday,
        count(*) as store_days,
        round(cast(avg(completed_orders) as numeric(12, 2)), 2) as avg_orders_per_store_day,
        round(cast(avg(revenue_usd) as numeric(12, 2)), 2) as avg_revenue_per_store_day_usd,
        round(cast(sum(revenue_usd) / nullif(sum(completed_orders), 0) as numeric(12, 4)), 4) as avg_order_value_usd

    from tagged
    group by day_of_week, is_holiday

)

select * from final
order by is_holiday, day_of_week
