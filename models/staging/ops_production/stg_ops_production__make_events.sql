with

source as (

    {{ live_rows(source('ops_production', 't_make_event')) }}

),

renamed as (

    select
        cast(id as bigint) as make_event_id,
        cast(order_id as bigint) as order_id,
        cast(shop_id as bigint) as store_id,
        {{ decode_code('event_type', {1: 'queued', 2: 'started', 3: 'finished', 4: 'picked_up'}) }}
            as make_event_type,
        cast(station_no as integer) as station_no,
        event_time as occurred_at,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
