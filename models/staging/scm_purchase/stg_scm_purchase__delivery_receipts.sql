with

source as (

    select * from {{ source('scm_purchase', 't_delivery_receipt') }}

),

renamed as (

    select
        cast(id as bigint) as delivery_receipt_id,
        cast(po_id as bigint) as purchase_order_id,
        cast(shop_id as bigint) as store_id,
        is_complete,
        received_time as received_at,
        create_time as created_at

    from source

)

select * from renamed
