{#-
    The figures report 00's analyses (r00_key_metrics, r00_critical_findings) both start from,
    defined once so that the two agree: the CTEs `calendar` and `report_months`, one row each,
    to write into an analysis's `with` after its import CTEs. An analysis cannot read another
    analysis, so the shared CTEs come from this macro rather than from a shared query.

    report_months: as_of_date (the latest order date), first_full_month (the first New York
    month the data covers from its first day) and latest_full_month (the last one it covers to
    its last day: the run-rate month).
    orders: the name of the analysis's import CTE of fct_orders.
-#}
{% macro report_00_base_figures(orders) -%}
calendar as (

    select
        min(order_date) as first_order_date,
        max(order_date) as as_of_date,
        cast({{ dbt.date_trunc('month', 'min(order_date)') }} as date) as first_order_month,
        cast({{ dbt.date_trunc('month', 'max(order_date)') }} as date) as as_of_month

    from {{ orders }}

),

report_months as (

    select
        as_of_date,
        case
            when extract(day from first_order_date) = 1 then first_order_month
            else cast({{ dbt.dateadd('month', 1, 'first_order_month') }} as date)
        end as first_full_month,
        case
            when extract(day from {{ add_days('as_of_date', 1) }}) = 1 then as_of_month
            else cast({{ dbt.dateadd('month', -1, 'as_of_month') }} as date)
        end as latest_full_month

    from calendar

)
{%- endmacro %}
