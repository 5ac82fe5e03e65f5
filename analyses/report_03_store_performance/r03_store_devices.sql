-- Report 03, store pages: each store's IoT devices by type in the latest snapshot, how many
-- are offline, and the oldest heartbeat among them (hours).
with

devices as (

    select * from {{ ref('dim_iot_devices') }}

),

final as (

    select
        store_id,
        device_type,
        count(*) as devices,
        sum(case when is_offline then 1 else 0 end) as offline_devices,
        sum(case when latest_connectivity_status = 'error' then 1 else 0 end) as error_devices,
        round(cast(max(latest_heartbeat_age_seconds) / 3600.0 as numeric(10, 1)), 1) as oldest_heartbeat_hours

    from devices
    group by store_id, device_type

)

select * from final
order by store_id, device_type
