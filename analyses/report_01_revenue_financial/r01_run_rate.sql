-- Report 01, run rate and projection. Method: the run rate is the latest full New York
-- month's revenue x 12. The projection carries that month forward six months at the compound
-- monthly growth of the last three full months (geometric mean of their month-on-month
-- ratios), with the plain run rate (no growth) beside it. A trend extrapolation, not a forecast
-- model: it ignores seasonality, new stores and price changes.
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

calendar as (

    select
        max(revenue_date) as as_of_date,
        cast({{ dbt.date_trunc('month', 'max(revenue_date)') }} as date) as as_of_month

    from daily_revenue

),

report_months as (

    select
        as_of_date,
        case
            when extract(day from {{ add_days('as_of_date', 1) }}) = 1 then as_of_month
            else cast({{ dbt.dateadd('month', -1, 'as_of_month') }} as date)
        end as latest_full_month

    from calendar

),

monthly as (

    select
        revenue_month,
        sum(revenue_usd) as revenue_usd

    from daily_revenue
    group by revenue_month

),

recent as (

    select
        monthly.revenue_month,
        monthly.revenue_usd,
        monthly.revenue_usd / nullif(lag(monthly.revenue_usd) over (order by monthly.revenue_month), 0)
            as growth_ratio

    from monthly
    cross join report_months
    where
        monthly.revenue_month <= report_months.latest_full_month
        and monthly.revenue_month >= cast({{ dbt.dateadd('month', -3, 'report_months.latest_full_month') }} as date)

),

growth as (

    select exp(avg(ln(growth_ratio))) as monthly_growth_factor
    from recent
    where growth_ratio > 0

),

base as (

    select
        report_months.latest_full_month,
        monthly.revenue_usd as run_rate_month_revenue_usd,
        growth.monthly_growth_factor

    from report_months
    inner join monthly on report_months.latest_full_month = monthly.revenue_month
    cross join growth

),

horizon as (

    select 1 as months_ahead
    union all
    select 2 as months_ahead
    union all
    select 3 as months_ahead
    union all
    select 4 as months_ahead
    union all
    select 5 as months_ahead
    union all
    select 6 as months_ahead

),

final as (

    select
        base.latest_full_month,
        base.run_rate_month_revenue_usd,
        base.run_rate_month_revenue_usd * 12 as annualized_run_rate_usd,
        round(cast(base.monthly_growth_factor - 1 as numeric(10, 4)), 4) as monthly_growth_rate,
        horizon.months_ahead,
        cast({{ dbt.dateadd('month', 'horizon.months_ahead', 'base.latest_full_month') }} as date) as projected_month,
        round(
            cast(
                base.run_rate_month_revenue_usd * power(base.monthly_growth_factor, horizon.months_ahead)
                as numeric(14, 2)
            ),
            2
        ) as projected_revenue_usd,
        base.run_rate_month_revenue_usd as flat_run_rate_revenue_usd

    from base
    cross join horizon

)

select * from final
order by months_ahead
