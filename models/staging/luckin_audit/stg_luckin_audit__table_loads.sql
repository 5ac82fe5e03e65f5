with

source as (

    select * from {{ source('luckin_audit', 'load_audit') }}

),

renamed as (

    select
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(source_schema as {{ dbt.type_string() }}) as source_schema,
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(strategy as {{ dbt.type_string() }}) as load_strategy,
        cast(status as {{ dbt.type_string() }}) as load_status,
        cast(rows_in_source as bigint) as rows_in_source,
        cast(rows_extracted as bigint) as rows_extracted,
        cast(rows_in_warehouse as bigint) as rows_in_warehouse,
        cast(zero_dates_nulled as bigint) as zero_dates_nulled,
        cast(duration_seconds as numeric(12, 3)) as duration_seconds,
        started_at

    from source

)

select * from renamed
