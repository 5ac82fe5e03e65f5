{#-
    Type names the contract uses (text, timestamp with time zone, double precision) that Spark spells otherwise:
    Spark's `string`, and its `timestamp`, which is an instant (shown in the session's zone).
    Not dbt's type_* macros: the enforced contracts compare these exact names, and dbt's differ
    where it matters (type_timestamp has no zone on Postgres; type_float is a 4-byte float on DuckDB).
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


{#- An exact decimal wide enough for divide_rounded's operands: plain `numeric` on DuckDB
    (decimal(18,3)) and Postgres (unbounded); on Spark `numeric` is decimal(10,0), which
    would round the operands to whole numbers and overflow to null. -#}
{% macro type_exact_numeric() -%}
    {{ return(adapter.dispatch('type_exact_numeric', 'luckin')()) }}
{%- endmacro %}

{% macro default__type_exact_numeric() -%}
    numeric
{%- endmacro %}

{% macro spark__type_exact_numeric() -%}
    decimal(28, 6)
{%- endmacro %}
