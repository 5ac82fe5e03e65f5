with

source as (

    {{ live_rows(source('isales_market', 't_coupon')) }}

),

renamed as (

    select
        cast(id as bigint) as coupon_id,
        cast(template_id as bigint) as coupon_template_id,
        cast(user_id as bigint) as customer_id,
        cast(order_id as bigint) as order_id,
        cast(coupon_no as {{ dbt.type_string() }}) as coupon_no,
        {{ decode_code('status', {0: 'unused', 1: 'used', 2: 'expired'}) }} as coupon_status,
        issue_time as issued_at,
        expire_time as expires_at,
        use_time as used_at,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
