with

source as (

    select * from {{ source('sales_shop', 't_shop') }}

),

renamed as (

    select
        cast(id as bigint) as store_id,
        shop_no as store_no,
        shop_name as store_name,
        address as street_address,
        borough,
        neighborhood,
        zip_code,
        {{ decode_code('status', {1: 'preparing', 2: 'open', 3: 'paused', 4: 'closed'}) }} as store_status,
        cast(business_hours as {{ dbt.type_string() }}) as business_hours_json,
        cast(status as integer) as store_status_code,
        cast(latitude as numeric(9, 6)) as latitude,
        cast(longitude as numeric(9, 6)) as longitude,
        is_deleted,
        open_date as opened_date,
        create_time as created_at,
        update_time as updated_at

    from source

)

select * from renamed
