{#-
    Great-circle distance in miles between two latitude/longitude points (degrees).
    Plain ANSI maths functions, the same on DuckDB and Postgres.
-#}
{% macro haversine_miles(lat1, lon1, lat2, lon2) -%}
    (
        2 * 3958.8 * asin(sqrt(
            power(sin(radians(cast({{ lat2 }} as double precision) - cast({{ lat1 }} as double precision)) / 2), 2)
            + cos(radians(cast({{ lat1 }} as double precision)))
            * cos(radians(cast({{ lat2 }} as double precision)))
            * power(sin(radians(cast({{ lon2 }} as double precision) - cast({{ lon1 }} as double precision)) / 2), 2)
        ))
    )
{%- endmacro %}
