{#-
    When dlt loaded a row: `_dlt_load_id` is the load's start as a Unix epoch in seconds,
    written as text (e.g. '1739577600.123456'). Returns a UTC timestamp with time zone.
-#}
{% macro dlt_loaded_at(column='_dlt_load_id') -%}
    {{ return(adapter.dispatch('dlt_loaded_at', 'luckin')(column)) }}
{%- endmacro %}

{% macro default__dlt_loaded_at(column) -%}
    to_timestamp(cast({{ column }} as double precision))
{%- endmacro %}
