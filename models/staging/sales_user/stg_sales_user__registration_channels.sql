with

source as (

    select * from {{ source('sales_user', 't_dict_register_channel') }}

),

renamed as (

    select
        cast(code as integer) as registration_channel_code,
        name as registration_channel,
        description as registration_channel_description

    from source

)

select * from renamed
