with

source as (

    {{ live_rows(source('fi_tax', 't_tax_record')) }}

),

renamed as (

    select
        cast(id as bigint) as tax_record_id,
        cast(order_id as bigint) as order_id,
        cast(shop_id as bigint) as store_id,
        cast(taxable_amount as numeric(12, 2)) as taxable_amount_usd,
        cast(tax_amount as numeric(12, 2)) as tax_amount_usd,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
