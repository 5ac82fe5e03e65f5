-- Report 05, price changes: every list-price change of a size (launch prices left out), newest
-- first, with the change in dollars and percent.
with

prices as (

    select * from {{ ref('dim_sku_prices') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

final as (

    select
        prices.valid_from_date,
        products.product_name,
        products.category_name,
        prices.size_name,
        prices.previous_price_usd,
        prices.price_usd,
        prices.price_usd - prices.previous_price_usd as price_change_usd,
        round(cast(prices.price_usd / nullif(prices.previous_price_usd, 0) - 1 as numeric(8, 4)), 4)
            as price_change_rate,
        prices.is_current

    from prices
    inner join products on prices.product_id = products.product_id
    where prices.previous_price_usd is not null

)

select * from final
order by valid_from_date desc, product_name, size_name
