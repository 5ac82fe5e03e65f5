{{
    config(
        materialized='incremental',
        unique_key='order_id',
        pre_hook="{{ delete_keys('order_id', 'select order_id from ' ~ ref('stg_ops_production__deleted_make_events')
            ~ ' where ' ~ load_window('load_id')) }}",
    )
}}

-- One row per order that reached the make queue: when it was queued, started, finished and
-- picked up, and the seconds between. Production time = queued -> finished.
-- Incremental, because both fct_orders and fct_order_production read it and the make-event
-- log is the largest table in the estate: an incremental run re-pivots only the orders with
-- an event written or deleted by a load it has not processed (all their events). load_id is
-- the newest load of the order's events, deleted ones included, so readers see the change.
-- depends_on: {{ ref('stg_ops_production__deleted_make_events') }}
with

make_events as {{ inlined() }} (

    select * from {{ ref('stg_ops_production__make_events') }}

),

deleted_events_per_order as (

    select
        order_id,
        max(load_id) as load_id

    from {{ ref('stg_ops_production__deleted_make_events') }}
    group by order_id

),

pivoted as (

    select
        order_id,
        min(store_id) as store_id,
        min(case when make_event_type = 'queued' then occurred_at end) as queued_at,
        min(case when make_event_type = 'started' then occurred_at end) as started_at,
        min(case when make_event_type = 'finished' then occurred_at end) as finished_at,
        min(case when make_event_type = 'picked_up' then occurred_at end) as picked_up_at,
        max(load_id) as load_id

    from make_events
    {%- if is_incremental() %}
        where order_id in (
            select order_id from make_events
            where {{ load_window('load_id') }}
            union
            select order_id from deleted_events_per_order
            where {{ load_window('load_id') }}
        )
    {%- endif %}
    group by order_id

),

final as (

    select
        pivoted.order_id,
        pivoted.store_id,
        {{ seconds_between('pivoted.queued_at', 'pivoted.started_at') }} as queue_seconds,
        {{ seconds_between('pivoted.started_at', 'pivoted.finished_at') }} as make_seconds,
        {{ seconds_between('pivoted.finished_at', 'pivoted.picked_up_at') }} as wait_seconds,
        {{ seconds_between('pivoted.queued_at', 'pivoted.finished_at') }} as production_seconds,
        greatest(pivoted.load_id, deleted_events_per_order.load_id) as load_id,
        pivoted.queued_at,
        pivoted.started_at,
        pivoted.finished_at,
        pivoted.picked_up_at

    from pivoted
    left join deleted_events_per_order
        on pivoted.order_id = deleted_events_per_order.order_id

)

select * from final
{{ order_by_watermark('queued_at') }}
