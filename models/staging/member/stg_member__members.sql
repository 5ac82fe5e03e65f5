with

source as (

    select * from {{ source('member', 't_member') }}

),

renamed as (

    select
        cast(id as bigint) as member_id,
        cast(user_id as bigint) as customer_id,
        cast(level_id as bigint) as member_level_id,
        cast(points_balance as bigint) as points_balance,
        join_time as joined_at,
        create_time as created_at,
        update_time as updated_at

    from source

)

select * from renamed
