with

source as (

    {{ live_rows(source('scm_purchase', 't_delivery_receipt')) }}

),

renamed as (

    select
        cast(id as bigint) as delivery_receipt_id,
        cast(po_id as bigint) as purchase_order_id,
        cast(shop_id as bigint) as store_id,
        is_complete,
        received_time as received_at,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
