with

source as (

    select * from {{ source('iot_device', 't_device_type') }}

),

renamed as (

    select
        cast(id as bigint) as device_type_id,
        cast(type_code as {{ dbt.type_string() }}) as device_type,
        cast(type_name as {{ dbt.type_string() }}) as device_type_name

    from source

)

select * from renamed
