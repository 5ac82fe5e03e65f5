with

source as (

    {{ live_rows(source('scm_material', 't_supplier')) }}

),

renamed as (

    select
        cast(id as bigint) as supplier_id,
        cast(supplier_name as {{ dbt.type_string() }}) as supplier_name,
        -- A business contact, hashed all the same: staging lets no email address through.
        {{ hash_pii('contact_email') }} as contact_email_hash,
        cast(lead_time_days as integer) as lead_time_days,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
