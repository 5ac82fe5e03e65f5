-- Report 05, price points: units sold on completed orders by list price per unit (in 50-cent
-- bands), and what customers paid per unit after discounts in each band.
with

order_items as (

    select * from {{ ref('fct_order_items') }}

),

banded as (

    select
        floor(unit_price_usd * 2) / 2 as price_band_usd,
        quantity,
        gross_amount_usd,
        paid_amount_usd

    from order_items
    where is_revenue and has_order

),

final as (

    select
        cast(price_band_usd as numeric(8, 2)) as price_band_usd,
        sum(quantity) as units_sold,
        round(cast(sum(quantity) * 1.0 / sum(sum(quantity)) over () as numeric(8, 4)), 4) as share_of_units,
        round(cast(sum(gross_amount_usd) / nullif(sum(quantity), 0) as numeric(12, 4)), 4) as list_price_per_unit_usd,
        round(cast(sum(paid_amount_usd) / nullif(sum(quantity), 0) as numeric(12, 4)), 4) as paid_per_unit_usd

    from banded
    group by price_band_usd

)

select * from final
order by price_band_usd
