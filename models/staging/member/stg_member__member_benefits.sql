with

source as (

    {{ live_rows(source('member', 't_member_benefit')) }}

),

renamed as (

    select
        cast(id as bigint) as member_benefit_id,
        cast(level_id as bigint) as member_level_id,
        cast(benefit_name as {{ dbt.type_string() }}) as benefit_name,
        cast(benefit_config as {{ dbt.type_string() }}) as benefit_config_json,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
