-- Report 03, store pages: each store's five products in the most completed orders, with the
-- share of the store's orders that contain them and the same share over all stores.
with

product_sales as (

    select * from {{ ref('fct_product_daily_sales') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

store_orders as (

    select
        store_id,
        sum(store_completed_orders) as store_orders

    from (
        select distinct
            store_id,
            sales_date,
            store_completed_orders
        from product_sales
    ) as store_days
    group by store_id

),

per_store as (

    select
        store_id,
        product_id,
        sum(orders_with_product) as orders_with_product,
        sum(revenue_usd) as revenue_usd

    from product_sales
    group by store_id, product_id

),

overall as (

    select
        per_store.product_id,
        sum(per_store.orders_with_product) * 1.0 / (
            select sum(store_orders.store_orders) as all_store_orders from store_orders
        ) as all_stores_share

    from per_store
    group by per_store.product_id

),

ranked as (

    select
        per_store.*,
        row_number() over (
            partition by per_store.store_id order by per_store.orders_with_product desc, per_store.product_id
        ) as product_rank

    from per_store

),

final as (

    select
        ranked.store_id,
        ranked.product_id,
        ranked.product_rank,
        products.product_name,
        ranked.orders_with_product,
        ranked.revenue_usd,
        round(cast(ranked.orders_with_product * 1.0 / nullif(store_orders.store_orders, 0) as numeric(8, 4)), 4)
            as share_of_orders,
        round(cast(overall.all_stores_share as numeric(8, 4)), 4) as all_stores_share_of_orders

    from ranked
    inner join products on ranked.product_id = products.product_id
    inner join store_orders on ranked.store_id = store_orders.store_id
    inner join overall on ranked.product_id = overall.product_id
    where ranked.product_rank <= 5

)

select * from final
order by store_id, product_rank
