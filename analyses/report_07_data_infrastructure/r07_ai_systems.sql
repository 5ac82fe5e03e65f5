-- Report 07, AI systems: what the recommendation, feature-store and A/B-test schemas hold
-- (tables, rows, empty tables, the last load) as the load inventory records them. Whether a
-- system is used is read from its rows: an exposure log or assignments with rows means the
-- app writes to it.
with

source_tables as (

    select * from {{ ref('fct_source_tables') }}

),

final as (

    select
        source_schema,
        source_table,
        rows_in_source,
        is_empty,
        last_loaded_at

    from source_tables
    where source_schema in ('luckyus_algo_recommend', 'luckyus_algo_feature', 'luckyus_app_abtest')

)

select * from final
order by source_schema, source_table
