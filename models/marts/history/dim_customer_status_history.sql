-- Every account status of each customer, with its validity range.
with

versions as (

    select * from {{ ref('snp_users') }}

),

final as (

    {{ history_from_snapshot('versions', 'customer_id', ['account_status'], 'customer_status_version_id') }}

)

select * from final
