{{
    config(
        materialized='incremental',
        unique_key='customer_id',
    )
}}

-- Registered users with their contact details already hashed. Hashing every user on every
-- build was half of dim_customers' time: this keeps the hashes and, in an incremental run,
-- hashes only the users changed since the high-water mark minus the lookback. A new
-- var('pii_hash_salt') rehashes nobody until `luckin build --job full-refresh`.
with

users as (

    select * from {{ ref('stg_sales_user__users') }}
    where {{ incremental_window('updated_at', 'updated_at') }}

),

final as (

    select
        customer_id,
        registration_store_id,
        phone_hash,
        email_hash,
        registration_channel,
        account_status,
        is_deleted,
        registered_at,
        updated_at

    from users

)

select * from final
{{ order_by_watermark('updated_at') }}
