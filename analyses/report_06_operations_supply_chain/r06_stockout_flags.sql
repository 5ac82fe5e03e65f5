-- Report 06, stock-out flags: per store and material, the counted days in the last 28 days of
-- data and how many of them ended with none on hand (a count of zero). A pair is flagged when
-- a quarter or more of its counted days were stock-outs (at least 3 days), the rule the
-- report states. Only pairs with a stock-out are listed, worst first.
with

inventory as (

    select * from {{ ref('fct_inventory_daily') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

last_day as (

    select max(inventory_date) as as_of_date
    from inventory

),

recent as (

    select
        inventory.store_id,
        inventory.material_id,
        inventory.material_name,
        sum(case when inventory.on_hand_quantity is not null then 1 else 0 end) as counted_days,
        sum(case when inventory.on_hand_quantity = 0 then 1 else 0 end) as stock_out_days,
        max(case when inventory.on_hand_quantity = 0 then inventory.inventory_date end) as last_stock_out_date

    from inventory
    cross join last_day
    where inventory.inventory_date > {{ add_days('last_day.as_of_date', -28) }}
    group by inventory.store_id, inventory.material_id, inventory.material_name

),

final as (

    select
        recent.store_id,
        recent.material_id,
        stores.store_name,
        recent.material_name,
        recent.counted_days,
        recent.stock_out_days,
        round(cast(recent.stock_out_days * 1.0 / nullif(recent.counted_days, 0) as numeric(8, 4)), 4)
            as stock_out_share,
        (
            recent.stock_out_days >= 3
            and recent.stock_out_days * 4 >= recent.counted_days
        ) as is_flagged,
        recent.last_stock_out_date

    from recent
    inner join stores on recent.store_id = stores.store_id
    where recent.stock_out_days > 0

)

select * from final
order by is_flagged desc, stock_out_share desc, stock_out_days desc, store_name, material_name
