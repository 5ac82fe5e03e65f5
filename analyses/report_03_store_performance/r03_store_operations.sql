-- Report 03, store pages: one row per open store comparing it with the others: delivery share
-- of completed orders, median production seconds (last 28 days of data), its IoT devices and
-- how many are offline, stock-out days over counted store-material days and the median days
-- of cover (last 28 days), and the contribution margin (fct_store_contribution_monthly).
with

orders as (

    select * from {{ ref('fct_orders') }}

),

production as (

    select * from {{ ref('fct_order_production') }}

),

devices as (

    select * from {{ ref('dim_iot_devices') }}

),

inventory as (

    select * from {{ ref('fct_inventory_daily') }}

),

contribution as (

    select * from {{ ref('fct_store_contribution_monthly') }}

),

stores as (

    select * from {{ ref('dim_stores') }}
    where is_open

),

last_day as (

    select max(order_date) as as_of_date
    from orders

),

channels as (

    select
        store_id,
        sum(case when is_revenue then 1 else 0 end) as completed_orders,
        sum(case when is_revenue and order_channel = 'delivery' then 1 else 0 end) as delivery_orders

    from orders
    group by store_id

),

recent_production as (

    select
        production.store_id,
        percentile_cont(0.5) within group (order by production.production_seconds) as median_production_seconds

    from production
    cross join last_day
    where
        production.has_order and production.is_finished
        and production.production_date > {{ add_days('last_day.as_of_date', -28) }}
    group by production.store_id

),

fleet as (

    select
        store_id,
        count(*) as devices,
        sum(case when is_offline then 1 else 0 end) as offline_devices

    from devices
    group by store_id

),

stock as (

    select
        inventory.store_id,
        sum(case when inventory.on_hand_quantity is not null then 1 else 0 end) as counted_days,
        sum(case when inventory.on_hand_quantity = 0 then 1 else 0 end) as stock_out_days,
        percentile_cont(0.5) within group (order by inventory.days_of_cover) as median_days_of_cover

    from inventory
    cross join last_day
    where inventory.inventory_date > {{ add_days('last_day.as_of_date', -28) }}
    group by inventory.store_id

),

margins as (

    select
        store_id,
        sum(contribution_usd) / nullif(sum(net_revenue_usd), 0) as contribution_margin

    from contribution
    group by store_id

),

final as (

    select
        stores.store_id,
        stores.store_name,
        channels.completed_orders,
        round(cast(channels.delivery_orders * 1.0 / nullif(channels.completed_orders, 0) as numeric(8, 4)), 4)
            as delivery_order_share,
        round(cast(recent_production.median_production_seconds as numeric(10, 1)), 1) as median_production_seconds,
        coalesce(fleet.devices, 0) as devices,
        coalesce(fleet.offline_devices, 0) as offline_devices,
        round(cast(fleet.offline_devices * 1.0 / nullif(fleet.devices, 0) as numeric(8, 4)), 4) as offline_device_share,
        stock.stock_out_days,
        round(cast(stock.stock_out_days * 1.0 / nullif(stock.counted_days, 0) as numeric(8, 4)), 4)
            as stock_out_day_share,
        round(cast(stock.median_days_of_cover as numeric(10, 1)), 1) as median_days_of_cover,
        round(cast(margins.contribution_margin as numeric(8, 4)), 4) as contribution_margin

    from stores
    left join channels on stores.store_id = channels.store_id
    left join recent_production on stores.store_id = recent_production.store_id
    left join fleet on stores.store_id = fleet.store_id
    left join stock on stores.store_id = stock.store_id
    left join margins on stores.store_id = margins.store_id

)

select * from final
order by store_id
