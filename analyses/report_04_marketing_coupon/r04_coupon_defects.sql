-- Report 04, coupon data defects: coupons issued twice to the same user within a second, and
-- coupons naming an order the source no longer holds (hard-deleted test orders). Both are
-- known source defects, surfaced here rather than silently dropped.
with

coupons as (

    select * from {{ ref('fct_coupons') }}

),

final as (

    select
        count(*) as coupons_issued,
        sum(case when is_duplicate_issue then 1 else 0 end) as duplicate_issues,
        sum(case when is_order_missing then 1 else 0 end) as coupons_with_missing_order,
        sum(case when attribution_source = 'order' then 1 else 0 end) as attributed_from_order_only,
        round(cast(sum(case when is_duplicate_issue then 1 else 0 end) * 1.0 / count(*) as numeric(10, 6)), 6)
            as duplicate_issue_rate

    from coupons

)

select * from final
