-- Report 03, per-store months: completed orders, revenue and AOV of each store per New York
-- month, for the per-store pages.
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

final as (

    select
        daily_revenue.store_id,
        stores.store_name,
        daily_revenue.revenue_month,
        count(*) as trading_days,
        sum(daily_revenue.completed_orders) as completed_orders,
        sum(daily_revenue.customers) as customer_days,
        sum(daily_revenue.revenue_usd) as revenue_usd,
        round(
            cast(sum(daily_revenue.revenue_usd) / nullif(sum(daily_revenue.completed_orders), 0) as numeric(12, 4)), 4
        ) as avg_order_value_usd

    from daily_revenue
    inner join stores on daily_revenue.store_id = stores.store_id
    group by daily_revenue.store_id, stores.store_name, daily_revenue.revenue_month

)

select * from final
order by store_id, revenue_month
