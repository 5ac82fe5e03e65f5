-- Report 00, KPI tiles: the headline figures per New York month (revenue, completed orders,
-- AOV, new customers, coupon share of orders, discount rate), with a flag for months the data
-- covers whole. The tiles show the latest full month, its change on the previous full month
-- and every month as a sparkline.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

{{ report_00_base_figures('orders') }},

monthly as (

    select
        order_month,
        count(distinct order_date) as trading_days,
        sum(case when is_revenue then 1 else 0 end) as completed_orders,
        sum(case when is_revenue and is_first_order then 1 else 0 end) as new_customers,
        sum(case when is_revenue and has_coupon then 1 else 0 end) as coupon_orders,
        sum(revenue_usd) as revenue_usd,
        sum(case when is_revenue then gross_amount_usd else 0 end) as gross_amount_usd,
        sum(case when is_revenue then discount_amount_usd else 0 end) as discount_amount_usd

    from orders
    group by order_month

),

final as (

    select
        monthly.order_month,
        monthly.trading_days,
        monthly.completed_orders,
        monthly.new_customers,
        monthly.revenue_usd,
        round(cast(monthly.revenue_usd / nullif(monthly.completed_orders, 0) as numeric(12, 4)), 4)
            as avg_order_value_usd,
        round(cast(monthly.coupon_orders * 1.0 / nullif(monthly.completed_orders, 0) as numeric(8, 4)), 4)
            as coupon_order_share,
        round(cast(monthly.discount_amount_usd / nullif(monthly.gross_amount_usd, 0) as numeric(8, 4)), 4)
            as discount_rate,
        monthly.order_month between report_months.first_full_month and report_months.latest_full_month
            as is_full_month

    from monthly
    cross join report_months

)

select * from final
order by order_month
