-- Report 03, maturity curves: completed orders, customers, first orders and revenue per store
-- by whole weeks since its opening (partial weeks at the end of the data left out), so stores
-- opened months apart can be compared on the same ramp.
with

weekly as (

    select * from {{ ref('fct_store_weekly_performance') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

final as (

    select
        weekly.store_id,
        stores.store_name,
        weekly.weeks_since_opening,
        weekly.week_start_date,
        weekly.completed_orders,
        weekly.customers,
        weekly.first_orders,
        weekly.revenue_usd,
        weekly.avg_order_value_usd,
        round(cast(weekly.first_orders * 1.0 / nullif(weekly.completed_orders, 0) as numeric(8, 4)), 4)
            as first_order_share

    from weekly
    inner join stores on weekly.store_id = stores.store_id
    where not weekly.is_partial_week

)

select * from final
order by store_id, weeks_since_opening
