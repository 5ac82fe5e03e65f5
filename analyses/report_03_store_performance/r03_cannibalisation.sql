-- Report 03, cannibalisation: for each store opening, its neighbours' average weekly completed
-- orders in the weeks before it opened and in the weeks after (the window is the project's
-- var cannibalisation_window_weeks), and the change. Negative = the new store took orders.
with

weekly as (

    select * from {{ ref('fct_store_weekly_performance') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

per_opening as (

    select
        store_id,
        max(neighbour_weekly_orders_before_opening) as neighbour_weekly_orders_before_opening,
        max(neighbour_weekly_orders_after_opening) as neighbour_weekly_orders_after_opening,
        max(neighbour_orders_change_ratio) as neighbour_orders_change_ratio

    from weekly
    group by store_id

),

final as (

    select
        stores.store_id,
        stores.store_name,
        stores.opened_date,
        stores.neighbour_stores,
        stores.nearest_store_distance_miles,
        per_opening.neighbour_weekly_orders_before_opening,
        per_opening.neighbour_weekly_orders_after_opening,
        per_opening.neighbour_orders_change_ratio

    from per_opening
    inner join stores on per_opening.store_id = stores.store_id

)

select * from final
order by opened_date, store_id
