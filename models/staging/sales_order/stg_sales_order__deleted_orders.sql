-- Orders deleted in the source (the extract keeps them in raw, flagged): the keys incremental marts delete.
with

source as (

    {{ deleted_rows(source('sales_order', 't_order')) }}

),

renamed as (

    select
        cast(id as bigint) as order_id,
        cast(user_id as bigint) as customer_id,
        cast(shop_id as bigint) as store_id,
        cast(coupon_id as bigint) as coupon_id,
        {{ to_local_date('create_time') }} as order_date,
        create_time as ordered_at,
        _luckin_deleted_at as deleted_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
