-- Redis instance x snapshot: memory used against its budget, keys, evictions, and the
-- memory alert (used / maxmemory at or above var('redis_memory_alert_ratio')).
with

instances as (

    select * from {{ ref('stg_redis_snapshots__instances') }}

),

key_patterns as (

    select * from {{ ref('stg_redis_snapshots__key_patterns') }}

),

pattern_stats as (

    select
        snapshot_id,
        redis_instance,
        count(*) as key_patterns,
        sum(case when is_sensitive then key_count else 0 end) as sensitive_keys

    from key_patterns
    group by snapshot_id, redis_instance

),

final as (

    select
        {{ surrogate_key(['instances.snapshot_id', 'instances.redis_instance']) }} as redis_instance_snapshot_id,
        instances.snapshot_id,
        instances.redis_instance,
        instances.used_memory_bytes,
        instances.max_memory_bytes,
        cast({{ divide_rounded('instances.used_memory_bytes', 'instances.max_memory_bytes', 4, 0) }} as numeric(8, 4))
            as memory_used_ratio,
        instances.key_count,
        instances.evicted_keys,
        cast(coalesce(pattern_stats.key_patterns, 0) as integer) as key_patterns,
        cast(coalesce(pattern_stats.sensitive_keys, 0) as bigint) as sensitive_keys,
        coalesce(
            instances.used_memory_bytes * 1.0 / instances.max_memory_bytes >= {{ var('redis_memory_alert_ratio') }},
            false
        ) as is_memory_alert,
        {{ to_local_date('instances.snapshot_at') }} as snapshot_date,
        instances.snapshot_at

    from instances
    left join pattern_stats
        on
            instances.snapshot_id = pattern_stats.snapshot_id
            and instances.redis_instance = pattern_stats.redis_instance

)

select * from final
