{% snapshot snp_iot_devices %}

{{
    config(
        unique_key='device_id',
        strategy='check',
        check_cols=['device_status', 'firmware_version'],
        hard_deletes='invalidate',
    )
}}

    -- IoT device status and firmware, one version per change seen by a build.
    select
        device_id,
        store_id,
        device_status,
        firmware_version,
        load_id

    from {{ ref('stg_iot_device__devices') }}

{% endsnapshot %}
