-- Each device's state in each Redis snapshot, classified. A device is offline when it says
-- so, or when its last heartbeat is older than var('heartbeat_missed_intervals') of the
-- intervals its type is expected to keep (seed iot_device_types) - a device that died
-- cannot report itself offline. Heartbeat age is measured against the fleet's clock: the
-- latest heartbeat any device sent in the same snapshot, not the extractor's snapshot time,
-- which can be far from the devices' (a simulated estate, a skewed clock).
with

states as (

    select * from {{ ref('stg_redis_snapshots__device_states') }}

),

device_types as (

    select * from {{ ref('iot_device_types') }}

),

fleet_clock as (

    select
        snapshot_id,
        max(last_heartbeat_at) as fleet_clock_at

    from states
    group by snapshot_id

),

measured as (

    select
        states.*,
        device_types.expected_heartbeat_seconds,
        device_types.normal_min_temperature_f,
        device_types.normal_max_temperature_f,
        {{ seconds_between('states.last_heartbeat_at', 'fleet_clock.fleet_clock_at') }} as heartbeat_age_seconds

    from states
    left join device_types
        on states.device_type = device_types.device_type
    left join fleet_clock
        on states.snapshot_id = fleet_clock.snapshot_id

),

final as (

    select
        snapshot_id,
        device_id,
        store_id,
        device_sn,
        device_type,
        error_code,
        case
            when not coalesce(is_reported_online, false) then 'offline'
            when last_heartbeat_at is null then 'offline'
            when heartbeat_age_seconds > expected_heartbeat_seconds * {{ var('heartbeat_missed_intervals') }}
                then 'offline'
            when error_code is not null then 'error'
            else 'online'
        end as connectivity_status,
        expected_heartbeat_seconds,
        heartbeat_age_seconds,
        temperature_f,
        is_reported_online,
        coalesce(
            heartbeat_age_seconds > expected_heartbeat_seconds * {{ var('heartbeat_missed_intervals') }},
            last_heartbeat_at is null
        ) as is_heartbeat_stale,
        is_temperature_out_of_range,
        coalesce(
            temperature_f < normal_min_temperature_f or temperature_f > normal_max_temperature_f,
            false
        ) as is_temperature_abnormal,
        last_heartbeat_at,
        snapshot_at

    from measured

)

select * from final
