with

source as (

    {{ live_rows(source('sales_payment', 't_payment')) }}

),

renamed as (

    select
        cast(id as bigint) as payment_id,
        cast(order_id as bigint) as order_id,
        cast(user_id as bigint) as customer_id,
        cast(payment_no as {{ dbt.type_string() }}) as payment_no,
        {{ decode_code('pay_method', {1: 'apple_pay', 2: 'card', 3: 'google_pay', 4: 'paypal'}) }}
            as payment_method,
        {{ decode_code('status', {1: 'pending', 2: 'succeeded', 3: 'failed', 4: 'refunded'}) }}
            as payment_status,
        cast(amount as numeric(12, 2)) as amount_usd,
        create_time as created_at,
        pay_time as paid_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
