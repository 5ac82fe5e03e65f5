-- Report 04, the invite-a-friend coupons: the referral campaign's coupons by whether they paid
-- for the holder's first order (the only use the acquisition rule credits) or a later order.
with

coupons as (

    select * from {{ ref('fct_coupons') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

final as (

    select
        campaigns.campaign_name,
        count(*) as coupons_issued,
        sum(case when coupons.is_redeemed_on_revenue_order then 1 else 0 end) as coupons_redeemed,
        sum(case when coupons.is_redeemed_on_revenue_order and coupons.is_first_order then 1 else 0 end)
            as redeemed_on_first_orders,
        sum(case when coupons.is_redeemed_on_revenue_order and not coupons.is_first_order then 1 else 0 end)
            as redeemed_on_later_orders

    from coupons
    inner join campaigns on coupons.campaign_id = campaigns.campaign_id
    where campaigns.campaign_type = 'referral' and not coupons.is_duplicate_issue
    group by campaigns.campaign_name

)

select * from final
order by campaign_name
