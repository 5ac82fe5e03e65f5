-- Report 03, store pages: each store's average completed orders per trading day by weekday
-- (ISO: 1 Monday to 7 Sunday), holidays left out.
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

final as (

    select
        store_id,
        cast(extract(isodow from revenue_date) as integer) as iso_weekday,
        count(*) as trading_days,
        round(cast(avg(completed_orders) as numeric(10, 2)), 2) as avg_orders_per_day

    from daily_revenue
    where completed_orders > 0 and not is_holiday
    group by store_id, cast(extract(isodow from revenue_date) as integer)

)

select * from final
order by store_id, iso_weekday
