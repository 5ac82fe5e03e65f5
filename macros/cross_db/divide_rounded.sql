{#-
    numerator / denominator rounded half away from zero to `scale` decimals, exactly and the
    same on every adapter; NULL when the denominator is 0 or NULL.

    Why not cast(a / b as numeric(p, s)): DuckDB divides decimals in double precision, so
    69.10 / 4 = 17.275 arrives as 17.27499... and rounds to 17.27 where Postgres gives 17.28.
    Here both operands are scaled to integers (they must have at most `input_scale`
    decimals: money has 2, quantities 3) and the rounding is integer division:
    round(n / d) = sign * floor((2|n| * 10^scale + |d|) / 2|d|).
-#}
{% macro divide_rounded(numerator, denominator, scale, input_scale=3) -%}
    {%- set factor = 10 ** input_scale -%}
    {#- numeric: exact on both (DuckDB's default numeric is decimal(18,3)); an integer would
        make Postgres pick round(double precision) -#}
    {%- set exact = luckin.type_exact_numeric() -%}
    {%- set n = 'abs(round(cast(' ~ numerator ~ ' as ' ~ exact ~ ') * ' ~ factor ~ '))' -%}
    {%- set d = 'abs(round(cast(' ~ denominator ~ ' as ' ~ exact ~ ') * ' ~ factor ~ '))' -%}
    (case
        when ({{ denominator }}) <> 0 then
            sign({{ numerator }}) * sign({{ denominator }})
            * {{ luckin.integer_divide('2 * ' ~ n ~ ' * ' ~ 10 ** scale ~ ' + ' ~ d, '2 * ' ~ d) }}
            * {{ '1' if scale == 0 else '0.' ~ '0' * (scale - 1) ~ '1' }}
    end)
{%- endmacro %}


{#- Integer quotient of two non-negative whole numbers (floor), exact at any size. -#}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide', 'luckin')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    div({{ dividend }}, {{ divisor }})
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) div ({{ divisor }}))
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    (cast({{ dividend }} as hugeint) // cast({{ divisor }} as hugeint))
{%- endmacro %}
