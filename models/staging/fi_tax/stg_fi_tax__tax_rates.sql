with

source as (

    select * from {{ source('fi_tax', 't_tax_rate') }}

),

renamed as (

    select
        cast(id as bigint) as tax_rate_id,
        cast(jurisdiction as {{ dbt.type_string() }}) as jurisdiction,
        cast(rate as numeric(8, 5)) as tax_rate,
        effective_date,
        create_time as created_at,
        update_time as updated_at

    from source

)

select * from renamed
