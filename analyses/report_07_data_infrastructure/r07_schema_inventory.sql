-- Report 07, schema inventory: every landed schema (MySQL and the Redis snapshot tables) with
-- its tables, empty tables, rows in the source and in the warehouse, and whether they match.
with

source_tables as (

    select * from {{ ref('fct_source_tables') }}

),

final as (

    select
        schema_family,
        source_schema,
        count(*) as tables,
        sum(case when is_empty then 1 else 0 end) as empty_tables,
        sum(rows_in_source) as rows_in_source,
        sum(rows_in_warehouse) as rows_in_warehouse,
        sum(case when is_row_count_matching then 0 else 1 end) as tables_not_matching,
        sum(zero_dates_nulled) as zero_dates_nulled,
        min(last_loaded_at) as first_table_loaded_at,
        max(last_loaded_at) as last_table_loaded_at

    from source_tables
    group by schema_family, source_schema

)

select * from final
order by schema_family, rows_in_source desc, source_schema
