-- Report 02, acquisition channels: registered users per channel, the share that ever ordered,
-- the share of first orders paid by a coupon, and the orders, revenue and CLV per customer.
with

customers as (

    select * from {{ ref('dim_customers') }}

),

final as (

    select
        registration_channel,
        count(*) as registered_users,
        sum(case when has_ordered then 1 else 0 end) as ordering_customers,
        round(cast(sum(case when has_ordered then 1 else 0 end) * 1.0 / count(*) as numeric(8, 4)), 4)
            as conversion_rate,
        round(
            cast(
                sum(case when is_acquired_with_coupon then 1 else 0 end) * 1.0
                / nullif(sum(case when has_ordered then 1 else 0 end), 0)
                as numeric(8, 4)
            ),
            4
        ) as coupon_acquired_share,
        round(cast(avg(case when has_ordered then completed_orders end) as numeric(10, 2)), 2)
            as orders_per_customer,
        round(cast(avg(case when has_ordered then revenue_usd end) as numeric(12, 2)), 2)
            as revenue_per_customer_usd,
        round(cast(avg(case when has_ordered then predicted_clv_usd end) as numeric(12, 2)), 2)
            as predicted_clv_per_customer_usd,
        sum(revenue_usd) as revenue_usd

    from customers
    where not is_deleted
    group by registration_channel

)

select * from final
order by registered_users desc
