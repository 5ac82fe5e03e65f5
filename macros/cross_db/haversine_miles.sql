{#-
    Great-circle distance in miles between two latitude/longitude points (degrees).
    Plain ANSI maths functions, the same on DuckDB and Postgres.
-#}
{% macro haversine_miles(lat1, lon1, lat2, lon2) -%}
    (
        2 * 3958.8 * asin(sqrt(
            power(sin(radians(cast({{ lat2 }} as {{ luckin.type_double() }}) - cast({{ lat1 }} as {{ luckin.type_double() }})) / 2), 2)
            + cos(radians(cast({{ lat1 }} as {{ luckin.type_double() }})))
            * cos(radians(cast({{ lat2 }} as {{ luckin.type_double() }})))
            * power(sin(radians(cast({{ lon2 }} as {{ luckin.type_double() }}) - cast({{ lon1 }} as {{ luckin.type_double() }})) / 2), 2)
        ))
    )
{%- endmacro %}
