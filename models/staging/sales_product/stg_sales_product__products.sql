with

source as (

    {{ live_rows(source('sales_product', 't_product')) }}

),

renamed as (

    select
        cast(id as bigint) as product_id,
        cast(category_id as bigint) as category_id,
        cast(product_no as {{ dbt.type_string() }}) as product_no,
        cast(product_name as {{ dbt.type_string() }}) as product_name,
        cast(description as {{ dbt.type_string() }}) as product_description,
        is_active,
        launch_date as launched_date,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
