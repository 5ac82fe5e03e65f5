{#-
    A relationship with known orphans: every non-NULL `column_name` should exist in `to`.`field`,
    except a stated share of rows (the source hard-deletes test orders, so their lines, coupons
    and make events keep an order id nothing points to). Counts the orphans over all rows and
    fails with every orphan row when they exceed `max_rate` of the rows with a key. With
    `orphan_flag` (an expression true for a row the model itself marks as an orphan), every row
    whose flag disagrees with the join fails too, whatever the rate.
-#}
{% test relationships_within_rate(model, column_name, to, field, max_rate, orphan_flag=none) %}
    with child as (
        select
            {{ column_name }} as child_key
            {%- if orphan_flag %},
            {{ orphan_flag }} as is_flagged_orphan
            {%- endif %}
        from {{ model }}
        where {{ column_name }} is not null
    ),

    parent as (
        select distinct {{ field }} as parent_key
        from {{ to }}
    ),

    checked as (
        select
            child.*,
            parent.parent_key is null as is_orphan
        from child
        left join parent
            on child.child_key = parent.parent_key
    ),

    totals as (
        select
            count(*) as keyed_rows,
            sum(case when is_orphan then 1 else 0 end) as orphan_rows
        from checked
    )

    select
        checked.*,
        totals.orphan_rows,
        totals.keyed_rows
    from checked
    cross join totals
    where
        (checked.is_orphan and totals.orphan_rows > {{ max_rate }} * totals.keyed_rows)
        {%- if orphan_flag %}
        or checked.is_flagged_orphan is null
        or checked.is_flagged_orphan <> checked.is_orphan
        {%- endif %}
{% endtest %}
