with

source as (

    {{ live_rows(source('sales_product', 't_sku')) }}

),

renamed as (

    select
        cast(id as bigint) as sku_id,
        cast(product_id as bigint) as product_id,
        cast(sku_no as {{ dbt.type_string() }}) as sku_no,
        cast(size_name as {{ dbt.type_string() }}) as size_name,
        cast(price as numeric(12, 2)) as list_price_usd,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
