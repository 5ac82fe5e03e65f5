-- One row per marketing campaign, with its coupon templates counted.
with

campaigns as (

    select * from {{ ref('stg_isales_market__campaigns') }}

),

templates as (

    select * from {{ ref('stg_isales_market__coupon_templates') }}

),

template_counts as (

    select
        campaign_id,
        count(*) as coupon_templates,
        sum(case when is_new_user_only then 1 else 0 end) as new_user_templates

    from templates
    group by campaign_id

),

final as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.campaign_status,
        campaigns.budget_usd,
        cast(coalesce(template_counts.coupon_templates, 0) as integer) as coupon_templates,
        coalesce(template_counts.new_user_templates, 0) > 0 as has_new_user_templates,
        {{ to_local_date('campaigns.starts_at') }} as start_date,
        {{ to_local_date('campaigns.ends_at') }} as end_date,
        campaigns.starts_at,
        campaigns.ends_at

    from campaigns
    left join template_counts
        on campaigns.campaign_id = template_counts.campaign_id

)

select * from final
