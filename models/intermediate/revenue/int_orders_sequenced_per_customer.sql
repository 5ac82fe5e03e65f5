{{
    config(
        materialized='incremental',
        unique_key='order_id',
        pre_hook="{{ delete_keys('order_id', 'select order_id from ' ~ ref('stg_sales_order__deleted_orders')) }}",
    )
}}

-- Every order with its place in the customer's order history (1 = their first order, any
-- status), the campaign of the coupon it used, its delivery details and its refunds.
-- Sequencing runs over all of a customer's orders so that marts read a stable number.
-- load_id is the newest load of anything the row is computed from: the order, its coupon,
-- delivery and refunds, and - for its place in the sequence - every earlier order of the
-- customer, deleted ones included (a deleted first order renumbers the customer's others).
-- Incremental, so that a run costs what changed rather than the whole history: it recomputes
-- every order of each customer with an order, coupon, delivery or refund that a load it has
-- not processed wrote or deleted (the filter sits before the windows, which partition by
-- customer); orders deleted in the source are deleted (pre-hook).
-- depends_on: {{ ref('stg_sales_order__deleted_orders') }}
with

source_orders as {{ inlined() }} (

    select * from {{ ref('stg_sales_order__orders') }}

),

source_deleted_orders as {{ inlined() }} (

    select * from {{ ref('stg_sales_order__deleted_orders') }}

),

coupons as {{ inlined() }} (

    select * from {{ ref('stg_isales_market__coupons') }}

),

coupon_templates as {{ inlined() }} (

    select * from {{ ref('stg_isales_market__coupon_templates') }}

),

deliveries as {{ inlined() }} (

    select * from {{ ref('stg_sales_delivery__delivery_orders') }}

),

refunds as {{ inlined() }} (

    select * from {{ ref('stg_sales_order__refunds') }}

),

statuses as (

    -- the source's code list (t_dict_order_status)
    select * from {{ ref('stg_sales_order__order_statuses') }}

),
{%- if is_incremental() %}

customers_in_scope as (

    -- orders without a customer form one partition: -1 stands for it
    select coalesce(customer_id, -1) as customer_key from source_orders
    where {{ load_window('load_id') }}
    union
    select coalesce(customer_id, -1) from source_deleted_orders
    where {{ load_window('load_id') }}
    union
    select coalesce(source_orders.customer_id, -1) from source_orders
    inner join coupons
        on source_orders.coupon_id = coupons.coupon_id
    where {{ load_window('coupons.load_id') }}
    union
    select coalesce(source_orders.customer_id, -1) from source_orders
    inner join deliveries
        on source_orders.order_id = deliveries.order_id
    where {{ load_window('deliveries.load_id') }}
    union
    select coalesce(source_orders.customer_id, -1) from source_orders
    inner join refunds
        on source_orders.order_id = refunds.order_id
    where {{ load_window('refunds.load_id') }}

),
{%- endif %}

orders as {{ inlined() }} (

    select * from source_orders
    {%- if is_incremental() %}
        where coalesce(customer_id, -1) in (select customers_in_scope.customer_key from customers_in_scope)
    {%- endif %}

),

deleted_orders as {{ inlined() }} (

    select * from source_deleted_orders
    {%- if is_incremental() %}
        where coalesce(customer_id, -1) in (select customers_in_scope.customer_key from customers_in_scope)
    {%- endif %}

),

customer_history as (

    -- every order the customer ever had, in order, with the newest load up to each
    select
        order_id,
        is_live,
        max(load_id) over (
            partition by customer_id
            order by ordered_at, order_id
            rows between unbounded preceding and current row
        ) as history_load_id

    from (
        select order_id, customer_id, ordered_at, load_id, true as is_live from orders
        union all
        select order_id, customer_id, ordered_at, load_id, false as is_live from deleted_orders
    ) as all_orders

),

refunds_per_order as (

    select
        order_id,
        sum(refund_amount_usd) as refunded_amount_usd,
        max(load_id) as load_id

    from refunds
    where refund_status = 'approved'
    group by order_id

),

refund_loads_per_order as (

    -- any refund row's load: a refund moving out of approved changes the order too
    select
        order_id,
        max(load_id) as load_id

    from refunds
    group by order_id

),

sequenced as (

    select
        orders.*,
        row_number() over (
            partition by orders.customer_id
            order by orders.ordered_at, orders.order_id
        ) as customer_order_number

    from orders

),

final as (

    select
        sequenced.order_id,
        sequenced.customer_id,
        sequenced.store_id,
        sequenced.coupon_id,
        sequenced.order_no,
        sequenced.order_channel,
        coalesce(statuses.order_status, 'unknown') as order_status,
        sequenced.order_remark,
        sequenced.order_status_code,
        sequenced.item_count,
        sequenced.gross_amount_usd,
        sequenced.discount_amount_usd,
        sequenced.paid_amount_usd,
        -- Only completed orders are revenue; refunded ones were completed, then paid back.
        coalesce(statuses.order_status = 'completed', false) as is_completed,
        sequenced.is_deleted,
        sequenced.ordered_at,
        sequenced.paid_at,
        sequenced.completed_at,
        sequenced.cancelled_at,
        sequenced.updated_at,
        sequenced.customer_order_number,
        coupon_templates.campaign_id,
        deliveries.delivery_platform,
        deliveries.delivery_fee_usd,
        coalesce(refunds_per_order.refunded_amount_usd, 0) as refunded_amount_usd,
        greatest(
            customer_history.history_load_id, coupons.load_id, deliveries.load_id, refund_loads_per_order.load_id
        ) as load_id

    from sequenced
    inner join customer_history
        on sequenced.order_id = customer_history.order_id and customer_history.is_live
    left join coupons
        on sequenced.coupon_id = coupons.coupon_id
    left join coupon_templates
        on coupons.coupon_template_id = coupon_templates.coupon_template_id
    left join deliveries
        on sequenced.order_id = deliveries.order_id
    left join refunds_per_order
        on sequenced.order_id = refunds_per_order.order_id
    left join refund_loads_per_order
        on sequenced.order_id = refund_loads_per_order.order_id
    left join statuses
        on sequenced.order_status_code = statuses.order_status_code

)

select * from final
{{ order_by_watermark('ordered_at') }}
