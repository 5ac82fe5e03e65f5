{#-
    Reconciliation: the sum of `column_name` in this model equals the sum of `compare_column`
    in `compare_model` (each side optionally filtered), within `tolerance` (default 0: money is
    numeric(12,2), so its sums are exact to the cent). Fails with one row holding both totals when
    they differ.
-#}
{% test sums_match(model, column_name, compare_model, compare_column, where_clause=none, compare_where=none, tolerance=0) %}
    with this_side as (
        select coalesce(sum({{ column_name }}), 0) as total
        from {{ model }}
        {% if where_clause %}where {{ where_clause }}{% endif %}
    ),

    other_side as (
        select coalesce(sum({{ compare_column }}), 0) as total
        from {{ compare_model }}
        {% if compare_where %}where {{ compare_where }}{% endif %}
    )

    select
        this_side.total as model_total,
        other_side.total as compare_total
    from this_side
    cross join other_side
    where abs(this_side.total - other_side.total) > {{ tolerance }}
{% endtest %}
