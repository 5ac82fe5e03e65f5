-- Report 02, acquisition by month: registrations per New York month and channel, how many of
-- those users have ordered since, and how many first orders a coupon paid for.
with

customers as (

    select * from {{ ref('dim_customers') }}

),

registrations as (

    select
        registration_channel,
        has_ordered,
        is_acquired_with_coupon,
        cast({{ dbt.date_trunc('month', 'registered_date') }} as date) as registration_month

    from customers
    where not is_deleted

),

final as (

    select
        registration_month,
        registration_channel,
        count(*) as registered_users,
        sum(case when has_ordered then 1 else 0 end) as ordering_customers,
        sum(case when is_acquired_with_coupon then 1 else 0 end) as coupon_acquired_customers,
        round(cast(sum(case when has_ordered then 1 else 0 end) * 1.0 / count(*) as numeric(8, 4)), 4)
            as conversion_rate

    from registrations
    group by registration_month, registration_channel

)

select * from final
order by registration_month, registration_channel
