{#-
    Type names the contract uses (text, timestamp with time zone, double precision) that Spark spells otherwise:
    Spark's `string`, and its `timestamp`, which is an instant (shown in the session's zone).
-#}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text', 'luckin')()) }}
{%- endmacro %}

{% macro default__type_text() -%}
    text
{%- endmacro %}

{% macro spark__type_text() -%}
    string
{%- endmacro %}


{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz', 'luckin')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
    timestamp with time zone
{%- endmacro %}

{% macro spark__type_timestamptz() -%}
    timestamp
{%- endmacro %}


{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'luckin')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
