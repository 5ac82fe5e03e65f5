{{
    config(
        materialized='incremental',
        unique_key=['store_id', 'revenue_date'],
        pre_hook="{{ delete_restated_store_days('revenue_date',
            [ref('fct_orders'), ref('stg_sales_order__deleted_orders')]) }}",
    )
}}

-- Store x New York business day. Incremental: a run recomputes, in full, every store-day
-- holding an order that a load this model has not processed wrote or deleted, so a refund
-- days later restates the day it belongs to (a day whose orders were all deleted goes).
-- depends_on: {{ ref('stg_sales_order__deleted_orders') }}

with

orders as (

    -- Soft-deleted orders stay in scope (their update restates the day) but count nowhere.
    select * from {{ ref('fct_orders') }}

),

holidays as (

    select * from {{ ref('us_holidays') }}

),
{%- if is_incremental() %}

deleted_orders as (

    select * from {{ ref('stg_sales_order__deleted_orders') }}

),

restated as (

    {{ restated_store_days(['orders', 'deleted_orders']) }}

),
{%- endif %}

orders_in_scope as (

    {{ orders_of_restated_store_days('orders', 'restated') }}

),

daily as (

    select
        store_id,
        order_date as revenue_date,
        sum(case when not is_deleted then 1 else 0 end) as orders_placed,
        sum(case when is_revenue then 1 else 0 end) as completed_orders,
        sum(case when order_status = 'cancelled' and not is_deleted then 1 else 0 end) as cancelled_orders,
        sum(case when order_status = 'refunded' and not is_deleted then 1 else 0 end) as refunded_orders,
        sum(case when is_revenue and order_channel = 'pickup' then 1 else 0 end) as pickup_orders,
        sum(case when is_revenue and order_channel = 'delivery' then 1 else 0 end) as delivery_orders,
        sum(case when is_revenue and has_coupon then 1 else 0 end) as coupon_orders,
        sum(case when is_revenue and is_first_order then 1 else 0 end) as first_orders,
        count(distinct case when is_revenue then customer_id end) as customers,
        sum(case when is_revenue then gross_amount_usd else 0 end) as gross_amount_usd,
        sum(case when is_revenue then discount_amount_usd else 0 end) as discount_amount_usd,
        sum(revenue_usd) as revenue_usd,
        sum(case when order_channel = 'pickup' then revenue_usd else 0 end) as pickup_revenue_usd,
        sum(case when order_channel = 'delivery' then revenue_usd else 0 end) as delivery_revenue_usd,
        sum(case when not is_deleted then refunded_amount_usd else 0 end) as refunded_amount_usd,
        max(load_id) as load_id

    from orders_in_scope
    group by store_id, order_date

),

final as (

    select
        daily.store_id,
        cast(daily.orders_placed as integer) as orders_placed,
        cast(daily.completed_orders as integer) as completed_orders,
        cast(daily.cancelled_orders as integer) as cancelled_orders,
        cast(daily.refunded_orders as integer) as refunded_orders,
        cast(daily.pickup_orders as integer) as pickup_orders,
        cast(daily.delivery_orders as integer) as delivery_orders,
        cast(daily.coupon_orders as integer) as coupon_orders,
        cast(daily.first_orders as integer) as first_orders,
        cast(daily.customers as integer) as customers,
        cast(daily.gross_amount_usd as numeric(14, 2)) as gross_amount_usd,
        cast(daily.discount_amount_usd as numeric(14, 2)) as discount_amount_usd,
        cast(daily.revenue_usd as numeric(14, 2)) as revenue_usd,
        cast(daily.pickup_revenue_usd as numeric(14, 2)) as pickup_revenue_usd,
        cast(daily.delivery_revenue_usd as numeric(14, 2)) as delivery_revenue_usd,
        cast(daily.refunded_amount_usd as numeric(14, 2)) as refunded_amount_usd,
        cast(
            {{ divide_rounded('daily.revenue_usd', 'daily.completed_orders', 2) }}
            as numeric(12, 2)
        ) as avg_order_value_usd,
        holidays.holiday_date is not null as is_holiday,
        daily.revenue_date,
        cast({{ dbt.date_trunc('month', 'daily.revenue_date') }} as date) as revenue_month,
        daily.load_id

    from daily
    left join holidays
        on daily.revenue_date = holidays.holiday_date

)

select * from final
{{ order_by_watermark('revenue_date') }}
