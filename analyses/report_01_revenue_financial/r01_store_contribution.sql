-- Report 01, store contribution and payback: per store, lifetime net revenue, estimated cost
-- of goods, waste, labour and contribution (fct_store_contribution_monthly), the average
-- monthly contribution over its last three full months of trading, and the months that would
-- take to pay back a fit-out cost assumed at var store_fit_out_cost_usd (NULL while the
-- contribution is not positive).
with

contribution as (

    select * from {{ ref('fct_store_contribution_monthly') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

last_day as (

    select max(revenue_month) as as_of_month
    from contribution

),

ranked as (

    select
        contribution.*,
        -- full months: before the current (partial) month and not the store's opening month
        row_number() over (partition by contribution.store_id order by contribution.revenue_month desc)
            as months_back

    from contribution
    cross join last_day
    inner join stores on contribution.store_id = stores.store_id
    where
        contribution.revenue_month < last_day.as_of_month
        and contribution.revenue_month > cast({{ dbt.date_trunc('month', 'stores.opened_date') }} as date)

),

recent as (

    select
        store_id,
        count(*) as recent_months,
        avg(contribution_usd) as recent_monthly_contribution_usd,
        avg(net_revenue_usd) as recent_monthly_revenue_usd

    from ranked
    where months_back <= 3
    group by store_id

),

lifetime as (

    select
        store_id,
        sum(net_revenue_usd) as net_revenue_usd,
        sum(discount_usd) as discount_usd,
        sum(cost_of_goods_usd) as cost_of_goods_usd,
        sum(waste_usd) as waste_usd,
        sum(labour_hours) as labour_hours,
        sum(labour_cost_usd) as labour_cost_usd,
        sum(contribution_usd) as contribution_usd

    from contribution
    group by store_id

),

final as (

    select
        stores.store_id,
        stores.store_name,
        stores.opened_date,
        lifetime.net_revenue_usd,
        lifetime.discount_usd,
        lifetime.cost_of_goods_usd,
        lifetime.waste_usd,
        lifetime.labour_hours,
        lifetime.labour_cost_usd,
        lifetime.contribution_usd,
        round(cast(lifetime.contribution_usd / nullif(lifetime.net_revenue_usd, 0) as numeric(8, 4)), 4)
            as contribution_margin,
        recent.recent_months,
        round(cast(recent.recent_monthly_revenue_usd as numeric(14, 2)), 2) as recent_monthly_revenue_usd,
        round(cast(recent.recent_monthly_contribution_usd as numeric(14, 2)), 2)
            as recent_monthly_contribution_usd,
        {{ var('store_fit_out_cost_usd', 450000) }} as fit_out_cost_usd,
        round(
            cast(
                {{ var('store_fit_out_cost_usd', 450000) }}
                / case
                    when recent.recent_monthly_contribution_usd > 0
                        then recent.recent_monthly_contribution_usd
                end
                as numeric(10, 1)
            ),
            1
        ) as payback_months

    from lifetime
    inner join stores on lifetime.store_id = stores.store_id
    left join recent on lifetime.store_id = recent.store_id

)

select * from final
order by contribution_usd desc
