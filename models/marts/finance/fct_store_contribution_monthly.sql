-- Store x New York month: what a store keeps after its direct costs. Net revenue (completed
-- orders, after discounts) minus the estimated cost of goods (materials consumed, from the
-- stock movements, at each material's unit cost), minus stock thrown away, minus labour
-- (planned shift hours from the HR schedule, not cancelled, at an assumed loaded hourly cost:
-- var labour_cost_per_hour_usd, because the payroll service holds no payslips).
with

daily_revenue as (

    select * from {{ ref('fct_store_daily_revenue') }}

),

inventory as (

    select * from {{ ref('fct_inventory_daily') }}

),

materials as (

    select * from {{ ref('stg_scm_material__materials') }}

),

shifts as (

    select * from {{ ref('stg_hr_schedule__shift_assignments') }}

),

revenue_months as (

    select
        store_id,
        revenue_month,
        count(distinct case when completed_orders > 0 then revenue_date end) as trading_days,
        sum(completed_orders) as completed_orders,
        sum(gross_amount_usd) as gross_sales_usd,
        sum(discount_amount_usd) as discount_usd,
        sum(revenue_usd) as net_revenue_usd,
        sum(refunded_amount_usd) as refunded_usd

    from daily_revenue
    group by store_id, revenue_month

),

material_costs as (

    select
        inventory.store_id,
        cast({{ dbt.date_trunc('month', 'inventory.inventory_date') }} as date) as cost_month,
        sum(inventory.consumed_quantity * materials.unit_cost_usd) as cost_of_goods_usd,
        sum(inventory.wasted_cost_usd) as waste_usd

    from inventory
    left join materials on inventory.material_id = materials.material_id
    group by inventory.store_id, cast({{ dbt.date_trunc('month', 'inventory.inventory_date') }} as date)

),

labour as (

    select
        store_id,
        cast({{ dbt.date_trunc('month', 'shift_date') }} as date) as labour_month,
        count(*) as shifts,
        sum(planned_hours) as labour_hours

    from shifts
    where not is_deleted and shift_status <> 'cancelled'
    group by store_id, cast({{ dbt.date_trunc('month', 'shift_date') }} as date)

),

combined as (

    select
        revenue_months.store_id,
        revenue_months.revenue_month,
        revenue_months.trading_days,
        revenue_months.completed_orders,
        revenue_months.gross_sales_usd,
        revenue_months.discount_usd,
        revenue_months.net_revenue_usd,
        revenue_months.refunded_usd,
        coalesce(material_costs.cost_of_goods_usd, 0) as cost_of_goods_usd,
        coalesce(material_costs.waste_usd, 0) as waste_usd,
        coalesce(labour.shifts, 0) as shifts,
        coalesce(labour.labour_hours, 0) as labour_hours

    from revenue_months
    left join material_costs
        on
            revenue_months.store_id = material_costs.store_id
            and revenue_months.revenue_month = material_costs.cost_month
    left join labour
        on
            revenue_months.store_id = labour.store_id
            and revenue_months.revenue_month = labour.labour_month

),

costed as (

    select
        store_id,
        revenue_month,
        cast(trading_days as integer) as trading_days,
        cast(completed_orders as integer) as completed_orders,
        cast(shifts as integer) as shifts,
        cast(gross_sales_usd as numeric(14, 2)) as gross_sales_usd,
        cast(discount_usd as numeric(14, 2)) as discount_usd,
        cast(net_revenue_usd as numeric(14, 2)) as net_revenue_usd,
        cast(refunded_usd as numeric(14, 2)) as refunded_usd,
        cast(cost_of_goods_usd as numeric(14, 2)) as cost_of_goods_usd,
        cast(waste_usd as numeric(14, 2)) as waste_usd,
        cast(labour_hours as numeric(12, 2)) as labour_hours,
        cast(
            cast(labour_hours as numeric(12, 2)) * {{ var('labour_cost_per_hour_usd', 24.0) }} as numeric(14, 2)
        ) as labour_cost_usd

    from combined

),

final as (

    select
        {{ surrogate_key(['store_id', 'revenue_month']) }} as store_month_id,
        store_id,
        trading_days,
        completed_orders,
        shifts,
        gross_sales_usd,
        discount_usd,
        net_revenue_usd,
        refunded_usd,
        cost_of_goods_usd,
        waste_usd,
        labour_hours,
        labour_cost_usd,
        cast(net_revenue_usd - cost_of_goods_usd - waste_usd - labour_cost_usd as numeric(14, 2))
            as contribution_usd,
        cast(
            {{ divide_rounded('net_revenue_usd - cost_of_goods_usd - waste_usd - labour_cost_usd',
                              'net_revenue_usd', 4) }}
            as numeric(10, 4)
        ) as contribution_margin,
        revenue_month

    from costed

)

select * from final
