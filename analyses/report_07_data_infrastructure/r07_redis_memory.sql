-- Report 07, Redis memory: every instance in the latest snapshot, memory used against its
-- maxmemory budget, keys, evictions and sensitive (session/token) keys, which are counted and
-- never copied. The alert threshold is the project's var redis_memory_alert_ratio.
with

redis_instances as (

    select * from {{ ref('fct_redis_instances') }}

),

final as (

    select
        redis_instance,
        round(cast(used_memory_bytes / 1048576.0 as numeric(14, 3)), 3) as used_memory_mb,
        round(cast(max_memory_bytes / 1048576.0 as numeric(14, 3)), 3) as max_memory_mb,
        memory_used_ratio,
        key_count,
        key_patterns,
        evicted_keys,
        sensitive_keys,
        is_memory_alert,
        snapshot_at

    from redis_instances
    where snapshot_at = (select max(latest.snapshot_at) as latest_snapshot_at from redis_instances as latest)

)

select * from final
order by used_memory_mb desc, redis_instance
