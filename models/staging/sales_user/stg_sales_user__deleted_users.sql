-- Users deleted in the source: the keys incremental models delete.
with

source as (

    {{ deleted_rows(source('sales_user', 't_user')) }}

),

renamed as (

    select
        cast(id as bigint) as customer_id,
        _luckin_deleted_at as deleted_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
