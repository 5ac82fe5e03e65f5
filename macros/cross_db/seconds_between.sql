{#-
    Elapsed seconds (fractional) from one timestamp to another; NULL if either is NULL.
    dbt.datediff('second') counts boundaries and drops milliseconds, which make-queue events have.
-#}
{% macro seconds_between(start_column, end_column) -%}
    {{ return(adapter.dispatch('seconds_between', 'luckin')(start_column, end_column)) }}
{%- endmacro %}

{% macro default__seconds_between(start_column, end_column) -%}
    cast(extract(epoch from ({{ end_column }}) - ({{ start_column }})) as {{ dbt.type_numeric() }})
{%- endmacro %}

{#- unix_micros: unix_timestamp() would drop the milliseconds -#}
{% macro spark__seconds_between(start_column, end_column) -%}
    cast((unix_micros({{ end_column }}) - unix_micros({{ start_column }})) / 1000000.0 as decimal(18, 3))
{%- endmacro %}

{% macro duckdb__seconds_between(start_column, end_column) -%}
    cast(epoch({{ end_column }}) - epoch({{ start_column }}) as decimal(18, 3))
{%- endmacro %}
