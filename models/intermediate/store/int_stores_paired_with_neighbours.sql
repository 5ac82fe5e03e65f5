-- Every ordered pair of distinct stores with an opening date, with the great-circle distance
-- between them and whether they count as neighbours (var('cannibalisation_radius_miles')).
with

stores as (

    select * from {{ ref('stg_sales_shop__shops') }}
    where not is_deleted and opened_date is not null

),

pairs as (

    select
        stores.store_id,
        neighbours.store_id as neighbour_store_id,
        {{ haversine_miles('stores.latitude', 'stores.longitude', 'neighbours.latitude', 'neighbours.longitude') }}
            as distance_miles,
        stores.opened_date,
        neighbours.opened_date as neighbour_opened_date

    from stores
    inner join stores as neighbours
        on stores.store_id != neighbours.store_id

),

final as (

    select
        store_id,
        neighbour_store_id,
        cast(distance_miles as numeric(8, 3)) as distance_miles,
        distance_miles <= {{ var('cannibalisation_radius_miles') }} as is_neighbour,
        opened_date,
        neighbour_opened_date

    from pairs

)

select * from final
