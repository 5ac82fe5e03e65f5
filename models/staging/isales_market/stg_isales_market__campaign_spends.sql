with

source as (

    {{ live_rows(source('isales_market', 't_campaign_spend')) }}

),

renamed as (

    select
        cast(id as bigint) as campaign_spend_id,
        cast(campaign_id as bigint) as campaign_id,
        cast(media_channel as {{ dbt.type_string() }}) as media_channel,
        cast(spend_amount as numeric(12, 2)) as spend_usd,
        spend_date,
        create_time as created_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id

    from source

)

select * from renamed
