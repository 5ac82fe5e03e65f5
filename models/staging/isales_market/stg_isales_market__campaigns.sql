with

source as (

    {{ live_rows(source('isales_market', 't_campaign')) }}

),

renamed as (

    select
        cast(id as bigint) as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        {{ decode_code('campaign_type', {
            1: 'new_user', 2: 'store_opening', 3: 'seasonal', 4: 'referral', 5: 'win_back'}) }}
            as campaign_type,
        {{ decode_code('status', {1: 'draft', 2: 'running', 3: 'ended'}) }} as campaign_status,
        cast(budget_amount as numeric(12, 2)) as budget_usd,
        start_time as starts_at,
        end_time as ends_at,
        create_time as created_at,
        update_time as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
