with

source as (

    select * from {{ source('sales_product', 't_category') }}

),

renamed as (

    select
        cast(id as bigint) as category_id,
        cast(category_name as {{ dbt.type_string() }}) as category_name,
        cast(sort_order as integer) as sort_order,
        create_time as created_at,
        update_time as updated_at

    from source

)

select * from renamed
