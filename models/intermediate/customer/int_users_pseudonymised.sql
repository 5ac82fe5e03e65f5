{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        pre_hook="{{ delete_keys('customer_id', 'select customer_id from ' ~ ref('stg_sales_user__deleted_users')) }}",
    )
}}

-- Registered users with their contact details already hashed. Hashing every user on every
-- build was half of dim_customers' time: this keeps the hashes and, in an incremental run,
-- hashes only the users that loads after the last processed one wrote; users deleted in the
-- source are deleted (pre-hook). A new var('pii_hash_salt') rehashes nobody until
-- `luckin build --job full-refresh`.
-- depends_on: {{ ref('stg_sales_user__deleted_users') }}
with

users as (

    select * from {{ ref('stg_sales_user__users') }}
    where {{ load_window('load_id') }}

),

final as (

    select
        customer_id,
        registration_store_id,
        phone_hash,
        email_hash,
        registration_channel,
        account_status,
        load_id,
        is_deleted,
        registered_at,
        updated_at

    from users

)

select * from final
{{ order_by_watermark('updated_at') }}
