with

source as (

    {{ live_rows(source('iot_device', 't_device_type')) }}

),

renamed as (

    select
        cast(id as bigint) as device_type_id,
        cast(type_code as {{ dbt.type_string() }}) as device_type,
        cast(type_name as {{ dbt.type_string() }}) as device_type_name,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
