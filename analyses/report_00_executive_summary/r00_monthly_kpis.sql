-- Report 00, KPI tiles: the headline figures per New York month (revenue, completed orders,
-- AOV, new customers, coupon share of orders, discount rate) from the metric layer
-- (mtr_orders_monthly), with a flag for months the data covers whole. The tiles show the latest
-- full month, its change on the previous full month and every month as a sparkline.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

orders_monthly as (

    select * from {{ ref('mtr_orders_monthly') }}

),

{{ report_00_base_figures('orders') }},

final as (

    select
        orders_monthly.metric_month as order_month,
        orders_monthly.trading_days,
        orders_monthly.completed_orders,
        orders_monthly.new_customers,
        orders_monthly.revenue_usd,
        orders_monthly.avg_order_value_usd,
        orders_monthly.coupon_order_share,
        orders_monthly.discount_share as discount_rate,
        orders_monthly.metric_month between report_months.first_full_month and report_months.latest_full_month
            as is_full_month

    from orders_monthly
    cross join report_months

)

select * from final
order by order_month
