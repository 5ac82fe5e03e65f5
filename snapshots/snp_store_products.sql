{% snapshot snp_store_products %}

{{
    config(
        unique_key='store_product_id',
        strategy='check',
        check_cols=['is_available'],
        hard_deletes='invalidate',
    )
}}

    -- Whether a product is on sale in a store, one version per change seen by a build.
    select
        store_product_id,
        store_id,
        product_id,
        is_available,
        load_id

    from {{ ref('stg_sales_product__store_products') }}

{% endsnapshot %}
