-- Report 02, cohort retention: for each cohort (New York month of the first completed order)
-- and month since, the share of the cohort that ordered again, and revenue per cohort customer.
-- The heat map of the report.
with

cohorts as (

    select * from {{ ref('fct_customer_cohorts') }}

),

final as (

    select
        cohort_month,
        months_since_first_order,
        activity_month,
        cohort_customers,
        active_customers,
        completed_orders,
        revenue_usd,
        retention_rate,
        revenue_per_cohort_customer_usd

    from cohorts

)

select * from final
order by cohort_month, months_since_first_order
