-- Status codes as the source wrote them: their labels are in stg_sales_order__order_statuses.
with

source as (

    {{ live_rows(source('sales_order', 't_order_status_log')) }}

),

renamed as (

    select
        cast(id as bigint) as order_status_change_id,
        cast(order_id as bigint) as order_id,
        cast(from_status as integer) as from_status_code,
        cast(to_status as integer) as to_status_code,
        cast(operator as {{ dbt.type_string() }}) as changed_by,
        create_time as changed_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
