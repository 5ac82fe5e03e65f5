with

source as (

    select * from {{ source('redis_snapshots', 'coupon_stock') }}

),

renamed as (

    select
        cast(snapshot_id as {{ dbt.type_string() }}) as snapshot_id,
        cast(template_id as bigint) as coupon_template_id,
        cast(remaining_stock as bigint) as remaining_stock,
        snapshot_at

    from source

)

select * from renamed
