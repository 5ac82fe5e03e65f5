with

source as (

    {{ live_rows(source('sales_order', 't_order')) }}

),

renamed as (

    select
        cast(id as bigint) as order_id,
        cast(user_id as bigint) as customer_id,
        cast(shop_id as bigint) as store_id,
        cast(coupon_id as bigint) as coupon_id,
        cast(order_no as {{ dbt.type_string() }}) as order_no,
        {{ decode_code('channel', {1: 'pickup', 2: 'delivery'}) }} as order_channel,
        cast(remark as {{ dbt.type_string() }}) as order_remark,
        cast(status as integer) as order_status_code,
        cast(item_count as integer) as item_count,
        cast(total_amount as numeric(12, 2)) as gross_amount_usd,
        cast(discount_amount as numeric(12, 2)) as discount_amount_usd,
        cast(pay_amount as numeric(12, 2)) as paid_amount_usd,
        is_deleted,
        create_time as ordered_at,
        pay_time as paid_at,
        complete_time as completed_at,
        cancel_time as cancelled_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
