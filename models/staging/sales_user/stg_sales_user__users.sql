-- Personal data (phone, email, names) leaves this model only as salted SHA-256 hashes.
with

source as (

    {{ live_rows(source('sales_user', 't_user')) }}

),

renamed as (

    select
        cast(id as bigint) as customer_id,
        cast(register_shop_id as bigint) as registration_store_id,
        {{ hash_pii('mobile') }} as phone_hash,
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii('first_name') }} as first_name_hash,
        {{ hash_pii('last_name') }} as last_name_hash,
        {{ hash_pii('nickname') }} as nickname_hash,
        {{ decode_code('register_channel', {
            1: 'popup_event', 2: 'app_store', 3: 'social_ad',
            4: 'referral', 5: 'in_store_qr', 6: 'partner_promo'}) }}
            as registration_channel,
        {{ decode_code('gender', {0: 'unknown', 1: 'male', 2: 'female'}) }} as gender,
        {{ decode_code('status', {1: 'active', 2: 'frozen', 3: 'closed'}) }} as account_status,
        cast(register_channel as integer) as registration_channel_code,
        email is not null as has_email,
        is_deleted,
        -- MySQL zero dates land as NULL: no legacy SMS verification on record.
        legacy_verify_time is not null as is_legacy_verified,
        birthday as birth_date,
        register_time as registered_at,
        last_login_time as last_login_at,
        legacy_verify_time as legacy_verified_at,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
