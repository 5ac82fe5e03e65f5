-- Report 06, production time by store: mean seconds queued -> finished in each store's first
-- and latest New York month with production, and the change between them.
with

production as (

    select * from {{ ref('fct_order_production') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

store_months as (

    select
        store_id,
        production_month,
        count(*) as orders_produced,
        avg(production_seconds) as mean_production_seconds

    from production
    where has_order and is_finished
    group by store_id, production_month

),

ranked as (

    select
        store_id,
        production_month,
        orders_produced,
        mean_production_seconds,
        row_number() over (partition by store_id order by production_month) as first_rank,
        row_number() over (partition by store_id order by production_month desc) as latest_rank

    from store_months

),

final as (

    select
        stores.store_id,
        stores.store_name,
        max(case when ranked.first_rank = 1 then ranked.production_month end) as first_month,
        round(cast(max(case when ranked.first_rank = 1 then ranked.mean_production_seconds end) as numeric(12, 2)), 2)
            as first_month_production_seconds,
        max(case when ranked.latest_rank = 1 then ranked.production_month end) as latest_month,
        round(cast(max(case when ranked.latest_rank = 1 then ranked.mean_production_seconds end) as numeric(12, 2)), 2)
            as latest_month_production_seconds,
        round(
            cast(
                max(case when ranked.latest_rank = 1 then ranked.mean_production_seconds end)
                / nullif(max(case when ranked.first_rank = 1 then ranked.mean_production_seconds end), 0) - 1
                as numeric(8, 4)
            ),
            4
        ) as change_rate,
        sum(ranked.orders_produced) as orders_produced

    from ranked
    inner join stores on ranked.store_id = stores.store_id
    group by stores.store_id, stores.store_name

)

select * from final
order by store_id
