{{
    config(
        materialized='incremental',
        unique_key='order_id',
    )
}}

-- One row per order that reached the make queue: seconds queued, making, and waiting for
-- pickup. production_seconds (queued -> finished) is the efficiency trend's measure. Events of
-- orders missing from the source (hard-deleted test orders) are kept with has_order = false.
-- Incremental: orders with a make event or an order change since the high-water mark minus
-- the lookback are restated.
with

production as (

    select
        *,
        coalesce(picked_up_at, finished_at, started_at, queued_at) as last_event_at

    from {{ ref('int_make_events_pivoted_to_orders') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

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
        case
            when orders.updated_at > production.last_event_at then orders.updated_at
            else production.last_event_at
        end as source_updated_at

    from production
    left join orders
        on production.order_id = orders.order_id
    where
        {{ incremental_window('production.last_event_at', 'source_updated_at') }}
        or {{ incremental_window('orders.updated_at', 'source_updated_at') }}

)

select * from final
{{ order_by_watermark('source_updated_at') }}
