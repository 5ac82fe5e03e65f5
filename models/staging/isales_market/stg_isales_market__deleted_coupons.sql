-- Coupons deleted in the source: the keys incremental marts delete.
with

source as (

    {{ deleted_rows(source('isales_market', 't_coupon')) }}

),

renamed as (

    select
        cast(id as bigint) as coupon_id,
        _luckin_deleted_at as deleted_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
