{#-
    The New York (business) hour of day, 0-23, of a UTC `timestamp with time zone`: the
    store pages' hour-of-day profile.
-#}
{% macro to_local_hour(column, tz=none) -%}
    {{ return(adapter.dispatch('to_local_hour', 'luckin')(column, tz or var('business_timezone'))) }}
{%- endmacro %}

{% macro default__to_local_hour(column, tz) -%}
    cast(extract(hour from ({{ column }}) at time zone '{{ tz }}') as integer)
{%- endmacro %}

{% macro spark__to_local_hour(column, tz) -%}
    cast(hour(from_utc_timestamp({{ column }}, '{{ tz }}')) as integer)
{%- endmacro %}

{% macro duckdb__to_local_hour(column, tz) -%}
    cast(extract(hour from timezone('{{ tz }}', {{ column }})) as integer)
{%- endmacro %}
