-- Report 04, campaigns: coupons issued and redeemed, redemption rate, discount cost, media
-- spend, new customers, CAC and the revenue the campaign's customers brought after their first
-- order, with the campaign's budget and how much of it was spent.
with

performance as (

    select * from {{ ref('fct_campaign_performance') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

final as (

    select
        performance.campaign_id,
        performance.campaign_name,
        performance.campaign_type,
        campaigns.campaign_status,
        performance.start_date,
        performance.end_date,
        performance.coupons_issued,
        performance.coupons_redeemed,
        performance.redemption_rate,
        performance.discount_cost_usd,
        performance.media_spend_usd,
        performance.total_cost_usd,
        campaigns.budget_usd,
        round(cast(performance.total_cost_usd / nullif(campaigns.budget_usd, 0) as numeric(8, 4)), 4)
            as budget_used_share,
        performance.new_customers,
        performance.cac_usd,
        performance.redeemed_order_revenue_usd,
        performance.incremental_revenue_usd,
        round(
            cast(
                (performance.redeemed_order_revenue_usd + performance.incremental_revenue_usd)
                / nullif(performance.total_cost_usd, 0)
                as numeric(10, 2)
            ),
            2
        ) as revenue_per_cost_dollar,
        performance.duplicate_issues

    from performance
    left join campaigns on performance.campaign_id = campaigns.campaign_id

)

select * from final
order by total_cost_usd desc
