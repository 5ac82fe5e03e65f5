with

source as (

    {{ live_rows(source('sales_user', 't_dict_register_channel')) }}

),

renamed as (

    select
        cast(code as integer) as registration_channel_code,
        cast(name as {{ dbt.type_string() }}) as registration_channel,
        cast(description as {{ dbt.type_string() }}) as registration_channel_description,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
