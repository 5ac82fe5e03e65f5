with

source as (

    {{ live_rows(source('sales_delivery', 't_delivery_order')) }}

),

renamed as (

    select
        cast(id as bigint) as delivery_order_id,
        cast(order_id as bigint) as order_id,
        {{ decode_code('platform', {1: 'doordash', 2: 'uber_eats', 3: 'grubhub'}) }} as delivery_platform,
        cast(platform_order_no as {{ dbt.type_string() }}) as platform_order_no,
        {{ decode_code('status', {1: 'dispatched', 2: 'picked_up', 3: 'delivered', 4: 'cancelled'}) }}
            as delivery_status,
        cast(delivery_fee as numeric(12, 2)) as delivery_fee_usd,
        cast(distance_miles as numeric(8, 2)) as distance_miles,
        dispatch_time as dispatched_at,
        pickup_time as picked_up_at,
        deliver_time as delivered_at,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
