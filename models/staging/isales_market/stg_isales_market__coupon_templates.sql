with

source as (

    {{ live_rows(source('isales_market', 't_coupon_template')) }}

),

renamed as (

    select
        cast(id as bigint) as coupon_template_id,
        cast(campaign_id as bigint) as campaign_id,
        cast(template_name as {{ dbt.type_string() }}) as coupon_template_name,
        {{ decode_code('coupon_type', {1: 'amount_off', 2: 'percent_off', 3: 'fixed_price_drink'}) }}
            as coupon_type,
        -- Dollars for amount_off and fixed_price_drink, a percentage for percent_off.
        cast(discount_value as numeric(12, 2)) as discount_value,
        cast(min_spend as numeric(12, 2)) as min_spend_usd,
        cast(valid_days as integer) as valid_days,
        is_new_user_only,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
