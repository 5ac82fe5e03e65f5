with

source as (

    select * from {{ source('redis_snapshots', 'key_patterns') }}

),

renamed as (

    select
        cast(snapshot_id as {{ dbt.type_string() }}) as snapshot_id,
        cast(instance as {{ dbt.type_string() }}) as redis_instance,
        cast(pattern as {{ dbt.type_string() }}) as key_pattern,
        cast(key_type as {{ dbt.type_string() }}) as key_type,
        cast(key_count as bigint) as key_count,
        is_sensitive,
        snapshot_at

    from source

)

select * from renamed
