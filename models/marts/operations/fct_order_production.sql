-- One row per order that reached the make queue: seconds queued, making, and waiting for
-- pickup. production_seconds (queued -> finished) is the efficiency trend's measure. Events of
-- orders missing from the source (hard-deleted test orders) are kept with has_order = false.
with

production as (

    select * from {{ ref('int_make_events_pivoted_to_orders') }}

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
        production.picked_up_at

    from production
    left join orders
        on production.order_id = orders.order_id

)

select * from final
