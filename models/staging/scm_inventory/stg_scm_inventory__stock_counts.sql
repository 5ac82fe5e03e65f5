with

source as (

    {{ live_rows(source('scm_inventory', 't_stock_count')) }}

),

renamed as (

    select
        cast(id as bigint) as stock_count_id,
        cast(shop_id as bigint) as store_id,
        cast(material_id as bigint) as material_id,
        cast(quantity as numeric(14, 3)) as counted_quantity,
        count_date as counted_date,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
