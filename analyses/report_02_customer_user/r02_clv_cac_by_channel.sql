-- Report 02, customer value against acquisition cost, by registration channel: ordering
-- customers, their average historical and predicted CLV (dim_customers), and an acquisition
-- cost per customer: each campaign's cost shared equally among the customers it acquired
-- (its CAC), summed over the channel's customers and divided by the channel's ordering
-- customers (customers acquired without a coupon cost nothing by this rule).
with

customers as (

    select * from {{ ref('dim_customers') }}

),

performance as (

    select * from {{ ref('fct_campaign_performance') }}

),

per_channel as (

    select
        customers.registration_channel,
        count(*) as registered_users,
        sum(case when customers.has_ordered then 1 else 0 end) as ordering_customers,
        sum(case when customers.acquisition_campaign_id is not null then 1 else 0 end) as coupon_acquired_customers,
        avg(case when customers.has_ordered then customers.historical_clv_usd end) as avg_historical_clv_usd,
        avg(case when customers.has_ordered then customers.predicted_clv_usd end) as avg_predicted_clv_usd,
        sum(coalesce(performance.cac_usd, 0)) as acquisition_cost_usd

    from customers
    left join performance on customers.acquisition_campaign_id = performance.campaign_id
    where not customers.is_deleted
    group by customers.registration_channel

),

final as (

    select
        registration_channel,
        registered_users,
        ordering_customers,
        coupon_acquired_customers,
        round(cast(avg_historical_clv_usd as numeric(12, 2)), 2) as avg_historical_clv_usd,
        round(cast(avg_predicted_clv_usd as numeric(12, 2)), 2) as avg_predicted_clv_usd,
        round(cast(acquisition_cost_usd / nullif(ordering_customers, 0) as numeric(12, 2)), 2)
            as cac_per_customer_usd,
        round(
            cast(
                avg_predicted_clv_usd / nullif(acquisition_cost_usd / nullif(ordering_customers, 0), 0)
                as numeric(10, 2)
            ),
            2
        ) as clv_to_cac_ratio

    from per_channel

)

select * from final
order by ordering_customers desc
