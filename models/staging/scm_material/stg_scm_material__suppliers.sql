with

source as (

    select * from {{ source('scm_material', 't_supplier') }}

),

renamed as (

    select
        cast(id as bigint) as supplier_id,
        cast(supplier_name as {{ dbt.type_string() }}) as supplier_name,
        -- A business contact, hashed all the same: staging lets no email address through.
        {{ hash_pii('contact_email') }} as contact_email_hash,
        cast(lead_time_days as integer) as lead_time_days,
        create_time as created_at,
        update_time as updated_at

    from source

)

select * from renamed
