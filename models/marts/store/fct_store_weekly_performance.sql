-- Store x week since opening (week 0 = the opening day and the six after it), for maturity
-- curves. Cannibalisation: the completed orders of the store's neighbours in the same days,
-- and, per store, its neighbours' average weekly orders in the N weeks before it opened
-- against weeks N to 2N after (N = var('cannibalisation_window_weeks'): the new store has
-- ramped up by then). Windows that run past the data are left empty.
{%- set n_weeks = var('cannibalisation_window_weeks') %}

with

stores as (

    select * from {{ ref('dim_stores') }}
    where opened_date is not null

),

daily as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where is_revenue

),

pairs as (

    select * from {{ ref('int_stores_paired_with_neighbours') }}
    where is_neighbour

),

as_of as (

    select max(revenue_date) as as_of_date
    from daily

),

orders_since_opening as (

    select
        orders.store_id,
        orders.customer_id,
        orders.is_first_order,
        orders.revenue_usd,
        {{ weeks_between('stores.opened_date', 'orders.order_date') }} as weeks_since_opening

    from orders
    inner join stores
        on orders.store_id = stores.store_id
    where orders.order_date >= stores.opened_date

),

weekly as (

    select
        store_id,
        weeks_since_opening,
        count(*) as completed_orders,
        count(distinct customer_id) as customers,
        sum(case when is_first_order then 1 else 0 end) as first_orders,
        sum(revenue_usd) as revenue_usd

    from orders_since_opening
    group by store_id, weeks_since_opening

),

weekly_with_dates as (

    select
        weekly.*,
        cast({{ add_days('stores.opened_date', 'weekly.weeks_since_opening * 7') }} as date)
            as week_start_date

    from weekly
    inner join stores
        on weekly.store_id = stores.store_id

),

neighbour_weekly as (

    select
        weekly_with_dates.store_id,
        weekly_with_dates.weeks_since_opening,
        sum(daily.completed_orders) as neighbour_orders

    from weekly_with_dates
    inner join pairs
        on weekly_with_dates.store_id = pairs.store_id
    inner join daily
        on
            pairs.neighbour_store_id = daily.store_id
            and daily.revenue_date >= weekly_with_dates.week_start_date
            and daily.revenue_date < {{ add_days('weekly_with_dates.week_start_date', 7) }}
    group by weekly_with_dates.store_id, weekly_with_dates.weeks_since_opening

),

around_opening as (

    select
        stores.store_id,
        sum(
            case
                when daily.revenue_date >= {{ add_days('stores.opened_date', -7 * n_weeks) }}
                    and daily.revenue_date < stores.opened_date
                    then daily.completed_orders
            end
        ) as neighbour_orders_before,
        sum(
            case
                when daily.revenue_date >= {{ add_days('stores.opened_date', 7 * n_weeks) }}
                    and daily.revenue_date < {{ add_days('stores.opened_date', 14 * n_weeks) }}
                    then daily.completed_orders
            end
        ) as neighbour_orders_after

    from stores
    inner join pairs
        on stores.store_id = pairs.store_id
    inner join daily
        on pairs.neighbour_store_id = daily.store_id
    cross join as_of
    -- Only neighbours that were open for the whole window before, and only when the data
    -- covers the whole window after.
    where
        pairs.neighbour_opened_date <= {{ add_days('stores.opened_date', -7 * n_weeks) }}
        and as_of.as_of_date >= {{ add_days('stores.opened_date', 14 * n_weeks - 1) }}
    group by stores.store_id

),

final as (

    select
        {{ surrogate_key(['weekly_with_dates.store_id', 'weekly_with_dates.weeks_since_opening']) }}
            as store_week_id,
        weekly_with_dates.store_id,
        weekly_with_dates.weeks_since_opening,
        cast(weekly_with_dates.completed_orders as integer) as completed_orders,
        cast(weekly_with_dates.customers as integer) as customers,
        cast(weekly_with_dates.first_orders as integer) as first_orders,
        cast(weekly_with_dates.revenue_usd as numeric(14, 2)) as revenue_usd,
        cast(
            {{ divide_rounded('weekly_with_dates.revenue_usd', 'weekly_with_dates.completed_orders', 2) }}
            as numeric(12, 2)
        ) as avg_order_value_usd,
        cast(coalesce(neighbour_weekly.neighbour_orders, 0) as integer) as neighbour_orders,
        cast({{ divide_rounded('around_opening.neighbour_orders_before', n_weeks, 2) }} as numeric(12, 2))
            as neighbour_weekly_orders_before_opening,
        cast({{ divide_rounded('around_opening.neighbour_orders_after', n_weeks, 2) }} as numeric(12, 2))
            as neighbour_weekly_orders_after_opening,
        -- after / before - 1, as one exact ratio
        cast(
            {{ divide_rounded(
                'around_opening.neighbour_orders_after - around_opening.neighbour_orders_before',
                'around_opening.neighbour_orders_before', 4) }}
            as numeric(8, 4)
        ) as neighbour_orders_change_ratio,
        {{ add_days('weekly_with_dates.week_start_date', 6) }} > as_of.as_of_date as is_partial_week,
        weekly_with_dates.week_start_date

    from weekly_with_dates
    cross join as_of
    left join neighbour_weekly
        on
            weekly_with_dates.store_id = neighbour_weekly.store_id
            and weekly_with_dates.weeks_since_opening = neighbour_weekly.weeks_since_opening
    left join around_opening
        on weekly_with_dates.store_id = around_opening.store_id

)

select * from final
