-- Readings no store device can produce (below -60 F or above 600 F; ovens run at up to
-- 480 F) are sensor glitches: nullified and flagged, not dropped.
with

source as (

    {{ live_rows(source('iot_device', 't_device_event')) }}

),

renamed as (

    select
        cast(id as bigint) as device_event_id,
        cast(device_id as bigint) as device_id,
        {{ decode_code('event_type', {1: 'online', 2: 'offline', 3: 'error', 4: 'reading'}) }}
            as device_event_type,
        cast(error_code as {{ dbt.type_string() }}) as error_code,
        cast(payload as {{ dbt.type_string() }}) as payload_json,
        case
            when reading_value between -60 and 600 then cast(reading_value as numeric(8, 2))
        end as temperature_f,
        coalesce(reading_value not between -60 and 600, false) as is_reading_out_of_range,
        event_time as occurred_at,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
