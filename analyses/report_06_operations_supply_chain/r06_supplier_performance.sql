-- Report 06, supply side: per supplier, purchase orders, amount ordered, the quoted lead time
-- against the measured one (order date to first delivery), the share delivered on or before
-- the expected date, and the fill rate (deliveries that brought everything ordered, over the
-- orders delivered).
with

purchase_orders as (

    select * from {{ ref('fct_purchase_orders') }}

),

final as (

    select
        supplier_id,
        supplier_name,
        count(*) as purchase_orders,
        sum(case when is_received then 1 else 0 end) as delivered_orders,
        sum(case when purchase_order_status = 'cancelled' then 1 else 0 end) as cancelled_orders,
        sum(total_amount_usd) as ordered_amount_usd,
        max(quoted_lead_time_days) as quoted_lead_time_days,
        round(cast(avg(lead_time_days) as numeric(8, 2)), 2) as avg_lead_time_days,
        max(lead_time_days) as max_lead_time_days,
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

    from purchase_orders
    group by supplier_id, supplier_name

)

select * from final
order by ordered_amount_usd desc
