-- Report 05, top products over time: per New York month, the share of completed orders that
-- contain each of the five products with the most orders overall.
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

ranked as (

    select
        product_id,
        row_number() over (order by sum(orders_with_product) desc, product_id) as product_rank

    from product_sales
    group by product_id

),

monthly_orders as (

    select
        revenue_month,
        sum(completed_orders) as completed_orders

    from daily_revenue
    group by revenue_month

),

monthly_product as (

    select
        product_sales.product_id,
        cast({{ dbt.date_trunc('month', 'product_sales.sales_date') }} as date) as sales_month,
        product_sales.orders_with_product

    from product_sales
    inner join ranked on product_sales.product_id = ranked.product_id
    where ranked.product_rank <= 5

),

monthly_product_orders as (

    select
        sales_month,
        product_id,
        sum(orders_with_product) as orders_with_product

    from monthly_product
    group by sales_month, product_id

),

final as (

    select
        monthly_product_orders.sales_month,
        ranked.product_rank,
        products.product_name,
        monthly_product_orders.orders_with_product,
        round(
            cast(
                monthly_product_orders.orders_with_product * 1.0 / nullif(monthly_orders.completed_orders, 0)
                as numeric(8, 4)
            ),
            4
        ) as share_of_orders

    from monthly_product_orders
    inner join ranked on monthly_product_orders.product_id = ranked.product_id
    inner join products on monthly_product_orders.product_id = products.product_id
    inner join monthly_orders on monthly_product_orders.sales_month = monthly_orders.revenue_month

)

select * from final
order by sales_month, product_rank
