{#-
    Incremental models window on the loader's batches, never on the source's clocks: every
    landed row carries `_dlt_load_id` (the load that last wrote it; staging calls it load_id),
    and a model reprocesses what loads after the ones it has processed wrote. A source row
    updated with a timestamp years ahead, or corrected with an old one, lands in the next load
    like any other change.
-#}


{#-
    Predicate: `column` (a load id, or the greatest of several) names a load this model has not
    processed yet, or has processed only in part. The mark (a literal: _load_mark) is
    - under `luckin build`: the highest load id in {{ this }} not newer than the load up to
      which every load was complete when the last build started (env
      LUCKIN_LOADS_COMPLETE_THROUGH: the newest load in the load audit then, which an extract
      run writes as it ends; lower when a load new since has an older id, a clock stepped back -
      luckin/transform/jobs.py: complete_through). Rows of loads newer than that may be partial
      - a load still landing while that build ran - and are read again; nothing complete is.
      The first incremental run after a full load reads only the new loads.
    - otherwise (dbt run by hand): the highest load id in {{ this }}, less
      var('incremental_lookback_loads') loads: with 1 (the default) the last load processed is
      read again, so a load that was still landing is completed. 0 reads strictly newer loads.
    Renders `true` outside incremental runs, so a model can use it unconditionally.
-#}
{% macro load_window(column) -%}
    {%- if is_incremental() -%}
        {%- set complete_through = env_var('LUCKIN_LOADS_COMPLETE_THROUGH', '') if execute else '' -%}
        {%- if complete_through -%}
            {{ column }} > '{{ _load_mark(0, complete_through) }}'
        {%- else -%}
            {%- set lookback = var('incremental_lookback_loads') | int -%}
            {{ column }} {{ '>' if lookback == 0 else '>=' }} '{{ _load_mark(lookback) }}'
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#-
    The window's mark as a literal, read from {{ this }} when the model is compiled (before its
    pre-hooks run): the highest load id it holds (lookback 0; with `complete_through`, the highest
    not newer than that), or the lowest of its `lookback` newest. A constant, unlike a subquery, lets the database skip by min/max statistics the
    row groups of the raw tables (written in load order) that hold older loads only.
-#}
{% macro _load_mark(lookback, complete_through='') -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if lookback == 0 -%}
        {%- set sql = "select 'mark:' || coalesce(max(load_id), '') from " ~ this -%}
        {%- if complete_through -%}
            {%- set sql = sql ~ " where load_id <= '" ~ (complete_through | replace("'", "''")) ~ "'" -%}
        {%- endif -%}
    {%- else -%}
        {%- set sql -%}
            select 'mark:' || coalesce(min(processed.load_id), '')
            from (
                select distinct load_id from {{ this }}
                order by load_id desc
                limit {{ lookback }}
            ) as processed
        {%- endset -%}
    {%- endif -%}
    {#- prefixed, so that the result table does not read a load id ('1733...') as a number -#}
    {%- set mark = run_query(sql).columns[0].values()[0] | string -%}
    {{ return(mark[5:] | replace("'", "''")) }}
{%- endmacro %}


{#-
    Pre-hook of an incremental model: delete the rows whose key is in `keys` (a select of one
    column), e.g. the keys the source deleted. Renders nothing outside incremental runs.
-#}
{% macro delete_keys(key, keys) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key }} in ({{ keys }})
    {%- endif -%}
{%- endmacro %}


{#-
    The store-days a daily model restates: every (store_id, order_date) of the given relations
    or CTEs (each with store_id, order_date, load_id) whose load id is inside the window -
    changed orders, orders deleted in the source, lines changed or deleted. A full build takes
    every store-day.
-#}
{% macro restated_store_days(changes) -%}
    select distinct
        changes.store_id,
        changes.order_date

    from (
        {%- for relation in changes %}
            select store_id, order_date, load_id from {{ relation }}
            {%- if not loop.last %}
                union all{% endif %}
        {%- endfor %}
    ) as changes
    where {{ load_window('changes.load_id') }}
{%- endmacro %}


{#-
    The orders of every restated store-day (all orders on a full build): daily marts restate
    whole store-days, so a refund or a deletion days later rewrites the day it belongs to.
    `orders` has store_id and order_date; `restated` is a CTE from restated_store_days.
-#}
{% macro orders_of_restated_store_days(orders, restated) -%}
    select {{ orders }}.*

    from {{ orders }}
    {%- if is_incremental() %}
        inner join {{ restated }}
            on
                {{ orders }}.store_id = {{ restated }}.store_id
                and {{ orders }}.order_date = {{ restated }}.order_date
    {%- endif %}
{%- endmacro %}


{#-
    Ends an incremental model's final select: rows are written in the order of `column` (a
    date or time the window's changes cluster at). The rows a later run restates then sit in
    the table's last row groups, so its delete+insert rewrites those at DuckDB's checkpoint
    instead of merging every row group the scattered deletes touched; date filters from BI
    tools skip the other row groups by their min/max statistics.
-#}
{% macro order_by_watermark(column) -%}
    order by {{ column }}
{%- endmacro %}


{#-
    Pre-hook of a daily model: delete the store-days restated_store_days(changes) names, so a
    day whose orders were all deleted in the source leaves too (the model inserts the others
    again). `date_column` is the model's day column. Renders nothing outside incremental runs.
-#}
{% macro delete_restated_store_days(date_column, changes) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where (store_id, {{ date_column }}) in (
            select restated.store_id, restated.order_date
            from ({{ restated_store_days(changes) }}) as restated
        )
    {%- endif -%}
{%- endmacro %}


{#-
    The store-days of order lines deleted in the source (their orders' store and day), as a
    subquery with store_id, order_date, load_id: a change for restated_store_days.
-#}
{% macro deleted_order_lines() -%}
    (
        select
            orders.store_id,
            orders.order_date,
            deleted_lines.load_id
        from {{ ref('stg_sales_order__deleted_order_items') }} as deleted_lines
        inner join {{ ref('fct_orders') }} as orders
            on deleted_lines.order_id = orders.order_id
    ) as deleted_lines
{%- endmacro %}
