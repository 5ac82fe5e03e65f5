-- Report 01, store economics: lifetime revenue, orders and AOV per store, its share of the
-- total, revenue per trading day, the discount it gives away, the delivery share, and the
-- revenue per day over the last 28 days of data (the store's current level).
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

last_day as (

    select max(revenue_date) as as_of_date
    from daily_revenue

),

per_store as (

    select
        daily_revenue.store_id,
        count(distinct daily_revenue.revenue_date) as trading_days,
        sum(daily_revenue.completed_orders) as completed_orders,
        sum(daily_revenue.delivery_orders) as delivery_orders,
        sum(daily_revenue.gross_amount_usd) as gross_amount_usd,
        sum(daily_revenue.discount_amount_usd) as discount_amount_usd,
        sum(daily_revenue.revenue_usd) as revenue_usd,
        sum(
            case
                when daily_revenue.revenue_date > {{ add_days('last_day.as_of_date', -28) }}
                    then daily_revenue.revenue_usd
                else 0
            end
        ) as last_28_days_revenue_usd

    from daily_revenue
    cross join last_day
    group by daily_revenue.store_id

),

totals as (

    select sum(revenue_usd) as total_revenue_usd
    from per_store

),

final as (

    select
        stores.store_id,
        stores.store_name,
        stores.neighborhood,
        stores.opened_date,
        per_store.trading_days,
        per_store.completed_orders,
        per_store.revenue_usd,
        round(cast(per_store.revenue_usd / nullif(totals.total_revenue_usd, 0) as numeric(8, 4)), 4)
            as share_of_revenue,
        round(cast(per_store.revenue_usd / nullif(per_store.completed_orders, 0) as numeric(12, 4)), 4)
            as avg_order_value_usd,
        round(cast(per_store.revenue_usd / nullif(per_store.trading_days, 0) as numeric(14, 2)), 2)
            as revenue_per_trading_day_usd,
        round(cast(per_store.last_28_days_revenue_usd / 28.0 as numeric(14, 2)), 2)
            as last_28_days_revenue_per_day_usd,
        round(cast(per_store.discount_amount_usd / nullif(per_store.gross_amount_usd, 0) as numeric(8, 4)), 4)
            as discount_rate,
        round(cast(per_store.delivery_orders * 1.0 / nullif(per_store.completed_orders, 0) as numeric(8, 4)), 4)
            as delivery_order_share

    from per_store
    inner join stores on per_store.store_id = stores.store_id
    cross join totals

)

select * from final
order by revenue_usd desc
