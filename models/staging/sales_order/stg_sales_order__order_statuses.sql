-- The source's own code list for t_order.status (t_dict_order_status): the one place order
-- status codes are decoded (int_orders_sequenced_per_customer joins it), instead of CASE maps.
with

source as (

    {{ live_rows(source('sales_order', 't_dict_order_status')) }}

),

renamed as (

    select
        cast(code as integer) as order_status_code,
        lower(trim(cast(name as {{ dbt.type_string() }}))) as order_status,
        cast(description as {{ dbt.type_string() }}) as order_status_description,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
