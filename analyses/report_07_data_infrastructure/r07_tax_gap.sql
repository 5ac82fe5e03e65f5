-- Report 07, tax compliance gap: per New York month, taxable sales, the NYC sales tax they
-- imply, what fi_tax recorded, and the gap.
with

tax_estimate as (

    select * from {{ ref('fct_tax_liability_estimate') }}

),

final as (

    select
        tax_month,
        count(*) as stores,
        sum(taxable_orders) as taxable_orders,
        sum(taxable_sales_usd) as taxable_sales_usd,
        sum(estimated_tax_usd) as estimated_tax_usd,
        sum(tax_records) as tax_records,
        sum(recorded_tax_usd) as recorded_tax_usd,
        sum(compliance_gap_usd) as compliance_gap_usd

    from tax_estimate
    group by tax_month

)

select * from final
order by tax_month
