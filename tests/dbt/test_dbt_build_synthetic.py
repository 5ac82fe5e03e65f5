"""`dbt build` on the synthetic landing (tests/dbt/landing.py), on DuckDB and Postgres.

No simulator or extract involved: these pin the models' behaviour on a small, known world,
including the incremental path - a build at a cutoff three days before the end, then an
incremental build after the last days land (late refunds included), must equal a full refresh:
here on Postgres; on DuckDB in test_incremental_loads.py, whose template is that same build.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

import landing
from dbt_harness import MARTS, NODES_WITHOUT_TESTS, SYNTHETIC_CUTOFF, Warehouse, new_postgres_warehouse


def _build_then_append_then_compare(wh: Warehouse, land) -> None:
    """Models only (`dbt run`): the tests themselves run in test_build_passes_with_every_test."""
    land(SYNTHETIC_CUTOFF)
    wh.dbt("build", "--full-refresh", *NODES_WITHOUT_TESTS)
    land(None)  # the last three days arrive in a new load, earlier orders change status
    wh.dbt("run")
    incremental = wh.mart_fingerprints()
    wh.dbt("run")  # twice in a row: nothing changes
    assert wh.mart_fingerprints() == incremental
    wh.dbt("run", "--full-refresh")
    full = wh.mart_fingerprints()
    differing = [m for m in MARTS if incremental[m] != full[m]]
    assert not differing, f"incremental marts differ from a full refresh: {differing}"


def test_build_passes_with_every_test(synthetic_duckdb: Warehouse) -> None:
    synthetic_duckdb.dbt("build", "--full-refresh")
    results = synthetic_duckdb.results()
    assert results and all(r["status"] in ("success", "pass", "no-op") for r in results)
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"model", "test", "seed", "unit_test"} <= kinds
    tables = {r[0] for r in synthetic_duckdb.query(
        "select table_name from information_schema.tables where table_schema = 'marts'")}
    assert set(MARTS) <= tables


@pytest.mark.parametrize(("mart", "column", "bad_value"), [
    ("fct_orders", "store_id", "null"),                    # not_null constraint
    ("fct_orders", "revenue_usd", "-0.01"),                # check: revenue_usd >= 0
    ("dim_customers", "recency_score", "6"),               # check: between 1 and 5
    ("fct_customer_cohorts", "retention_rate", "1.5"),     # check: between 0 and 1
])
def test_marts_refuse_rows_that_break_their_contract(synthetic_duckdb: Warehouse, mart, column, bad_value) -> None:
    """The contracts' constraints live in the tables, so an incremental insert (or anyone else's)
    that breaks one fails instead of landing."""
    import duckdb

    if not synthetic_duckdb.runs:
        synthetic_duckdb.dbt("build", "--full-refresh")
    con = duckdb.connect(synthetic_duckdb.env["LUCKIN_DUCKDB_PATH"])
    try:
        cast = f"cast({bad_value} as {_column_type(con, mart, column)})"
        with pytest.raises(duckdb.ConstraintException, match=column):
            con.execute(f"insert into marts.{mart} select * replace ({cast} as {column}) from marts.{mart} limit 1")
    finally:
        con.close()


def _column_type(con, mart: str, column: str) -> str:
    return con.execute("select data_type from information_schema.columns where table_schema = 'marts' "
                       "and table_name = ? and column_name = ?", [mart, column]).fetchone()[0]


def test_marts_reconcile_and_hide_pii(synthetic_duckdb: Warehouse) -> None:
    q = synthetic_duckdb.query
    orders_revenue = q("select sum(revenue_usd) from marts.fct_orders")[0][0]
    assert q("select sum(revenue_usd) from marts.fct_store_daily_revenue")[0][0] == orders_revenue
    assert q("select sum(revenue_usd) from marts.fct_order_items where is_revenue")[0][0] == orders_revenue
    # the orphan order line is kept and flagged
    assert q("select count(*) from marts.fct_order_items where not has_order")[0][0] == 1
    # fi_tax is empty: the whole estimate is the gap
    gap, est = q("select sum(compliance_gap_usd), sum(estimated_tax_usd) from marts.fct_tax_liability_estimate")[0]
    assert gap == est > 0
    # no raw phone number or email survives staging
    cols = q("select table_schema, table_name, column_name from information_schema.columns "
             "where table_schema in ('staging', 'intermediate', 'marts') "
             "and (column_name in ('mobile', 'email', 'first_name', 'last_name', 'nickname', 'phone', 'contact_email'))")
    assert cols == []
    assert q("select count(*) from staging.stg_sales_user__users where phone_hash like '+1%'")[0][0] == 0
    # the memory alert and the duplicate coupon issue surface
    assert q("select count(*) from marts.fct_redis_instances where is_memory_alert")[0][0] >= 1
    assert q("select count(*) from marts.fct_coupons where is_duplicate_issue")[0][0] == 1


@pytest.mark.slow
def test_incremental_build_equals_full_refresh_postgres(tmp_path, postgres_database) -> None:
    wh = new_postgres_warehouse(tmp_path, postgres_database("luckin_dbt_test"))
    _build_then_append_then_compare(wh, lambda cutoff: landing.build_postgres(
        wh.dsn, cutoff=cutoff, since=None if cutoff else SYNTHETIC_CUTOFF))


def _comparable(value):
    """One mart value as both adapters should agree on it: timestamps in UTC, doubles to 9
    significant digits (they come from the same float arithmetic), decimals exact."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _mart_rows(wh: Warehouse, mart: str) -> list[tuple]:
    return sorted((tuple(_comparable(v) for v in row) for row in wh.query(f"select * from marts.{mart}")), key=repr)


@pytest.mark.slow
def test_marts_are_the_same_on_duckdb_and_postgres(synthetic_duckdb: Warehouse, tmp_path, postgres_database) -> None:
    """Every mart, row for row and value for value, on both adapters from the same landing.

    Catches cross-database drift: integer division (week buckets), rounding of divisions to
    cents, time-zone and date arithmetic. The DuckDB side is the session's synthetic build."""
    duck = synthetic_duckdb
    if not any(run["command"].startswith("dbt build") for run in duck.runs):
        duck.dbt("build", "--full-refresh", *NODES_WITHOUT_TESTS)
    pg = new_postgres_warehouse(tmp_path, postgres_database("luckin_dbt_parity"))
    landing.build_postgres(pg.dsn, cutoff=None)
    pg.dbt("build", *NODES_WITHOUT_TESTS)
    differing = {}
    for mart in MARTS:
        duck_rows, pg_rows = _mart_rows(duck, mart), _mart_rows(pg, mart)
        assert duck_rows, f"{mart} is empty: the comparison would prove nothing"
        if duck_rows != pg_rows:
            only_duck = [r for r in duck_rows if r not in pg_rows][:2]
            only_pg = [r for r in pg_rows if r not in duck_rows][:2]
            differing[mart] = {"duckdb": only_duck, "postgres": only_pg}
    assert not differing, f"marts differ between DuckDB and Postgres: {differing}"
