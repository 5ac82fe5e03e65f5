with

source as (

    {{ live_rows(source('sales_order', 't_refund')) }}

),

renamed as (

    select
        cast(id as bigint) as refund_id,
        cast(order_id as bigint) as order_id,
        cast(refund_no as {{ dbt.type_string() }}) as refund_no,
        cast(reason as {{ dbt.type_string() }}) as refund_reason,
        {{ decode_code('status', {1: 'requested', 2: 'approved', 3: 'rejected'}) }} as refund_status,
        cast(refund_amount as numeric(12, 2)) as refund_amount_usd,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
