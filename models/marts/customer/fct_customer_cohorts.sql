-- Cohort month (New York month of a customer's first completed order) x months since then.
-- Every cohort has a row for every month up to the latest, zeros included, so retention
-- curves and heat maps have no holes.
with

customers as (

    select * from {{ ref('dim_customers') }}
    where has_ordered

),

orders as (

    select * from {{ ref('fct_orders') }}
    where is_revenue

),

calendar as (

    select distinct order_month as activity_month
    from orders

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_customers

    from customers
    group by cohort_month

),

activity as (

    select
        customers.cohort_month,
        orders.order_month as activity_month,
        count(distinct orders.customer_id) as active_customers,
        count(*) as completed_orders,
        sum(orders.revenue_usd) as revenue_usd

    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    group by customers.cohort_month, orders.order_month

),

grid as (

    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        calendar.activity_month

    from cohort_sizes
    inner join calendar
        on calendar.activity_month >= cohort_sizes.cohort_month

),

final as (

    select
        cast(grid.cohort_customers as integer) as cohort_customers,
        cast({{ months_between('grid.cohort_month', 'grid.activity_month') }} as integer)
            as months_since_first_order,
        cast(coalesce(activity.active_customers, 0) as integer) as active_customers,
        cast(coalesce(activity.completed_orders, 0) as integer) as completed_orders,
        cast(coalesce(activity.revenue_usd, 0) as numeric(14, 2)) as revenue_usd,
        cast(
            {{ divide_rounded('coalesce(activity.active_customers, 0)', 'grid.cohort_customers', 4) }}
            as numeric(8, 4)
        ) as retention_rate,
        cast({{ divide_rounded('coalesce(activity.revenue_usd, 0)', 'grid.cohort_customers', 2) }} as numeric(12, 2))
            as revenue_per_cohort_customer_usd,
        grid.cohort_month,
        grid.activity_month

    from grid
    left join activity
        on
            grid.cohort_month = activity.cohort_month
            and grid.activity_month = activity.activity_month

)

select * from final
