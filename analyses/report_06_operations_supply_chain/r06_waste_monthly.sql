-- Report 06, waste by month: the cost of stock thrown away per New York month, over all stores
-- and materials, and the number of store-material days with a stock-out (a count of zero).
with

inventory as (

    select * from {{ ref('fct_inventory_daily') }}

),

dated as (

    select
        on_hand_quantity,
        wasted_cost_usd,
        cast({{ dbt.date_trunc('month', 'inventory_date') }} as date) as inventory_month

    from inventory

),

final as (

    select
        inventory_month,
        sum(wasted_cost_usd) as wasted_cost_usd,
        sum(case when on_hand_quantity = 0 then 1 else 0 end) as stock_out_days,
        sum(case when on_hand_quantity is not null then 1 else 0 end) as counted_days

    from dated
    group by inventory_month

)

select * from final
order by inventory_month
