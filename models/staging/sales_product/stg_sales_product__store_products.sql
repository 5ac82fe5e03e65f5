with

source as (

    {{ live_rows(source('sales_product', 't_shop_product')) }}

),

renamed as (

    select
        cast(id as bigint) as store_product_id,
        cast(shop_id as bigint) as store_id,
        cast(product_id as bigint) as product_id,
        is_available,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
