-- Report 03, store pages: each store's completed orders by New York hour of day and its share
-- of the store's orders, beside the share for all stores together.
with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_revenue

),

hourly as (

    select
        store_id,
        {{ to_local_hour('ordered_at') }} as order_hour,
        count(*) as completed_orders

    from orders
    group by store_id, {{ to_local_hour('ordered_at') }}

),

all_stores as (

    select
        order_hour,
        sum(completed_orders) * 1.0 / sum(sum(completed_orders)) over () as all_stores_share

    from hourly
    group by order_hour

),

final as (

    select
        hourly.store_id,
        hourly.order_hour,
        hourly.completed_orders,
        round(
            cast(
                hourly.completed_orders * 1.0 / sum(hourly.completed_orders) over (partition by hourly.store_id)
                as numeric(8, 4)
            ),
            4
        ) as share_of_orders,
        round(cast(all_stores.all_stores_share as numeric(8, 4)), 4) as all_stores_share_of_orders

    from hourly
    inner join all_stores on hourly.order_hour = all_stores.order_hour

)

select * from final
order by store_id, order_hour
