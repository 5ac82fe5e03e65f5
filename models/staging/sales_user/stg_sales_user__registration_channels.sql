with

source as (

    select * from {{ source('sales_user', 't_dict_register_channel') }}

),

renamed as (

    select
        cast(code as integer) as registration_channel_code,
        cast(name as {{ dbt.type_string() }}) as registration_channel,
        cast(description as {{ dbt.type_string() }}) as registration_channel_description

    from source

)

select * from renamed
