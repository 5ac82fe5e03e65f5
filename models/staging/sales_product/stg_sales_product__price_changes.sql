with

source as (

    {{ live_rows(source('sales_product', 't_price_history')) }}

),

renamed as (

    select
        cast(id as bigint) as price_change_id,
        cast(sku_id as bigint) as sku_id,
        cast(old_price as numeric(12, 2)) as old_price_usd,
        cast(new_price as numeric(12, 2)) as new_price_usd,
        effective_time as effective_at,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
