with

source as (

    {{ live_rows(source('scm_purchase', 't_purchase_order_line')) }}

),

renamed as (

    select
        cast(id as bigint) as purchase_order_line_id,
        cast(po_id as bigint) as purchase_order_id,
        cast(material_id as bigint) as material_id,
        cast(quantity as numeric(14, 3)) as quantity,
        cast(unit_cost as numeric(12, 4)) as unit_cost_usd,
        cast(line_amount as numeric(12, 2)) as line_amount_usd,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
