{#-
    A deterministic text key from several columns (md5 of their '|'-joined text; NULL becomes
    a marker so (NULL, 'a') and ('', 'a') differ). Same value on DuckDB and Postgres.
-#}
{% macro surrogate_key(columns) -%}
    md5(
        {%- for column in columns %}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '_null_')
        {%- if not loop.last %} || '|' || {% endif %}
        {%- endfor %}
    )
{%- endmacro %}
