-- Report 05, category mix: units, revenue and discount per menu category on completed orders,
-- with each category's share of revenue and its number of products.
with

product_sales as (

    select * from {{ ref('fct_product_daily_sales') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

per_category as (

    select
        products.category_name,
        count(distinct products.product_id) as products_sold,
        sum(product_sales.units_sold) as units_sold,
        sum(product_sales.gross_amount_usd) as gross_amount_usd,
        sum(product_sales.discount_amount_usd) as discount_amount_usd,
        sum(product_sales.revenue_usd) as revenue_usd

    from product_sales
    inner join products on product_sales.product_id = products.product_id
    group by products.category_name

),

final as (

    select
        category_name,
        products_sold,
        units_sold,
        gross_amount_usd,
        discount_amount_usd,
        revenue_usd,
        round(cast(revenue_usd / nullif(sum(revenue_usd) over (), 0) as numeric(8, 4)), 4) as share_of_revenue,
        round(cast(revenue_usd / nullif(units_sold, 0) as numeric(12, 4)), 4) as revenue_per_unit_usd

    from per_category

)

select * from final
order by revenue_usd desc
