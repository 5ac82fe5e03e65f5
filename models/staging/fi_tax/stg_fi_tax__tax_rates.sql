with

source as (

    {{ live_rows(source('fi_tax', 't_tax_rate')) }}

),

renamed as (

    select
        cast(id as bigint) as tax_rate_id,
        cast(jurisdiction as {{ dbt.type_string() }}) as jurisdiction,
        cast(rate as numeric(8, 5)) as tax_rate,
        effective_date,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
