-- Every version of each store's status and opening hours, with its validity range.
with

versions as (

    select * from {{ ref('snp_stores') }}

),

final as (

    {{ history_from_snapshot('versions', 'store_id', ['store_status', 'business_hours_json'], 'store_version_id') }}

)

select * from final
