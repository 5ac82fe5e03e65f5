with

source as (

    {{ live_rows(source('sales_payment', 't_payment_refund')) }}

),

renamed as (

    select
        cast(id as bigint) as payment_refund_id,
        cast(payment_id as bigint) as payment_id,
        cast(order_id as bigint) as order_id,
        {{ decode_code('status', {1: 'processing', 2: 'succeeded'}) }} as payment_refund_status,
        cast(amount as numeric(12, 2)) as amount_usd,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
