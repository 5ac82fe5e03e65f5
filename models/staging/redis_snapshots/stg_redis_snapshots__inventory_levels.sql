with

source as (

    select * from {{ source('redis_snapshots', 'inventory_levels') }}

),

renamed as (

    select
        cast(snapshot_id as {{ dbt.type_string() }}) as snapshot_id,
        cast(shop_id as bigint) as store_id,
        cast(material_code as {{ dbt.type_string() }}) as material_code,
        cast(quantity as numeric(14, 3)) as quantity_on_hand,
        snapshot_at

    from source

)

select * from renamed
