-- Report 06, IoT fleet health by device type: each device's state in the latest Redis snapshot
-- (connectivity as classified in the marts: reported offline, no heartbeat, or a heartbeat
-- older than the allowed intervals), next to what the devices reported about themselves.
with

devices as (

    select * from {{ ref('dim_iot_devices') }}

),

snapshots as (

    select * from {{ ref('fct_iot_device_snapshots') }}

),

latest_snapshot as (

    select
        device_id,
        is_reported_online,
        is_heartbeat_stale

    from snapshots
    where snapshot_at = (select max(latest.snapshot_at) as latest_snapshot_at from snapshots as latest)

),

final as (

    select
        devices.device_type,
        max(devices.device_type_name) as device_type_name,
        count(*) as devices,
        sum(case when devices.latest_connectivity_status = 'online' then 1 else 0 end) as online_devices,
        sum(case when devices.latest_connectivity_status = 'error' then 1 else 0 end) as error_devices,
        sum(case when devices.is_offline then 1 else 0 end) as offline_devices,
        round(cast(sum(case when devices.is_offline then 1 else 0 end) * 1.0 / count(*) as numeric(8, 4)), 4)
            as offline_share,
        round(
            cast(
                sum(case when latest_snapshot.is_reported_online then 0 else 1 end) * 1.0 / count(*) as numeric(8, 4)
            ),
            4
        ) as reported_offline_share,
        round(
            cast(
                sum(case when latest_snapshot.is_heartbeat_stale then 1 else 0 end) * 1.0 / count(*) as numeric(8, 4)
            ),
            4
        ) as stale_heartbeat_share,
        sum(devices.offline_events) as offline_events,
        sum(devices.error_events) as error_events,
        sum(devices.out_of_range_readings) as out_of_range_readings

    from devices
    left join latest_snapshot on devices.device_id = latest_snapshot.device_id
    group by devices.device_type

)

select * from final
order by offline_share desc, device_type
