-- Report 06, IoT fleet health by store: devices per store in the latest snapshot, offline and
-- in error, and the share offline.
with

devices as (

    select * from {{ ref('dim_iot_devices') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

final as (

    select
        stores.store_id,
        stores.store_name,
        count(*) as devices,
        sum(case when devices.is_offline then 1 else 0 end) as offline_devices,
        sum(case when devices.latest_connectivity_status = 'error' then 1 else 0 end) as error_devices,
        round(cast(sum(case when devices.is_offline then 1 else 0 end) * 1.0 / count(*) as numeric(8, 4)), 4)
            as offline_share

    from devices
    inner join stores on devices.store_id = stores.store_id
    group by stores.store_id, stores.store_name

)

select * from final
order by store_id
