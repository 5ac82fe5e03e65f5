-- Device x Redis snapshot: is it online, how old is its heartbeat, what does it read.
-- "Offline" follows int_device_states_classified: reported offline, or heartbeat stale.
with

states as (

    select * from {{ ref('int_device_states_classified') }}

),

final as (

    select
        {{ surrogate_key(['snapshot_id', 'device_id']) }} as device_snapshot_id,
        snapshot_id,
        device_id,
        store_id,
        device_type,
        connectivity_status,
        error_code,
        cast(heartbeat_age_seconds as numeric(14, 3)) as heartbeat_age_seconds,
        cast(expected_heartbeat_seconds as integer) as expected_heartbeat_seconds,
        cast(temperature_f as numeric(8, 2)) as temperature_f,
        connectivity_status = 'offline' as is_offline,
        coalesce(is_reported_online, false) as is_reported_online,
        is_heartbeat_stale,
        error_code is not null as has_error,
        is_temperature_out_of_range,
        is_temperature_abnormal,
        {{ to_local_date('snapshot_at') }} as snapshot_date,
        snapshot_at,
        last_heartbeat_at

    from states

)

select * from final
