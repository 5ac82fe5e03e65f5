-- Every availability state of each product in each store, with its validity range.
with

versions as (

    select * from {{ ref('snp_store_products') }}

),

final as (

    {{ history_from_snapshot(
        'versions', 'store_product_id', ['store_id', 'product_id', 'is_available'], 'store_product_version_id'
    ) }}

)

select * from final
