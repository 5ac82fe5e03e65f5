{{
    config(
        materialized='incremental',
        unique_key='order_id',
        pre_hook="{{ delete_keys('order_id', 'select order_id from ' ~ ref('stg_ops_production__deleted_make_events')
            ~ ' where ' ~ load_window('load_id')) }}",
    )
}}

-- One row per order that reached the make queue: seconds queued, making, and waiting for
-- pickup. production_seconds (queued -> finished) is the efficiency trend's measure. Events of
-- orders missing from the source (hard-deleted test orders) are kept with has_order = false.
-- Incremental: orders whose make events or order a load this model has not processed wrote
-- (or deleted) are restated; an order whose events were all deleted goes (pre-hook).
-- depends_on: {{ ref('stg_ops_production__deleted_make_events') }}
with

production as (

    select * from {{ ref('int_make_events_pivoted_to_orders') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

deleted_orders as (

    select * from {{ ref('stg_sales_order__deleted_orders') }}

),

final as (

    select
        production.order_id,
        coalesce(orders.store_id, production.store_id) as store_id,
        orders.order_channel,
        orders.order_status,
        cast(production.queue_seconds as numeric(12, 3)) as queue_seconds,
        cast(production.make_seconds as numeric(12, 3)) as make_seconds,
        cast(production.wait_seconds as numeric(12, 3)) as wait_seconds,
        cast(production.production_seconds as numeric(12, 3)) as production_seconds,
        production.finished_at is not null as is_finished,
        orders.order_id is not null as has_order,
        {{ to_local_date('production.queued_at') }} as production_date,
        {{ to_local_month('production.queued_at') }} as production_month,
        production.queued_at,
        production.started_at,
        production.finished_at,
        production.picked_up_at,
        greatest(production.load_id, orders.load_id, deleted_orders.load_id) as load_id

    from production
    left join orders
        on production.order_id = orders.order_id
    left join deleted_orders
        on production.order_id = deleted_orders.order_id
    where {{ load_window('greatest(production.load_id, orders.load_id, deleted_orders.load_id)') }}

)

select * from final
{{ order_by_watermark('queued_at') }}
