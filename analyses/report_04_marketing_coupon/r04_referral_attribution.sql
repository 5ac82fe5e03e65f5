-- Report 04, the referral numbers explained: the campaigns credit a new customer to the
-- campaign whose coupon paid for the customer's first order (dim_customers.acquisition_campaign_id).
-- Users who signed up with an invite code (registration channel referral) are shown here by
-- the campaign that rule credits them to, or why none is credited (never ordered, or a first
-- order without a coupon).
with

customers as (

    select * from {{ ref('dim_customers') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

referred as (

    select
        case
            when not customers.has_ordered then 'Never ordered'
            when customers.acquisition_campaign_id is null then 'First order without a coupon'
            else campaigns.campaign_name
        end as credited_to,
        customers.customer_id

    from customers
    left join campaigns on customers.acquisition_campaign_id = campaigns.campaign_id
    where customers.registration_channel = 'referral' and not customers.is_deleted

),

final as (

    select
        credited_to,
        count(*) as referred_users,
        round(cast(count(*) * 1.0 / sum(count(*)) over () as numeric(8, 4)), 4) as share_of_referred_users

    from referred
    group by credited_to

)

select * from final
order by referred_users desc, credited_to
