-- Every order's lines add up to the order's gross and paid amounts (to the cent). A
-- difference means lines went missing or were counted twice between the source and the marts.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

line_totals as (

    select
        order_id,
        sum(gross_amount_usd) as lines_gross_usd,
        sum(paid_amount_usd) as lines_paid_usd

    from order_items
    group by order_id

)

select
    orders.order_id,
    orders.gross_amount_usd,
    line_totals.lines_gross_usd,
    orders.paid_amount_usd,
    line_totals.lines_paid_usd

from orders
inner join line_totals
    on orders.order_id = line_totals.order_id
where
    orders.gross_amount_usd <> line_totals.lines_gross_usd
    or orders.paid_amount_usd <> line_totals.lines_paid_usd
