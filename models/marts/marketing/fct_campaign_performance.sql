-- One row per campaign. Definitions (docs: fct_campaign_performance):
--   new customers  customers whose first order used one of the campaign's coupons;
--   CAC            (media spend + discount cost of those first orders) / new customers;
--   incremental    revenue of the customers it acquired from their later orders (the first,
--   revenue        discounted one is the cost of acquiring them).
with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

coupons as (

    select * from {{ ref('fct_coupons') }}

),

spend as (

    select * from {{ ref('stg_isales_market__campaign_spends') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

coupon_stats as (

    select
        campaign_id,
        count(*) as coupons_issued,
        sum(case when is_redeemed_on_revenue_order then 1 else 0 end) as coupons_redeemed,
        sum(case when is_duplicate_issue then 1 else 0 end) as duplicate_issues,
        sum(discount_cost_usd) as discount_cost_usd,
        sum(order_revenue_usd) as redeemed_order_revenue_usd,
        sum(case when is_first_order and is_redeemed_on_revenue_order then discount_cost_usd else 0 end)
            as first_order_discount_cost_usd

    from coupons
    group by campaign_id

),

spend_stats as (

    select
        campaign_id,
        sum(spend_usd) as media_spend_usd

    from spend
    group by campaign_id

),

acquired as (

    select
        customer_id,
        campaign_id

    from orders
    where is_first_order and campaign_id is not null

),

acquired_stats as (

    select
        acquired.campaign_id,
        count(distinct acquired.customer_id) as new_customers,
        sum(case when not orders.is_first_order then orders.revenue_usd else 0 end) as incremental_revenue_usd

    from acquired
    left join orders
        on acquired.customer_id = orders.customer_id
    group by acquired.campaign_id

),

final as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        cast(coalesce(coupon_stats.coupons_issued, 0) as integer) as coupons_issued,
        cast(coalesce(coupon_stats.coupons_redeemed, 0) as integer) as coupons_redeemed,
        cast(coalesce(coupon_stats.duplicate_issues, 0) as integer) as duplicate_issues,
        cast(
            {{ divide_rounded('coalesce(coupon_stats.coupons_redeemed, 0)', 'coupon_stats.coupons_issued', 4) }}
            as numeric(8, 4)
        ) as redemption_rate,
        cast(coalesce(coupon_stats.discount_cost_usd, 0) as numeric(14, 2)) as discount_cost_usd,
        cast(coalesce(spend_stats.media_spend_usd, 0) as numeric(14, 2)) as media_spend_usd,
        cast(coalesce(coupon_stats.discount_cost_usd, 0) + coalesce(spend_stats.media_spend_usd, 0) as numeric(14, 2))
            as total_cost_usd,
        cast(coalesce(acquired_stats.new_customers, 0) as integer) as new_customers,
        cast(
            {{ divide_rounded(
                'coalesce(spend_stats.media_spend_usd, 0) + coalesce(coupon_stats.first_order_discount_cost_usd, 0)',
                'acquired_stats.new_customers', 2) }}
            as numeric(12, 2)
        ) as cac_usd,
        cast(coalesce(coupon_stats.redeemed_order_revenue_usd, 0) as numeric(14, 2)) as redeemed_order_revenue_usd,
        cast(coalesce(acquired_stats.incremental_revenue_usd, 0) as numeric(14, 2)) as incremental_revenue_usd,
        campaigns.start_date,
        campaigns.end_date

    from campaigns
    left join coupon_stats
        on campaigns.campaign_id = coupon_stats.campaign_id
    left join spend_stats
        on campaigns.campaign_id = spend_stats.campaign_id
    left join acquired_stats
        on campaigns.campaign_id = acquired_stats.campaign_id

)

select * from final
