-- One row per store, opened or announced. Weeks open are counted to the last business day
-- with orders.
with

stores as (

    select * from {{ ref('stg_sales_shop__shops') }}
    where not is_deleted

),

pairs as (

    select * from {{ ref('int_stores_paired_with_neighbours') }}

),

daily as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

as_of as (

    select max(revenue_date) as as_of_date
    from daily

),

nearest as (

    select
        store_id,
        neighbour_store_id as nearest_store_id,
        distance_miles as nearest_store_distance_miles,
        row_number() over (partition by store_id order by distance_miles, neighbour_store_id) as rank_by_distance

    from pairs

),

neighbour_counts as (

    select
        store_id,
        sum(case when is_neighbour then 1 else 0 end) as neighbour_stores

    from pairs
    group by store_id

),

lifetime as (

    select
        store_id,
        min(case when completed_orders > 0 then revenue_date end) as first_order_date,
        sum(completed_orders) as completed_orders,
        sum(revenue_usd) as revenue_usd

    from daily
    group by store_id

),

final as (

    select
        stores.store_id,
        nearest.nearest_store_id,
        stores.store_no,
        stores.store_name,
        stores.street_address,
        stores.borough,
        stores.neighborhood,
        stores.zip_code,
        stores.store_status,
        stores.latitude,
        stores.longitude,
        nearest.nearest_store_distance_miles,
        cast(coalesce(neighbour_counts.neighbour_stores, 0) as integer) as neighbour_stores,
        case
            when stores.opened_date <= as_of.as_of_date
                then {{ weeks_between('stores.opened_date', 'as_of.as_of_date') }}
        end as weeks_open,
        cast(coalesce(lifetime.completed_orders, 0) as integer) as completed_orders,
        cast(coalesce(lifetime.revenue_usd, 0) as numeric(14, 2)) as revenue_usd,
        coalesce(stores.opened_date <= as_of.as_of_date and stores.store_status = 'open', false) as is_open,
        stores.opened_date,
        lifetime.first_order_date

    from stores
    cross join as_of
    left join nearest
        on stores.store_id = nearest.store_id and nearest.rank_by_distance = 1
    left join neighbour_counts
        on stores.store_id = neighbour_counts.store_id
    left join lifetime
        on stores.store_id = lifetime.store_id

)

select * from final
