-- One row per purchase order to a supplier: what was ordered, when it arrived against the
-- expected date, the lead time (order date to the first delivery at the store, New York
-- dates) against the supplier's quoted lead time, and whether the delivery was complete
-- (the fill rate's numerator).
with

purchase_orders as (

    select * from {{ ref('stg_scm_purchase__purchase_orders') }}

),

order_lines as (

    select * from {{ ref('stg_scm_purchase__purchase_order_lines') }}

),

receipts as (

    select * from {{ ref('stg_scm_purchase__delivery_receipts') }}

),

suppliers as (

    select * from {{ ref('stg_scm_material__suppliers') }}

),

lines_per_order as (

    select
        purchase_order_id,
        count(*) as order_lines,
        sum(quantity) as ordered_quantity

    from order_lines
    group by purchase_order_id

),

receipts_per_order as (

    select
        purchase_order_id,
        count(*) as delivery_receipts,
        min(received_at) as first_received_at,
        max(case when is_complete then 1 else 0 end) as complete_receipts

    from receipts
    group by purchase_order_id

),

final as (

    select
        purchase_orders.purchase_order_id,
        purchase_orders.supplier_id,
        purchase_orders.store_id,
        purchase_orders.purchase_order_no,
        suppliers.supplier_name,
        purchase_orders.purchase_order_status,
        cast(coalesce(lines_per_order.order_lines, 0) as integer) as order_lines,
        cast(coalesce(receipts_per_order.delivery_receipts, 0) as integer) as delivery_receipts,
        cast(coalesce(lines_per_order.ordered_quantity, 0) as numeric(14, 3)) as ordered_quantity,
        cast(purchase_orders.total_amount_usd as numeric(12, 2)) as total_amount_usd,
        cast(suppliers.lead_time_days as integer) as quoted_lead_time_days,
        cast(
            {{ dbt.datediff('purchase_orders.ordered_date',
                            to_local_date('receipts_per_order.first_received_at'), 'day') }}
            as integer
        ) as lead_time_days,
        cast(
            {{ dbt.datediff('purchase_orders.expected_date',
                            to_local_date('receipts_per_order.first_received_at'), 'day') }}
            as integer
        ) as days_late,
        receipts_per_order.first_received_at is not null as is_received,
        coalesce(receipts_per_order.complete_receipts, 0) = 1 as is_complete,
        coalesce(
            {{ to_local_date('receipts_per_order.first_received_at') }} <= purchase_orders.expected_date, false
        ) as is_on_time,
        purchase_orders.ordered_date,
        purchase_orders.expected_date,
        receipts_per_order.first_received_at

    from purchase_orders
    left join lines_per_order on purchase_orders.purchase_order_id = lines_per_order.purchase_order_id
    left join receipts_per_order on purchase_orders.purchase_order_id = receipts_per_order.purchase_order_id
    left join suppliers on purchase_orders.supplier_id = suppliers.supplier_id

)

select * from final
