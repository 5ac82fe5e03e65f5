-- One row per landed source table (schema x table, and the Redis snapshot tables), from
-- the latest extract run that read it: rows in MySQL, rows extracted, rows in the
-- warehouse, whether it is empty, and how fresh the load is relative to the latest run.
with

loads as (

    select * from {{ ref('stg_luckin_audit__table_loads') }}

),

ranked as (

    select
        loads.*,
        row_number() over (
            partition by loads.source_schema, loads.source_table
            order by loads.started_at desc, loads.run_id desc
        ) as recency_rank,
        count(*) over (partition by loads.source_schema, loads.source_table) as loads_recorded

    from loads

),

latest_run as (

    select max(started_at) as latest_started_at
    from loads

),

final as (

    select
        ranked.source_schema || '.' || ranked.source_table as source_table_id,
        ranked.run_id as last_run_id,
        ranked.source_schema,
        ranked.source_table,
        case
            when ranked.source_schema = 'redis_snapshots' then 'redis'
            when ranked.source_schema like 'fi!_%' escape '!' then 'finance'
            else 'microservice'
        end as schema_family,
        ranked.load_strategy,
        ranked.load_status as last_load_status,
        ranked.rows_in_source,
        ranked.rows_extracted,
        ranked.rows_in_warehouse,
        ranked.zero_dates_nulled,
        cast(ranked.loads_recorded as integer) as loads_recorded,
        ranked.duration_seconds as last_load_duration_seconds,
        cast({{ seconds_between('ranked.started_at', 'latest_run.latest_started_at') }} / 3600.0 as numeric(12, 2))
            as hours_behind_latest_run,
        coalesce(ranked.rows_in_source, 0) = 0 as is_empty,
        -- Unknown (null) where the audit has no count to compare: the Redis snapshot tables.
        ranked.rows_in_source = ranked.rows_in_warehouse as is_row_count_matching,
        ranked.started_at = latest_run.latest_started_at as is_in_latest_run,
        ranked.started_at as last_loaded_at

    from ranked
    cross join latest_run
    where ranked.recency_rank = 1

)

select * from final
