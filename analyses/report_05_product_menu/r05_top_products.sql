-- Report 05, product ranking: every menu item by the completed orders that contain it, with
-- its share of all completed orders, units, revenue (after discounts) and rank.
with

product_sales as (

    select * from {{ ref('fct_product_daily_sales') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

totals as (

    select sum(completed_orders) as completed_orders
    from daily_revenue

),

per_product as (

    select
        product_id,
        sum(orders_with_product) as orders_with_product,
        sum(units_sold) as units_sold,
        sum(gross_amount_usd) as gross_amount_usd,
        sum(revenue_usd) as revenue_usd

    from product_sales
    group by product_id

),

final as (

    select
        row_number() over (order by per_product.orders_with_product desc, products.product_id) as product_rank,
        products.product_id,
        products.product_name,
        products.category_name,
        products.is_drink,
        products.is_active,
        per_product.orders_with_product,
        round(cast(per_product.orders_with_product * 1.0 / nullif(totals.completed_orders, 0) as numeric(8, 4)), 4)
            as share_of_orders,
        per_product.units_sold,
        per_product.gross_amount_usd,
        per_product.revenue_usd,
        products.current_price_usd

    from per_product
    inner join products on per_product.product_id = products.product_id
    cross join totals

)

select * from final
order by product_rank
