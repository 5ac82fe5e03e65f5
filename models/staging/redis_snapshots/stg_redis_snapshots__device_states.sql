-- Readings no store device can produce (below -60 F or above 600 F; ovens run at up to
-- 480 F) are sensor glitches: nullified and flagged, not dropped.
with

source as (

    select * from {{ source('redis_snapshots', 'iot_device_state') }}

),

renamed as (

    select
        cast(snapshot_id as {{ dbt.type_string() }}) as snapshot_id,
        cast(device_id as bigint) as device_id,
        cast(shop_id as bigint) as store_id,
        cast(device_sn as {{ dbt.type_string() }}) as device_sn,
        cast(device_type as {{ dbt.type_string() }}) as device_type,
        cast(nullif(error_code, '') as {{ dbt.type_string() }}) as error_code,
        case
            when temperature_f between -60 and 600 then cast(temperature_f as numeric(8, 2))
        end as temperature_f,
        is_online as is_reported_online,
        coalesce(temperature_f not between -60 and 600, false) as is_temperature_out_of_range,
        last_heartbeat_at,
        snapshot_at

    from source

)

select * from renamed
