-- Report 07, empty tables: every landed table with no rows in the source, and whether its whole
-- schema is empty (the loyalty and tax schemas are, by design of the business).
with

source_tables as (

    select * from {{ ref('fct_source_tables') }}

),

schema_flags as (

    select
        source_schema,
        count(*) as schema_tables,
        sum(case when is_empty then 1 else 0 end) as schema_empty_tables

    from source_tables
    group by source_schema

),

final as (

    select
        source_tables.source_schema,
        source_tables.source_table,
        source_tables.schema_family,
        schema_flags.schema_tables,
        schema_flags.schema_tables = schema_flags.schema_empty_tables as is_schema_empty,
        source_tables.last_loaded_at

    from source_tables
    inner join schema_flags on source_tables.source_schema = schema_flags.source_schema
    where source_tables.is_empty

)

select * from final
order by is_schema_empty desc, source_schema, source_table
