-- Every status and firmware of each IoT device, with its validity range.
with

versions as (

    select * from {{ ref('snp_iot_devices') }}

),

final as (

    {{ history_from_snapshot(
        'versions', 'device_id', ['store_id', 'device_status', 'firmware_version'], 'device_version_id'
    ) }}

)

select * from final
