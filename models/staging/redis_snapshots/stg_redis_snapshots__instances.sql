with

source as (

    select * from {{ source('redis_snapshots', 'instance_info') }}

),

renamed as (

    select
        cast(snapshot_id as {{ dbt.type_string() }}) as snapshot_id,
        cast(instance as {{ dbt.type_string() }}) as redis_instance,
        cast(used_memory_bytes as bigint) as used_memory_bytes,
        -- Redis reports maxmemory 0 for "no limit".
        cast(nullif(maxmemory_bytes, 0) as bigint) as max_memory_bytes,
        cast(key_count as bigint) as key_count,
        cast(evicted_keys as bigint) as evicted_keys,
        snapshot_at

    from source

)

select * from renamed
