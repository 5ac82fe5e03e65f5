{#-
    `name as {{ inlined() }} (select * from ...)`: the CTE is read where it is used, not copied
    first. DuckDB and Postgres copy a CTE that is referenced more than once - as an incremental
    model's import CTE is, once to find what its window reaches and once for the rows - and the
    copy is the whole upstream table on every run. Inlined, the window's filter reaches the scan.
    Spark has no such keyword (and no such copy).
-#}
{% macro inlined() -%}
    {{ return(adapter.dispatch('inlined', 'luckin')()) }}
{%- endmacro %}

{% macro default__inlined() -%}
    not materialized
{%- endmacro %}

{% macro spark__inlined() -%}
{%- endmacro %}
