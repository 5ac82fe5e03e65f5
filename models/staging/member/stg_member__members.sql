with

source as (

    {{ live_rows(source('member', 't_member')) }}

),

renamed as (

    select
        cast(id as bigint) as member_id,
        cast(user_id as bigint) as customer_id,
        cast(level_id as bigint) as member_level_id,
        cast(points_balance as bigint) as points_balance,
        join_time as joined_at,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
