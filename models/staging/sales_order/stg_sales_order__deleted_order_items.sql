-- Order lines deleted in the source: the keys incremental marts delete.
with

source as (

    {{ deleted_rows(source('sales_order', 't_order_item')) }}

),

renamed as (

    select
        cast(id as bigint) as order_item_id,
        cast(order_id as bigint) as order_id,
        _luckin_deleted_at as deleted_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
