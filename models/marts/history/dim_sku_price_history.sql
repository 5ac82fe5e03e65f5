-- Every list price of each SKU, with its validity range.
with

versions as (

    select * from {{ ref('snp_skus') }}

),

final as (

    {{ history_from_snapshot('versions', 'sku_id', ['product_id', 'list_price_usd'], 'sku_price_version_id') }}

)

select * from final
