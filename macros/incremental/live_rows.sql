{#-
    Staging reads raw tables through these two. The extract keeps a row whose key vanished from
    the source, with `_luckin_deleted_at` set and the deleting load's `_dlt_load_id`
    (luckin.core.contract): `live_rows` is the table without those rows, `deleted_rows` only
    those rows (the tombstones incremental models delete by).
    A raw table landed before the extract recorded deletions has no `_luckin_deleted_at`:
    then every row is live (checked when the model runs; a unit test's fixture counts as such).
-#}
{% macro live_rows(relation) -%}
    select * from {{ relation }}
    {%- if _has_deleted_at(relation) %}
    where _luckin_deleted_at is null
    {%- endif %}
{%- endmacro %}


{% macro deleted_rows(relation) -%}
    {%- if _has_deleted_at(relation) -%}
    select * from {{ relation }}
    where _luckin_deleted_at is not null
    {%- else -%}
    select
        *,
        cast(null as {{ luckin.type_timestamptz() }}) as _luckin_deleted_at
    from {{ relation }}
    where false
    {%- endif %}
{%- endmacro %}


{% macro _has_deleted_at(relation) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{ return('_luckin_deleted_at' in columns) }}
{%- endmacro %}
