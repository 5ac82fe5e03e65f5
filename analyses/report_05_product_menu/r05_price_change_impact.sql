-- Report 05, the largest list-price change (the date on which the most sizes changed price:
-- the January rise) before and after: the 28 days before the change against the 28 days from
-- it, in completed orders per trading store-day (so new stores do not flatter the after
-- period), AOV, units per order, average list price per unit, and the share of units from
-- the sizes whose price changed (mix).
with

prices as (

    select * from {{ ref('dim_sku_prices') }}

),

items as (

    select * from {{ ref('fct_order_items') }}

),

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

change_days as (

    select
        valid_from_date,
        count(*) as sizes_changed,
        avg((price_usd - previous_price_usd) / nullif(previous_price_usd, 0)) as avg_price_change

    from prices
    where previous_price_usd is not null
    group by valid_from_date

),

price_change as (

    select
        valid_from_date as change_date,
        sizes_changed,
        avg_price_change

    from change_days
    order by sizes_changed desc, valid_from_date desc
    limit 1

),

changed_skus as (

    select distinct prices.sku_id
    from prices
    inner join price_change on prices.valid_from_date = price_change.change_date
    where prices.previous_price_usd is not null

),

windows as (

    select
        'before' as period,
        1 as period_order,
        {{ add_days('change_date', -28) }} as start_date,
        {{ add_days('change_date', -1) }} as end_date
    from price_change
    union all
    select
        'after' as period,
        2 as period_order,
        change_date as start_date,
        {{ add_days('change_date', 27) }} as end_date
    from price_change

),

store_days as (

    select
        windows.period,
        sum(case when daily_revenue.completed_orders > 0 then 1 else 0 end) as trading_store_days,
        sum(daily_revenue.completed_orders) as completed_orders,
        sum(daily_revenue.revenue_usd) as revenue_usd

    from windows
    inner join daily_revenue
        on daily_revenue.revenue_date between windows.start_date and windows.end_date
    group by windows.period

),

units as (

    select
        windows.period,
        sum(items.quantity) as units_sold,
        sum(case when changed_skus.sku_id is not null then items.quantity else 0 end) as changed_units,
        sum(items.gross_amount_usd) as list_amount_usd

    from windows
    inner join items
        on items.order_date between windows.start_date and windows.end_date
    left join changed_skus on items.sku_id = changed_skus.sku_id
    where items.is_revenue
    group by windows.period

),

final as (

    select
        windows.period,
        windows.period_order,
        windows.start_date,
        windows.end_date,
        price_change.change_date,
        price_change.sizes_changed,
        round(cast(price_change.avg_price_change as numeric(8, 4)), 4) as avg_list_price_change,
        store_days.trading_store_days,
        store_days.completed_orders,
        round(cast(store_days.completed_orders * 1.0 / nullif(store_days.trading_store_days, 0) as numeric(10, 2)), 2)
            as orders_per_store_day,
        round(cast(store_days.revenue_usd / nullif(store_days.completed_orders, 0) as numeric(12, 4)), 4)
            as avg_order_value_usd,
        round(cast(units.units_sold * 1.0 / nullif(store_days.completed_orders, 0) as numeric(10, 3)), 3)
            as units_per_order,
        round(cast(units.list_amount_usd / nullif(units.units_sold, 0) as numeric(12, 4)), 4)
            as avg_list_price_per_unit_usd,
        round(cast(units.changed_units * 1.0 / nullif(units.units_sold, 0) as numeric(8, 4)), 4)
            as changed_sizes_unit_share

    from windows
    cross join price_change
    left join store_days on windows.period = store_days.period
    left join units on windows.period = units.period

)

select * from final
order by period_order
