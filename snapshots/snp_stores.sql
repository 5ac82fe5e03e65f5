{% snapshot snp_stores %}

{{
    config(
        unique_key='store_id',
        strategy='check',
        check_cols=['store_status', 'business_hours_json'],
        hard_deletes='invalidate',
    )
}}

    -- Store status and opening hours, one version per change seen by a build.
    select
        store_id,
        store_status,
        business_hours_json,
        load_id

    from {{ ref('stg_sales_shop__shops') }}

{% endsnapshot %}
