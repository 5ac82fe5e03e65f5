with

source as (

    {{ live_rows(source('member', 't_member_points_log')) }}

),

renamed as (

    select
        cast(id as bigint) as points_transaction_id,
        cast(member_id as bigint) as member_id,
        cast(order_id as bigint) as order_id,
        cast(reason as {{ dbt.type_string() }}) as points_reason,
        cast(points_delta as bigint) as points_delta,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
