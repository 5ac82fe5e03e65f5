{#-
    Hex SHA-256 of a text expression, identical on every adapter.
-#}
{% macro sha256(expression) -%}
    {{ return(adapter.dispatch('sha256', 'luckin')(expression)) }}
{%- endmacro %}

{% macro default__sha256(expression) -%}
    encode(sha256(convert_to({{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__sha256(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}


{#-
    Pseudonymise personal data (phone, email, names): trimmed, lower-cased, salted with
    var('pii_hash_salt'), hashed. NULL and blank stay NULL. The same person hashes to the same
    value on DuckDB and Postgres, so hashes still join. Only staging calls this.
-#}
{% macro hash_pii(column) -%}
    case
        when nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '') is not null
            then {{ luckin.sha256(
                "'" ~ var('pii_hash_salt') ~ "|' || lower(trim(cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")))"
            ) }}
    end
{%- endmacro %}
