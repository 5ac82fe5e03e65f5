with

source as (

    select * from {{ source('iot_device', 't_device_type') }}

),

renamed as (

    select
        cast(id as bigint) as device_type_id,
        type_code as device_type,
        type_name as device_type_name

    from source

)

select * from renamed
