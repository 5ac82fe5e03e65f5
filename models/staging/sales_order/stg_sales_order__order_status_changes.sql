{%- set statuses = {
    10: 'created', 20: 'paid', 30: 'making', 40: 'ready',
    50: 'completed', 60: 'cancelled', 70: 'refunded'} -%}

with

source as (

    {{ live_rows(source('sales_order', 't_order_status_log')) }}

),

renamed as (

    select
        cast(id as bigint) as order_status_change_id,
        cast(order_id as bigint) as order_id,
        {{ decode_code('from_status', statuses) }} as from_status,
        {{ decode_code('to_status', statuses) }} as to_status,
        cast(operator as {{ dbt.type_string() }}) as changed_by,
        create_time as changed_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
