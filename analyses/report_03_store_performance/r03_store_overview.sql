-- Report 03, store overview: one row per store (announced ones included): location, status,
-- opening, weeks open, lifetime orders and revenue, nearest store, neighbours, and the average
-- weekly orders of its last four full weeks.
with

stores as (

    select * from {{ ref('dim_stores') }}

),

weekly as (

    select * from {{ ref('fct_store_weekly_performance') }}

),

full_weeks as (

    select
        store_id,
        weeks_since_opening,
        completed_orders,
        row_number() over (partition by store_id order by weeks_since_opening desc) as recency_rank

    from weekly
    where not is_partial_week

),

recent as (

    select
        store_id,
        avg(completed_orders) as recent_weekly_orders

    from full_weeks
    where recency_rank <= 4
    group by store_id

),

final as (

    select
        stores.store_id,
        stores.store_no,
        stores.store_name,
        stores.neighborhood,
        stores.street_address,
        stores.store_status,
        stores.opened_date,
        stores.weeks_open,
        stores.completed_orders,
        stores.revenue_usd,
        round(cast(stores.revenue_usd / nullif(stores.completed_orders, 0) as numeric(12, 4)), 4)
            as avg_order_value_usd,
        round(cast(recent.recent_weekly_orders as numeric(12, 1)), 1) as recent_weekly_orders,
        nearest.store_name as nearest_store_name,
        stores.nearest_store_distance_miles,
        stores.neighbour_stores,
        stores.latitude,
        stores.longitude

    from stores
    left join recent on stores.store_id = recent.store_id
    left join stores as nearest on stores.nearest_store_id = nearest.store_id

)

select * from final
order by opened_date nulls last, store_id
