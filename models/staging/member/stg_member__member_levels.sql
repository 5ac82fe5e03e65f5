with

source as (

    {{ live_rows(source('member', 't_member_level')) }}

),

renamed as (

    select
        cast(id as bigint) as member_level_id,
        cast(level_name as {{ dbt.type_string() }}) as member_level_name,
        cast(min_points as bigint) as min_points,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
