{#-
    Date arithmetic on calendar dates that reads the same on DuckDB and Postgres: both
    subtract dates to a whole number of days and add an integer number of days to a date.
    (dbt.datediff/dbt.dateadd go through timestamps and return a timestamp on DuckDB.)
-#}

{#- Whole days from start_date to end_date (negative if end is earlier). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'luckin')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    (cast({{ end_date }} as date) - cast({{ start_date }} as date))
{%- endmacro %}

{#- Spark subtracts dates to an interval -#}
{% macro spark__days_between(start_date, end_date) -%}
    datediff(cast({{ end_date }} as date), cast({{ start_date }} as date))
{%- endmacro %}

{#- Whole weeks from start_date to end_date (week 0 = the first seven days). floor() of a
    decimal quotient: integer `/` truncates on Postgres but is float division on DuckDB. -#}
{% macro weeks_between(start_date, end_date) -%}
    cast(floor({{ days_between(start_date, end_date) }} / 7.0) as integer)
{%- endmacro %}

{#- The date `days` days after date_expr (before, if negative). -#}
{% macro add_days(date_expr, days) -%}
    (cast({{ date_expr }} as date) + cast({{ days }} as integer))
{%- endmacro %}

{#- Whole calendar months from the month of start_date to the month of end_date. -#}
{% macro months_between(start_date, end_date) -%}
    cast(
        (extract(year from {{ end_date }}) - extract(year from {{ start_date }})) * 12
        + extract(month from {{ end_date }}) - extract(month from {{ start_date }})
        as integer
    )
{%- endmacro %}
