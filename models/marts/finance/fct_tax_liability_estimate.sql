-- Store x New York month: the sales tax the business should have collected and remitted on
-- its completed orders, at the seeded NYC rate in force on each order's date, against what
-- fi_tax recorded (nothing: the tables are empty). Prices are taken as tax-exclusive, as
-- US menu prices are, so tax = taxable sales x rate.
with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_revenue

),

tax_rates as (

    select * from {{ ref('nyc_sales_tax_rates') }}

),

tax_records as (

    select * from {{ ref('stg_fi_tax__tax_records') }}

),

orders_taxed as (

    select
        orders.store_id,
        orders.order_month,
        orders.revenue_usd,
        tax_rates.combined_rate,
        orders.revenue_usd * tax_rates.combined_rate as estimated_tax_usd

    from orders
    left join tax_rates
        on
            orders.order_date >= tax_rates.effective_from_date
            and (tax_rates.effective_to_date is null or orders.order_date <= tax_rates.effective_to_date)

),

estimated as (

    select
        store_id,
        order_month as tax_month,
        count(*) as taxable_orders,
        sum(revenue_usd) as taxable_sales_usd,
        max(combined_rate) as tax_rate,
        sum(estimated_tax_usd) as estimated_tax_usd

    from orders_taxed
    group by store_id, order_month

),

tax_records_by_month as (

    select
        store_id,
        tax_amount_usd,
        {{ to_local_month('created_at') }} as tax_month

    from tax_records

),

recorded as (

    select
        store_id,
        tax_month,
        count(*) as tax_records,
        sum(tax_amount_usd) as recorded_tax_usd

    from tax_records_by_month
    group by store_id, tax_month

),

final as (

    select
        {{ surrogate_key(['estimated.store_id', 'estimated.tax_month']) }} as store_tax_month_id,
        estimated.store_id,
        cast(estimated.taxable_orders as integer) as taxable_orders,
        cast(estimated.taxable_sales_usd as numeric(14, 2)) as taxable_sales_usd,
        cast(estimated.tax_rate as numeric(8, 5)) as tax_rate,
        cast(estimated.estimated_tax_usd as numeric(14, 2)) as estimated_tax_usd,
        cast(coalesce(recorded.tax_records, 0) as integer) as tax_records,
        cast(coalesce(recorded.recorded_tax_usd, 0) as numeric(14, 2)) as recorded_tax_usd,
        cast(estimated.estimated_tax_usd - coalesce(recorded.recorded_tax_usd, 0) as numeric(14, 2))
            as compliance_gap_usd,
        coalesce(recorded.tax_records, 0) = 0 as is_unrecorded,
        estimated.tax_month

    from estimated
    left join recorded
        on
            estimated.store_id = recorded.store_id
            and estimated.tax_month = recorded.tax_month

)

select * from final
