{#-
    A snapshot as validity ranges: one row per version of `key`, with the tracked `columns`,
    valid_from (when a build first saw the version), valid_to (when a build saw it change or
    vanish; NULL while it holds) and is_current.
-#}
{% macro history_from_snapshot(snapshot, key, columns, version_id) -%}
    select
        {{ surrogate_key([key, 'dbt_valid_from']) }} as {{ version_id }},
        {{ key }},
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        dbt_valid_to is null as is_current,
        cast(dbt_valid_from as timestamp with time zone) as valid_from,
        cast(dbt_valid_to as timestamp with time zone) as valid_to

    from {{ snapshot }}
{%- endmacro %}
