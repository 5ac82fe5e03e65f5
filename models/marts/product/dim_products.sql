-- One row per menu item with its category, current list price (cheapest size) and the
-- number of price changes it has had. Full history: dim_sku_prices.
with

products as (

    select * from {{ ref('stg_sales_product__products') }}

),

categories as (

    select * from {{ ref('stg_sales_product__categories') }}

),

skus as (

    select * from {{ ref('stg_sales_product__skus') }}

),

prices as (

    select * from {{ ref('dim_sku_prices') }}

),

sku_stats as (

    select
        product_id,
        count(*) as sizes,
        min(list_price_usd) as current_price_usd,
        max(list_price_usd) as max_current_price_usd

    from skus
    group by product_id

),

price_stats as (

    select
        product_id,
        sum(case when previous_price_usd is not null then 1 else 0 end) as price_changes,
        max(case when previous_price_usd is not null then valid_from_at end) as last_price_change_at

    from prices
    group by product_id

),

final as (

    select
        products.product_id,
        products.category_id,
        products.product_no,
        products.product_name,
        categories.category_name,
        cast(coalesce(sku_stats.sizes, 0) as integer) as sizes,
        sku_stats.current_price_usd,
        sku_stats.max_current_price_usd,
        cast(coalesce(price_stats.price_changes, 0) as integer) as price_changes,
        products.is_active,
        categories.category_name != 'Food' as is_drink,
        products.launched_date,
        price_stats.last_price_change_at

    from products
    left join categories
        on products.category_id = categories.category_id
    left join sku_stats
        on products.product_id = sku_stats.product_id
    left join price_stats
        on products.product_id = price_stats.product_id

)

select * from final
