-- One row per installed device, with its type's expectations and its state in the latest
-- Redis snapshot that saw it.
with

devices as (

    select * from {{ ref('stg_iot_device__devices') }}

),

device_types as (

    select * from {{ ref('stg_iot_device__device_types') }}

),

type_catalogue as (

    select * from {{ ref('iot_device_types') }}

),

events as (

    select * from {{ ref('stg_iot_device__device_events') }}

),

snapshots as (

    select * from {{ ref('fct_iot_device_snapshots') }}

),

latest as (

    select
        snapshots.*,
        row_number() over (partition by snapshots.device_id order by snapshots.snapshot_at desc) as recency_rank

    from snapshots

),

event_counts as (

    select
        device_id,
        sum(case when device_event_type = 'offline' then 1 else 0 end) as offline_events,
        sum(case when device_event_type = 'error' then 1 else 0 end) as error_events,
        sum(case when is_reading_out_of_range then 1 else 0 end) as out_of_range_readings

    from events
    group by device_id

),

final as (

    select
        devices.device_id,
        devices.device_type_id,
        devices.store_id,
        latest.snapshot_id as latest_snapshot_id,
        devices.device_sn,
        device_types.device_type,
        device_types.device_type_name,
        devices.device_model,
        devices.firmware_version,
        devices.device_status,
        latest.connectivity_status as latest_connectivity_status,
        latest.error_code as latest_error_code,
        cast(type_catalogue.expected_heartbeat_seconds as integer) as expected_heartbeat_seconds,
        latest.heartbeat_age_seconds as latest_heartbeat_age_seconds,
        latest.temperature_f as latest_temperature_f,
        cast(coalesce(event_counts.offline_events, 0) as integer) as offline_events,
        cast(coalesce(event_counts.error_events, 0) as integer) as error_events,
        cast(coalesce(event_counts.out_of_range_readings, 0) as integer) as out_of_range_readings,
        latest.is_offline,
        devices.installed_date,
        latest.last_heartbeat_at,
        latest.snapshot_at as latest_snapshot_at

    from devices
    left join device_types
        on devices.device_type_id = device_types.device_type_id
    left join type_catalogue
        on device_types.device_type = type_catalogue.device_type
    left join latest
        on devices.device_id = latest.device_id and latest.recency_rank = 1
    left join event_counts
        on devices.device_id = event_counts.device_id

)

select * from final
