-- Report 06, production time by month: orders that reached the finished event, per New York
-- month they entered the make queue, with mean and median seconds queued -> finished, the
-- queue and making parts, and the change against the first month.
with

production as (

    select * from {{ ref('fct_order_production') }}

),

monthly as (

    select
        production_month,
        count(*) as orders_produced,
        avg(production_seconds) as mean_production_seconds,
        percentile_cont(0.5) within group (order by production_seconds) as median_production_seconds,
        percentile_cont(0.9) within group (order by production_seconds) as p90_production_seconds,
        avg(queue_seconds) as mean_queue_seconds,
        avg(make_seconds) as mean_make_seconds

    from production
    where has_order and is_finished
    group by production_month

),

final as (

    select
        production_month,
        orders_produced,
        round(cast(mean_production_seconds as numeric(12, 2)), 2) as mean_production_seconds,
        round(cast(median_production_seconds as numeric(12, 2)), 2) as median_production_seconds,
        round(cast(p90_production_seconds as numeric(12, 2)), 2) as p90_production_seconds,
        round(cast(mean_queue_seconds as numeric(12, 2)), 2) as mean_queue_seconds,
        round(cast(mean_make_seconds as numeric(12, 2)), 2) as mean_make_seconds,
        round(
            cast(
                mean_production_seconds / first_value(mean_production_seconds) over (order by production_month) - 1
                as numeric(8, 4)
            ),
            4
        ) as change_on_first_month

    from monthly

)

select * from final
order by production_month
