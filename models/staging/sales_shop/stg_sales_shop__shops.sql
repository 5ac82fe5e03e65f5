with

source as (

    {{ live_rows(source('sales_shop', 't_shop')) }}

),

renamed as (

    select
        cast(id as bigint) as store_id,
        cast(shop_no as {{ dbt.type_string() }}) as store_no,
        cast(shop_name as {{ dbt.type_string() }}) as store_name,
        cast(address as {{ dbt.type_string() }}) as street_address,
        cast(borough as {{ dbt.type_string() }}) as borough,
        cast(neighborhood as {{ dbt.type_string() }}) as neighborhood,
        cast(zip_code as {{ dbt.type_string() }}) as zip_code,
        {{ decode_code('status', {1: 'preparing', 2: 'open', 3: 'paused', 4: 'closed'}) }} as store_status,
        cast(business_hours as {{ dbt.type_string() }}) as business_hours_json,
        cast(status as integer) as store_status_code,
        cast(latitude as numeric(9, 6)) as latitude,
        cast(longitude as numeric(9, 6)) as longitude,
        is_deleted,
        open_date as opened_date,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
