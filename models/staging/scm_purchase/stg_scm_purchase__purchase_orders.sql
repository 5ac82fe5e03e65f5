with

source as (

    {{ live_rows(source('scm_purchase', 't_purchase_order')) }}

),

renamed as (

    select
        cast(id as bigint) as purchase_order_id,
        cast(supplier_id as bigint) as supplier_id,
        cast(shop_id as bigint) as store_id,
        cast(po_no as {{ dbt.type_string() }}) as purchase_order_no,
        {{ decode_code('status', {1: 'submitted', 2: 'confirmed', 3: 'delivered', 4: 'cancelled'}) }}
            as purchase_order_status,
        cast(total_amount as numeric(12, 2)) as total_amount_usd,
        order_date as ordered_date,
        expected_date,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
