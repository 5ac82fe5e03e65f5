with

source as (

    {{ live_rows(source('scm_inventory', 't_stock_movement')) }}

),

renamed as (

    select
        cast(id as bigint) as stock_movement_id,
        cast(shop_id as bigint) as store_id,
        cast(material_id as bigint) as material_id,
        {{ decode_code('movement_type', {
            1: 'receipt', 2: 'consumption', 3: 'waste', 4: 'transfer_in', 5: 'transfer_out'}) }}
            as movement_type,
        cast(reference_no as {{ dbt.type_string() }}) as reference_no,
        -- Quantities are recorded unsigned; the sign follows from the movement type.
        cast(quantity as numeric(14, 3)) as quantity,
        cast(case when movement_type in (1, 4) then quantity else -quantity end as numeric(14, 3))
            as signed_quantity,
        movement_date,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
