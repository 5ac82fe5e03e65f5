with

source as (

    {{ live_rows(source('fi_tax', 't_tax_filing')) }}

),

renamed as (

    select
        cast(id as bigint) as tax_filing_id,
        cast(status as integer) as tax_filing_status_code,
        cast(tax_due as numeric(12, 2)) as tax_due_usd,
        period_start as period_start_date,
        period_end as period_end_date,
        filed_time as filed_at,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
