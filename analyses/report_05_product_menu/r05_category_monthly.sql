-- Report 05, category revenue by month: revenue per menu category per New York month.
with

product_sales as (

    select * from {{ ref('fct_product_daily_sales') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

dated as (

    select
        products.category_name,
        product_sales.units_sold,
        product_sales.revenue_usd,
        cast({{ dbt.date_trunc('month', 'product_sales.sales_date') }} as date) as sales_month

    from product_sales
    inner join products on product_sales.product_id = products.product_id

),

final as (

    select
        sales_month,
        category_name,
        sum(units_sold) as units_sold,
        sum(revenue_usd) as revenue_usd

    from dated
    group by sales_month, category_name

)

select * from final
order by sales_month, category_name
