-- Report 02, customer lifetime value: ordering customers by band of predicted CLV (the
-- heuristic documented on dim_customers), with their historical value beside it.
with

customers as (

    select * from {{ ref('dim_customers') }}

),

banded as (

    select
        predicted_clv_usd,
        historical_clv_usd,
        case
            when predicted_clv_usd < 5 then 1
            when predicted_clv_usd < 10 then 2
            when predicted_clv_usd < 25 then 3
            when predicted_clv_usd < 50 then 4
            when predicted_clv_usd < 100 then 5
            else 6
        end as clv_band_order

    from customers
    where has_ordered and not is_deleted

),

final as (

    select
        clv_band_order,
        case clv_band_order
            when 1 then 'under $5'
            when 2 then '$5-10'
            when 3 then '$10-25'
            when 4 then '$25-50'
            when 5 then '$50-100'
            else '$100 and over'
        end as clv_band,
        count(*) as customers,
        round(cast(avg(historical_clv_usd) as numeric(12, 2)), 2) as avg_historical_clv_usd,
        round(cast(avg(predicted_clv_usd) as numeric(12, 2)), 2) as avg_predicted_clv_usd,
        sum(predicted_clv_usd) as predicted_clv_usd

    from banded
    group by clv_band_order

)

select * from final
order by clv_band_order
