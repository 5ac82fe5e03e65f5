with

source as (

    {{ live_rows(source('iot_device', 't_device')) }}

),

renamed as (

    select
        cast(id as bigint) as device_id,
        cast(device_type_id as bigint) as device_type_id,
        cast(shop_id as bigint) as store_id,
        cast(device_sn as {{ dbt.type_string() }}) as device_sn,
        cast(model as {{ dbt.type_string() }}) as device_model,
        cast(firmware_version as {{ dbt.type_string() }}) as firmware_version,
        {{ decode_code('status', {1: 'active', 2: 'maintenance', 3: 'retired'}) }} as device_status,
        install_date as installed_date,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
