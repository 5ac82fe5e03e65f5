-- Report 07, load freshness: per landed schema, the last load, hours behind the latest extract
-- run, loads recorded, tables whose last load failed, and the slowest table load.
with

source_tables as (

    select * from {{ ref('fct_source_tables') }}

),

final as (

    select
        source_schema,
        schema_family,
        count(*) as tables,
        max(last_loaded_at) as last_loaded_at,
        max(hours_behind_latest_run) as max_hours_behind_latest_run,
        max(loads_recorded) as loads_recorded,
        sum(case when last_load_status = 'failed' then 1 else 0 end) as failed_tables,
        max(last_load_duration_seconds) as slowest_table_seconds,
        sum(rows_extracted) as rows_extracted_last_run

    from source_tables
    group by source_schema, schema_family

)

select * from final
order by max_hours_behind_latest_run desc, source_schema
