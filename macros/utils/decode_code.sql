{#-
    Decode a small-int status code into its label with a CASE expression.
    `mapping` is a dict {code: label}; NULL stays NULL and an unknown code decodes to
    `unknown_label` (default 'unknown'), so accepted_values tests surface it instead of
    hiding it.
        {{ decode_code('status', {10: 'created', 20: 'paid'}) }}
-#}
{% macro decode_code(column, mapping, unknown_label='unknown') -%}
    case
        when {{ column }} is null then null
        {%- for code, label in mapping.items() %}
        when {{ column }} = {{ code }} then '{{ label }}'
        {%- endfor %}
        else '{{ unknown_label }}'
    end
{%- endmacro %}
