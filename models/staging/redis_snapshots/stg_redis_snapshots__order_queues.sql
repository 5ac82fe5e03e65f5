with

source as (

    select * from {{ source('redis_snapshots', 'order_queues') }}

),

renamed as (

    select
        cast(snapshot_id as {{ dbt.type_string() }}) as snapshot_id,
        cast(shop_id as bigint) as store_id,
        cast(queue_length as bigint) as queue_length,
        cast(last_order_seq as bigint) as last_order_seq,
        snapshot_at

    from source

)

select * from renamed
