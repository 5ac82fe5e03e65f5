-- Price history: one row per list-price change of a SKU, valid from its effective time to
-- the next change (open-ended while current). Built from t_price_history, which records
-- every change, so no snapshot is needed to keep history.
with

price_changes as (

    select * from {{ ref('stg_sales_product__price_changes') }}

),

skus as (

    select * from {{ ref('stg_sales_product__skus') }}

),

windowed as (

    select
        price_changes.*,
        lead(price_changes.effective_at) over (
            partition by price_changes.sku_id
            order by price_changes.effective_at, price_changes.price_change_id
        ) as next_effective_at

    from price_changes

),

final as (

    select
        windowed.price_change_id as sku_price_id,
        windowed.sku_id,
        skus.product_id,
        skus.sku_no,
        skus.size_name,
        windowed.new_price_usd as price_usd,
        windowed.old_price_usd as previous_price_usd,
        windowed.next_effective_at is null as is_current,
        {{ to_local_date('windowed.effective_at') }} as valid_from_date,
        windowed.effective_at as valid_from_at,
        windowed.next_effective_at as valid_to_at

    from windowed
    left join skus
        on windowed.sku_id = skus.sku_id

)

select * from final
