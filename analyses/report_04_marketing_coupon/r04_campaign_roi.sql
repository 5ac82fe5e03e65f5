-- Report 04, campaign return: per campaign, its cost (discounts + media), the revenue of the
-- orders its coupons paid for, the later revenue of the customers it acquired (incremental),
-- ROAS = (redeemed-order revenue + incremental revenue) / media spend, and ROI = (that revenue
-- x the contribution margin of the whole estate - cost) / cost, where the margin is the
-- estate's lifetime contribution / net revenue (fct_store_contribution_monthly).
with

performance as (

    select * from {{ ref('fct_campaign_performance') }}

),

contribution as (

    select * from {{ ref('fct_store_contribution_monthly') }}

),

margin as (

    select sum(contribution_usd) / nullif(sum(net_revenue_usd), 0) as contribution_margin
    from contribution

),

final as (

    select
        performance.campaign_id,
        performance.campaign_name,
        performance.campaign_type,
        performance.new_customers,
        performance.coupons_redeemed,
        performance.discount_cost_usd,
        performance.media_spend_usd,
        performance.total_cost_usd,
        performance.redeemed_order_revenue_usd,
        performance.incremental_revenue_usd,
        performance.redeemed_order_revenue_usd + performance.incremental_revenue_usd as attributed_revenue_usd,
        round(cast(margin.contribution_margin as numeric(8, 4)), 4) as estate_contribution_margin,
        round(
            cast(
                (performance.redeemed_order_revenue_usd + performance.incremental_revenue_usd)
                / nullif(performance.media_spend_usd, 0)
                as numeric(10, 2)
            ),
            2
        ) as roas,
        round(
            cast(
                (
                    (performance.redeemed_order_revenue_usd + performance.incremental_revenue_usd)
                    * margin.contribution_margin - performance.total_cost_usd
                )
                / nullif(performance.total_cost_usd, 0)
                as numeric(10, 4)
            ),
            4
        ) as roi_ratio

    from performance
    cross join margin

)

select * from final
order by attributed_revenue_usd desc
