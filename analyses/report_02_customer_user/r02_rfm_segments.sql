-- Report 02, RFM segments: customers per segment (never_ordered included), their share of
-- registered users and of revenue, typical recency, orders and predicted CLV.
with

customers as (

    select * from {{ ref('dim_customers') }}

),

active_customers as (

    select *
    from customers
    where not is_deleted

),

totals as (

    select
        count(*) as registered_users,
        sum(revenue_usd) as revenue_usd

    from active_customers

),

segments as (

    select
        rfm_segment,
        count(*) as customers,
        sum(revenue_usd) as revenue_usd,
        avg(recency_days) as avg_recency_days,
        avg(completed_orders) as avg_completed_orders,
        avg(predicted_clv_usd) as avg_predicted_clv_usd

    from active_customers
    group by rfm_segment

),

final as (

    select
        segments.rfm_segment,
        segments.customers,
        round(cast(segments.customers * 1.0 / nullif(totals.registered_users, 0) as numeric(8, 4)), 4)
            as share_of_users,
        segments.revenue_usd,
        round(cast(segments.revenue_usd / nullif(totals.revenue_usd, 0) as numeric(8, 4)), 4) as share_of_revenue,
        round(cast(segments.avg_recency_days as numeric(10, 1)), 1) as avg_recency_days,
        round(cast(segments.avg_completed_orders as numeric(10, 2)), 2) as avg_completed_orders,
        round(cast(segments.avg_predicted_clv_usd as numeric(12, 2)), 2) as avg_predicted_clv_usd

    from segments
    cross join totals

)

select * from final
order by revenue_usd desc, customers desc
