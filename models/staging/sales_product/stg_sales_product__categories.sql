with

source as (

    {{ live_rows(source('sales_product', 't_category')) }}

),

renamed as (

    select
        cast(id as bigint) as category_id,
        cast(category_name as {{ dbt.type_string() }}) as category_name,
        cast(sort_order as integer) as sort_order,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
