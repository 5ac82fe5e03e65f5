-- Report 06, inventory cover and waste per material: stock on hand and days of cover at the
-- latest count (summed over stores), consumption and waste over the last 28 days of data, and
-- the waste rate (wasted / (consumed + wasted)) and its cost.
with

inventory as (

    select * from {{ ref('fct_inventory_daily') }}

),

last_day as (

    select max(inventory_date) as as_of_date
    from inventory

),

latest_count as (

    select
        inventory.store_id,
        inventory.material_id,
        inventory.on_hand_quantity,
        inventory.avg_daily_consumed_quantity_7d,
        row_number() over (
            partition by inventory.store_id, inventory.material_id
            order by inventory.inventory_date desc
        ) as recency_rank

    from inventory
    where inventory.on_hand_quantity is not null

),

stock as (

    select
        material_id,
        sum(on_hand_quantity) as on_hand_quantity,
        sum(avg_daily_consumed_quantity_7d) as avg_daily_consumed_quantity_7d

    from latest_count
    where recency_rank = 1
    group by material_id

),

recent_flows as (

    select
        inventory.material_id,
        max(inventory.material_code) as material_code,
        max(inventory.material_name) as material_name,
        max(inventory.unit_of_measure) as unit_of_measure,
        sum(inventory.consumed_quantity) as consumed_quantity_28d,
        sum(inventory.wasted_quantity) as wasted_quantity_28d,
        sum(inventory.wasted_cost_usd) as wasted_cost_usd_28d

    from inventory
    cross join last_day
    where inventory.inventory_date > {{ add_days('last_day.as_of_date', -28) }}
    group by inventory.material_id

),

final as (

    select
        recent_flows.material_code,
        recent_flows.material_name,
        recent_flows.unit_of_measure,
        round(cast(stock.on_hand_quantity as numeric(14, 3)), 3) as on_hand_quantity,
        round(cast(stock.on_hand_quantity / nullif(stock.avg_daily_consumed_quantity_7d, 0) as numeric(10, 2)), 2)
            as days_of_cover,
        round(cast(recent_flows.consumed_quantity_28d as numeric(14, 3)), 3) as consumed_quantity_28d,
        round(cast(recent_flows.wasted_quantity_28d as numeric(14, 3)), 3) as wasted_quantity_28d,
        round(
            cast(
                recent_flows.wasted_quantity_28d
                / nullif(recent_flows.consumed_quantity_28d + recent_flows.wasted_quantity_28d, 0)
                as numeric(8, 4)
            ),
            4
        ) as waste_rate,
        recent_flows.wasted_cost_usd_28d

    from recent_flows
    left join stock on recent_flows.material_id = stock.material_id

)

select * from final
order by wasted_cost_usd_28d desc, material_code
