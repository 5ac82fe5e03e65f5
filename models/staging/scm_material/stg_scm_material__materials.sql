with

source as (

    {{ live_rows(source('scm_material', 't_material')) }}

),

renamed as (

    select
        cast(id as bigint) as material_id,
        cast(supplier_id as bigint) as supplier_id,
        cast(material_code as {{ dbt.type_string() }}) as material_code,
        cast(material_name as {{ dbt.type_string() }}) as material_name,
        cast(category as {{ dbt.type_string() }}) as material_category,
        cast(unit as {{ dbt.type_string() }}) as unit_of_measure,
        cast(unit_cost as numeric(12, 4)) as unit_cost_usd,
        cast(shelf_life_days as integer) as shelf_life_days,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
