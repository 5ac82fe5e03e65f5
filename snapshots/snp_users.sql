{% snapshot snp_users %}

{{
    config(
        unique_key='customer_id',
        strategy='check',
        check_cols=['account_status'],
        hard_deletes='invalidate',
    )
}}

    -- User account status (active, frozen, closed), one version per change seen by a build.
    select
        customer_id,
        account_status,
        load_id

    from {{ ref('stg_sales_user__users') }}

{% endsnapshot %}
