{{
    config(
        materialized='incremental',
        unique_key=['store_id', 'material_id', 'inventory_date'],
    )
}}

-- Store x material x day: end-of-day stock on hand (the physical count), what came in, was
-- used and was wasted, and days of cover = on hand / average daily consumption over the
-- last 7 days. Incremental: the days whose movements or count - or those of the six days
-- before, which their 7-day average reads - a load this model has not processed wrote are
-- restated (the average is computed over full history first).

with

movements as (

    select * from {{ ref('stg_scm_inventory__stock_movements') }}

),

counts as (

    select * from {{ ref('stg_scm_inventory__stock_counts') }}

),

materials as (

    select * from {{ ref('stg_scm_material__materials') }}

),

daily_movements as (

    select
        store_id,
        material_id,
        movement_date,
        sum(case when movement_type = 'receipt' then quantity else 0 end) as received_quantity,
        sum(case when movement_type = 'consumption' then quantity else 0 end) as consumed_quantity,
        sum(case when movement_type = 'waste' then quantity else 0 end) as wasted_quantity,
        sum(case when movement_type = 'transfer_in' then quantity else 0 end) as transferred_in_quantity,
        sum(case when movement_type = 'transfer_out' then quantity else 0 end) as transferred_out_quantity,
        max(load_id) as load_id

    from movements
    group by store_id, material_id, movement_date

),

store_material_days as (

    select store_id, material_id, movement_date as inventory_date from daily_movements
    union
    select store_id, material_id, counted_date as inventory_date from counts

),

combined as (

    select
        store_material_days.store_id,
        store_material_days.material_id,
        store_material_days.inventory_date,
        counts.counted_quantity as on_hand_quantity,
        coalesce(daily_movements.received_quantity, 0) as received_quantity,
        coalesce(daily_movements.consumed_quantity, 0) as consumed_quantity,
        coalesce(daily_movements.wasted_quantity, 0) as wasted_quantity,
        coalesce(daily_movements.transferred_in_quantity, 0) as transferred_in_quantity,
        coalesce(daily_movements.transferred_out_quantity, 0) as transferred_out_quantity,
        greatest(daily_movements.load_id, counts.load_id) as day_load_id

    from store_material_days
    left join daily_movements
        on
            store_material_days.store_id = daily_movements.store_id
            and store_material_days.material_id = daily_movements.material_id
            and store_material_days.inventory_date = daily_movements.movement_date
    left join counts
        on
            store_material_days.store_id = counts.store_id
            and store_material_days.material_id = counts.material_id
            and store_material_days.inventory_date = counts.counted_date

),

averaged as (

    select
        combined.*,
        -- the 7-day average as its exact sum and count (divided, rounded, once below)
        sum(combined.consumed_quantity) over last_7_days as consumed_quantity_7d,
        count(*) over last_7_days as days_7d,
        max(combined.day_load_id) over last_7_days as load_id

    from combined
    window last_7_days as (
        partition by combined.store_id, combined.material_id
        order by combined.inventory_date
        rows between 6 preceding and current row
    )

),

final as (

    select
        averaged.store_id,
        averaged.material_id,
        materials.material_code,
        materials.material_name,
        materials.unit_of_measure,
        cast(averaged.on_hand_quantity as numeric(14, 3)) as on_hand_quantity,
        cast(averaged.received_quantity as numeric(14, 3)) as received_quantity,
        cast(averaged.consumed_quantity as numeric(14, 3)) as consumed_quantity,
        cast(averaged.wasted_quantity as numeric(14, 3)) as wasted_quantity,
        cast(averaged.transferred_in_quantity as numeric(14, 3)) as transferred_in_quantity,
        cast(averaged.transferred_out_quantity as numeric(14, 3)) as transferred_out_quantity,
        cast({{ divide_rounded('averaged.consumed_quantity_7d', 'averaged.days_7d', 3) }} as numeric(14, 3))
            as avg_daily_consumed_quantity_7d,
        cast(averaged.wasted_quantity * materials.unit_cost_usd as numeric(12, 2)) as wasted_cost_usd,
        -- on hand / (7-day consumption / days) = on hand * days / 7-day consumption
        cast(
            {{ divide_rounded('averaged.on_hand_quantity * averaged.days_7d', 'averaged.consumed_quantity_7d', 2) }}
            as numeric(10, 2)
        ) as days_of_cover,
        averaged.inventory_date,
        averaged.load_id

    from averaged
    left join materials
        on averaged.material_id = materials.material_id
    where {{ load_window('averaged.load_id') }}

)

select * from final
{{ order_by_watermark('inventory_date') }}
