{{
    config(
        materialized='incremental',
        unique_key='order_id',
    )
}}

-- One row per order that reached the make queue: when it was queued, started, finished and
-- picked up, and the seconds between. Production time = queued -> finished.
-- Incremental, because both fct_orders and fct_order_production read it and the make-event
-- log is the largest table in the estate: an incremental run re-pivots only the orders with
-- an event recorded since the high-water mark minus the lookback (all their events).
with

make_events as (

    select * from {{ ref('stg_ops_production__make_events') }}

),

pivoted as (

    select
        order_id,
        min(store_id) as store_id,
        min(case when make_event_type = 'queued' then occurred_at end) as queued_at,
        min(case when make_event_type = 'started' then occurred_at end) as started_at,
        min(case when make_event_type = 'finished' then occurred_at end) as finished_at,
        min(case when make_event_type = 'picked_up' then occurred_at end) as picked_up_at,
        max(created_at) as last_recorded_at

    from make_events
    {%- if is_incremental() %}
        where order_id in (
            select order_id from make_events
            where {{ incremental_window('created_at', 'last_recorded_at') }}
        )
    {%- endif %}
    group by order_id

),

final as (

    select
        order_id,
        store_id,
        {{ seconds_between('queued_at', 'started_at') }} as queue_seconds,
        {{ seconds_between('started_at', 'finished_at') }} as make_seconds,
        {{ seconds_between('finished_at', 'picked_up_at') }} as wait_seconds,
        {{ seconds_between('queued_at', 'finished_at') }} as production_seconds,
        queued_at,
        started_at,
        finished_at,
        picked_up_at,
        last_recorded_at

    from pivoted

)

select * from final
{{ order_by_watermark('last_recorded_at') }}
