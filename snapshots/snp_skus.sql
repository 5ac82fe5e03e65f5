{% snapshot snp_skus %}

{{
    config(
        unique_key='sku_id',
        strategy='check',
        check_cols=['list_price_usd'],
        hard_deletes='invalidate',
    )
}}

    -- SKU list prices, one version per change seen by a build.
    select
        sku_id,
        product_id,
        list_price_usd,
        load_id

    from {{ ref('stg_sales_product__skus') }}

{% endsnapshot %}
