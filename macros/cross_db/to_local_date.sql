{#-
    The New York (business) calendar date of a UTC `timestamp with time zone`.
    Reports use local dates: an order at 02:30 UTC on the 2nd belongs to the 1st in New York.
-#}
{% macro to_local_date(column, tz=none) -%}
    {{ return(adapter.dispatch('to_local_date', 'luckin')(column, tz or var('business_timezone'))) }}
{%- endmacro %}

{% macro default__to_local_date(column, tz) -%}
    cast(({{ column }}) at time zone '{{ tz }}' as date)
{%- endmacro %}

{% macro duckdb__to_local_date(column, tz) -%}
    cast(timezone('{{ tz }}', {{ column }}) as date)
{%- endmacro %}


{#- Spark's timestamps are instants shown in the session's zone (UTC, set by the profile). -#}
{% macro spark__to_local_date(column, tz) -%}
    cast(from_utc_timestamp({{ column }}, '{{ tz }}') as date)
{%- endmacro %}


{#- The first day of the New York month of a UTC timestamp, as a date. -#}
{% macro to_local_month(column, tz=none) -%}
    cast({{ dbt.date_trunc('month', luckin.to_local_date(column, tz)) }} as date)
{%- endmacro %}
