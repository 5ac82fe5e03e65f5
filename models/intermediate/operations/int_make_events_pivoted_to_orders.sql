-- One row per order that reached the make queue: when it was queued, started, finished and
-- picked up, and the seconds between. Production time = queued -> finished.
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
        min(case when make_event_type = 'picked_up' then occurred_at end) as picked_up_at

    from make_events
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
        picked_up_at

    from pivoted

)

select * from final
