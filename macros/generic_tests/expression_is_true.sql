{#-
    Fails for every row where `expression` is not true. As a column test, the expression is
    appended to the column: `expression: ">= 0"` checks `<column> >= 0`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    {% if column_name is none -%}
        where not ({{ expression }})
    {%- else -%}
        where not ({{ column_name }} {{ expression }})
    {%- endif %}
{% endtest %}
