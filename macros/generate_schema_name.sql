{#-
    One schema per layer, named by the folder config in dbt_project.yml (`+schema: staging`
    and so on), without dbt's default `<target schema>_` prefix: BI users query `marts.*`.
    Nodes with no custom schema go to the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
