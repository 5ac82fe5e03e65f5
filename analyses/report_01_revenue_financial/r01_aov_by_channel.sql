-- Report 01, AOV by channel and month: completed pickup and delivery orders, their revenue and
-- average order value per New York month (delivery fees go to the platform, not in revenue).
with

orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        order_month,
        order_channel,
        count(*) as completed_orders,
        sum(revenue_usd) as revenue_usd,
        round(cast(avg(revenue_usd) as numeric(12, 4)), 4) as avg_order_value_usd,
        round(cast(avg(item_count) as numeric(8, 2)), 2) as avg_items_per_order,
        round(cast(avg(delivery_fee_usd) as numeric(12, 2)), 2) as avg_delivery_fee_usd

    from orders
    where is_revenue
    group by order_month, order_channel

)

select * from final
order by order_month, order_channel
