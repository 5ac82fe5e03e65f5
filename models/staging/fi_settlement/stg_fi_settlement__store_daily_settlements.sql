with

source as (

    {{ live_rows(source('fi_settlement', 't_shop_daily_settlement')) }}

),

renamed as (

    select
        cast(id as bigint) as store_daily_settlement_id,
        cast(shop_id as bigint) as store_id,
        {{ decode_code('status', {1: 'pending', 2: 'settled'}) }} as settlement_status,
        cast(order_count as bigint) as order_count,
        cast(gross_amount as numeric(12, 2)) as gross_amount_usd,
        cast(discount_amount as numeric(12, 2)) as discount_amount_usd,
        cast(net_amount as numeric(12, 2)) as net_amount_usd,
        cast(refund_amount as numeric(12, 2)) as refund_amount_usd,
        settle_date as settled_date,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
