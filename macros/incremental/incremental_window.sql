{#-
    The rows an incremental run restates: `column` at or after this model's high-water mark
    (the max of `watermark` already in {{ this }}) minus var('incremental_lookback_days'), so
    late status changes land in the period they belong to. Renders `true` outside incremental
    runs, so a model can use it unconditionally.
-#}
{% macro incremental_window(column, watermark) -%}
    {%- if is_incremental() -%}
        {{ column }} >= (
            select {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(' ~ watermark ~ ')') }}
            from {{ this }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#-
    The orders of every store-day holding an order changed inside the incremental window:
    daily marts restate whole store-days, so a refund days later rewrites the day it belongs
    to. A full build takes every order. `orders` is a relation or CTE with store_id,
    order_date and updated_at; `watermark` is the model's own high-water-mark column.
-#}
{% macro orders_of_restated_store_days(orders, watermark) -%}
    select {{ orders }}.*

    from {{ orders }}
    {%- if is_incremental() %}
        inner join (
            select distinct
                store_id,
                order_date

            from {{ orders }}
            where {{ incremental_window('updated_at', watermark) }}
        ) as restated_days
            on
                {{ orders }}.store_id = restated_days.store_id
                and {{ orders }}.order_date = restated_days.order_date
    {%- endif %}
{%- endmacro %}


{#-
    Ends an incremental model's final select: rows are written in the order of the column its
    window reads. The rows a later run restates then sit in the table's last row groups, so its
    delete+insert rewrites those at DuckDB's checkpoint instead of merging every row group the
    scattered deletes touched; date filters from BI tools skip the other row groups by their
    min/max statistics.
-#}
{% macro order_by_watermark(column) -%}
    order by {{ column }}
{%- endmacro %}
