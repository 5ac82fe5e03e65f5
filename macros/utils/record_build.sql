{#-
    on-run-end hook: one row per dbt invocation that wrote something (a model, seed or snapshot
    succeeded), in `luckin_builds.builds` of the warehouse it built. Its `build_id` (dbt's
    invocation id) is what `luckin publish` records with the marts it publishes, and
    `is_success` says whether every node passed: publish refuses the marts of a failed build.
    `data_as_of` is the start of the newest extract the build read (the load audit's latest
    `started_at`; null where there is no audit). Commands that write nothing (compile, test,
    docs, show) leave no row.
-#}
{% macro record_build(results) -%}
    {%- if execute and flags.WHICH in ('build', 'run', 'seed', 'snapshot') -%}
        {%- set ns = namespace(wrote=false, ok=true) -%}
        {%- for result in results -%}
            {%- if result.node.resource_type in ('model', 'seed', 'snapshot') and result.status == 'success' -%}
                {%- set ns.wrote = true -%}
            {%- endif -%}
            {%- if result.status in ('error', 'fail', 'skipped') -%}
                {%- set ns.ok = false -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if ns.wrote -%}
            {%- set audit = adapter.get_relation(database=target.database, schema='luckin_audit', identifier='load_audit') -%}
            {%- if target.type == 'spark' -%}
                {%- do _spark_record_build(ns.ok, audit) -%}
            {%- else -%}
create schema if not exists luckin_builds;
create table if not exists luckin_builds.builds (
    build_id text not null,
    command text not null,
    is_success boolean not null,
    started_at timestamp with time zone not null,
    finished_at timestamp with time zone not null,
    data_as_of timestamp with time zone
);
insert into luckin_builds.builds
select
    '{{ invocation_id }}',
    '{{ flags.WHICH }}',
    {{ 'true' if ns.ok else 'false' }},
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamp with time zone),
    current_timestamp,
    {% if audit is not none %}(select max(started_at) from {{ audit }}){% else %}cast(null as timestamp with time zone){% endif %};
commit;
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Spark runs one statement per call and has no transactions: the same row, statement by statement. -#}
{% macro _spark_record_build(ok, audit) -%}
    {%- do run_query('create schema if not exists luckin_builds') -%}
    {%- do run_query('create table if not exists luckin_builds.builds (build_id string not null, command string not null,'
                     ~ ' is_success boolean not null, started_at timestamp not null, finished_at timestamp not null,'
                     ~ ' data_as_of timestamp) using parquet') -%}
    {%- set as_of = '(select max(started_at) from ' ~ audit ~ ')' if audit is not none else 'cast(null as timestamp)' -%}
    {%- do run_query("insert into luckin_builds.builds select '" ~ invocation_id ~ "', '" ~ flags.WHICH ~ "', "
                     ~ ('true' if ok else 'false') ~ ", timestamp'" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f")
                     ~ "', current_timestamp(), " ~ as_of) -%}
{%- endmacro %}
