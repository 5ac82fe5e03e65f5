-- Report 01, net-revenue bridge: from the list price of every paid order to the revenue the
-- business keeps. List price of completed and refunded orders -> discounts -> net sales ->
-- refunds (orders paid, then refunded) -> revenue kept (completed orders). Cancelled orders
-- never took money and are left out. One row per step, in order.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

paid as (

    select
        sum(gross_amount_usd) as list_price_usd,
        sum(discount_amount_usd) as discount_usd,
        sum(gross_amount_usd - discount_amount_usd) as net_sales_usd,
        sum(case when order_status = 'refunded' then gross_amount_usd - discount_amount_usd else 0 end)
            as refunded_sales_usd,
        sum(revenue_usd) as revenue_usd

    from orders
    where order_status in ('completed', 'refunded')

),

steps as (

    select 1 as step_order, 'List price' as step_name, 'total' as step_kind, list_price_usd as amount_usd
    from paid
    union all
    select 2 as step_order, 'Discounts' as step_name, 'decrease' as step_kind, -discount_usd as amount_usd
    from paid
    union all
    select 3 as step_order, 'Net sales' as step_name, 'total' as step_kind, net_sales_usd as amount_usd
    from paid
    union all
    select 4 as step_order, 'Refunded orders' as step_name, 'decrease' as step_kind, -refunded_sales_usd as amount_usd
    from paid
    union all
    select 5 as step_order, 'Revenue kept' as step_name, 'total' as step_kind, revenue_usd as amount_usd
    from paid

),

final as (

    select
        steps.step_order,
        steps.step_name,
        steps.step_kind,
        cast(steps.amount_usd as numeric(14, 2)) as amount_usd,
        round(cast(steps.amount_usd / nullif(paid.list_price_usd, 0) as numeric(8, 4)), 4) as share_of_list_price

    from steps
    cross join paid

)

select * from final
order by step_order
