{#-
    Incremental models on Spark. Without Delta or Iceberg (their jars come from Maven at run
    time) Spark has no `merge`, and dbt-spark's `append` - what a `unique_key` without a
    strategy falls back to - duplicates every restated row. The project's incremental models
    restate rows by key (delete+insert) and their pre-hooks delete from {{ this }}, which a
    Parquet table cannot do. So on Spark an incremental model is rebuilt whole, as a table:
    it cannot duplicate, and since the extract replaces every landed table on each run there
    are no newer loads to window on. `is_incremental()` is false there, so the windows and
    delete hooks render their full-build forms. (With Delta on a cluster, dbt-spark's
    `merge` strategy is the way to make these incremental again: README, The Spark target.)
-#}
{% materialization incremental, adapter='spark' -%}
    {{ return(materialization_table_spark()) }}
{%- endmaterialization %}


{% macro is_incremental() -%}
    {%- if target.type == 'spark' -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{%- endmacro %}
