with

source as (

    {{ live_rows(source('sales_order', 't_order_item')) }}

),

renamed as (

    select
        cast(id as bigint) as order_item_id,
        cast(order_id as bigint) as order_id,
        cast(product_id as bigint) as product_id,
        cast(sku_id as bigint) as sku_id,
        cast(product_name as {{ dbt.type_string() }}) as product_name,
        cast(quantity as integer) as quantity,
        cast(unit_price as numeric(12, 2)) as unit_price_usd,
        cast(unit_price * quantity as numeric(12, 2)) as gross_amount_usd,
        cast(discount_amount as numeric(12, 2)) as discount_amount_usd,
        cast(pay_amount as numeric(12, 2)) as paid_amount_usd,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
