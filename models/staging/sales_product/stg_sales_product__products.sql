with

source as (

    select * from {{ source('sales_product', 't_product') }}

),

renamed as (

    select
        cast(id as bigint) as product_id,
        cast(category_id as bigint) as category_id,
        product_no,
        product_name,
        description as product_description,
        is_active,
        launch_date as launched_date,
        create_time as created_at,
        update_time as updated_at

    from source

)

select * from renamed
