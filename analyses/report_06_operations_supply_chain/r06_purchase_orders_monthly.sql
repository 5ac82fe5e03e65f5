-- Report 06, purchasing by month: purchase orders placed per New York month, their amount,
-- average lead time, on-time and fill rates (delivered orders).
with

purchase_orders as (

    select * from {{ ref('fct_purchase_orders') }}

),

dated as (

    select
        cast({{ dbt.date_trunc('month', 'ordered_date') }} as date) as ordered_month,
        total_amount_usd,
        lead_time_days,
        is_received,
        is_on_time,
        is_complete

    from purchase_orders

),

final as (

    select
        ordered_month,
        count(*) as purchase_orders,
        sum(total_amount_usd) as ordered_amount_usd,
        round(cast(avg(lead_time_days) as numeric(8, 2)), 2) as avg_lead_time_days,
        {{ divide_rounded(
            'sum(case when is_on_time then 1 else 0 end)',
            'sum(case when is_received then 1 else 0 end)',
            4,
        ) }} as on_time_rate,
        {{ divide_rounded(
            'sum(case when is_complete then 1 else 0 end)',
            'sum(case when is_received then 1 else 0 end)',
            4,
        ) }} as fill_rate

    from dated
    group by ordered_month

)

select * from final
order by ordered_month
