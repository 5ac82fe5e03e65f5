-- Make-queue events deleted in the source: their orders are pivoted again.
with

source as (

    {{ deleted_rows(source('ops_production', 't_make_event')) }}

),

renamed as (

    select
        cast(id as bigint) as make_event_id,
        cast(order_id as bigint) as order_id,
        _luckin_deleted_at as deleted_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
