-- One row per registered user (deleted accounts included, flagged). Scores and values are
-- as of the last business day with orders, not the wall clock, so a rebuild of the same data
-- gives the same answer. The order history comes aggregated per customer from an incremental
-- model, so this table costs one pass over the customers, not over every order: only the
-- as-of-dependent columns (recency, scores, segment, predicted value) are recomputed whole.
{%- set horizon_months = var('clv_horizon_months') %}
{%- set half_life_days = var('clv_activity_half_life_days') %}

with

users as (

    select * from {{ ref('int_users_pseudonymised') }}

),

customer_orders as (

    -- the order history per customer, kept incrementally: nothing here depends on the as-of date
    select * from {{ ref('fct_customer_order_totals') }}

),

order_stats as (

    select
        customer_id,
        completed_orders,
        revenue_usd,
        first_order_date,
        last_order_date,
        first_order_at,
        last_order_at

    from customer_orders
    where completed_orders > 0

),

first_orders as (

    -- The customer's first order of any status: what acquired them.
    select
        customer_id,
        acquisition_campaign_id,
        is_first_order_with_coupon

    from customer_orders

),

as_of as (

    select max(last_order_date) as as_of_date
    from order_stats

),

recency as (

    select
        order_stats.*,
        {{ days_between('order_stats.last_order_date', 'as_of.as_of_date') }} as recency_days,
        {{ days_between('order_stats.first_order_date', 'as_of.as_of_date') }} + 1 as tenure_days

    from order_stats
    cross join as_of

),

scored as (

    -- Quintile scores 1-5 by cumulative distribution: ties share a score.
    select
        recency.*,
        cast(ceil(5 * cume_dist() over (order by recency.recency_days desc)) as integer) as recency_score,
        cast(ceil(5 * cume_dist() over (order by recency.completed_orders)) as integer) as frequency_score,
        cast(ceil(5 * cume_dist() over (order by recency.revenue_usd)) as integer) as monetary_score

    from recency

),

segmented as (

    select
        scored.*,
        case
            when scored.recency_score >= 4 and scored.frequency_score >= 4 and scored.monetary_score >= 4
                then 'champions'
            when scored.completed_orders = 1 and scored.recency_days <= 30 then 'new'
            when scored.frequency_score >= 4 and scored.recency_score >= 3 then 'loyal'
            when scored.recency_score >= 4 then 'promising'
            when scored.recency_score <= 2 and scored.frequency_score >= 3 then 'at_risk'
            when scored.recency_score <= 2 then 'hibernating'
            else 'needs_attention'
        end as rfm_segment,
        -- Spend per month of tenure (at least one month), carried over the horizon and
        -- weighted by the chance the customer is still active: halves every half-life of
        -- days since their last order. In double precision on every adapter (DuckDB divides
        -- decimals so anyway; Spark's decimal division would round the last cent otherwise).
        cast(scored.revenue_usd as {{ luckin.type_double() }})
        / (cast(greatest(scored.tenure_days, 30) as {{ luckin.type_double() }}) / 30.4375) * {{ horizon_months }}
        * power(0.5, cast(scored.recency_days as {{ luckin.type_double() }}) / {{ half_life_days }}.0)
            as expected_future_value_usd

    from scored

),

final as (

    select
        users.customer_id,
        users.registration_store_id,
        first_orders.acquisition_campaign_id,
        users.phone_hash,
        users.email_hash,
        users.registration_channel,
        users.account_status,
        coalesce(segmented.rfm_segment, 'never_ordered') as rfm_segment,
        segmented.recency_score,
        segmented.frequency_score,
        segmented.monetary_score,
        cast(segmented.recency_days as integer) as recency_days,
        cast(coalesce(segmented.completed_orders, 0) as integer) as completed_orders,
        cast(coalesce(segmented.revenue_usd, 0) as numeric(14, 2)) as revenue_usd,
        cast({{ divide_rounded('segmented.revenue_usd', 'segmented.completed_orders', 2) }} as numeric(12, 2))
            as avg_order_value_usd,
        cast(coalesce(segmented.revenue_usd, 0) as numeric(14, 2)) as historical_clv_usd,
        cast(coalesce(segmented.revenue_usd + segmented.expected_future_value_usd, 0) as numeric(14, 2))
            as predicted_clv_usd,
        segmented.customer_id is not null as has_ordered,
        coalesce(first_orders.is_first_order_with_coupon, false) as is_acquired_with_coupon,
        users.is_deleted,
        {{ to_local_date('users.registered_at') }} as registered_date,
        segmented.first_order_date,
        segmented.last_order_date,
        cast({{ dbt.date_trunc('month', 'segmented.first_order_date') }} as date) as cohort_month,
        users.registered_at,
        segmented.first_order_at,
        segmented.last_order_at

    from users
    left join segmented
        on users.customer_id = segmented.customer_id
    left join first_orders
        on users.customer_id = first_orders.customer_id

)

select * from final
