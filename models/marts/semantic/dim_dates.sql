-- The metric layer's time spine: one row per calendar day from var('time_spine_start') to
-- var('time_spine_end'). MetricFlow joins metrics to it when a query asks for days with no
-- rows (and for cumulative metrics); BI tools can use it as a date dimension. Built from a
-- cross join of digits, so it is the same SQL on DuckDB and Postgres.
with

digits as (

    select digit_values.digit
    from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)
    ) as digit_values (digit)

),

day_numbers as (

    select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as day_number

    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

final as (

    select {{ add_days("cast('" ~ var('time_spine_start') ~ "' as date)", 'day_number') }} as date_day

    from day_numbers
    where
        {{ add_days("cast('" ~ var('time_spine_start') ~ "' as date)", 'day_number') }}
        <= cast('{{ var("time_spine_end") }}' as date)

)

select * from final
