"""WarehouseSession.query: the same statement gives the same DataFrame on DuckDB and Postgres,
dtypes included (the gates and the reports are written against one set of dtypes)."""

from __future__ import annotations

import uuid

import duckdb
import pandas as pd
import pytest

from luckin.core.sessions import WarehouseSession, pg_admin
from luckin.core.settings import DuckDBWarehouse, PostgresWarehouse

SERVER = PostgresWarehouse(database="postgres")

# Every kind of column the marts hold, with a missing value in each nullable one.
CREATE = """
create table {schema}.t (
    id integer not null, small smallint not null, maybe_int integer, amount decimal(12, 2),
    day date, happened_at timestamp with time zone, label varchar, flag boolean not null
)"""
INSERT = """
insert into {schema}.t values
    (1, 3, 10, 12.50, date '2026-02-14', timestamp with time zone '2026-02-14 23:30:00+00', 'a', true),
    (2, 4, null, null, null, null, null, false),
    (3, 5, 30, 7.25, date '2026-02-01', timestamp with time zone '2026-02-01 08:00:00+00', 'c', true)"""
QUERIES = [
    "select * from {schema}.t order by id",
    # sums: a 128-bit integer on DuckDB, numeric/bigint on Postgres
    "select sum(small) as total_small, sum(maybe_int) as total_maybe, sum(amount) as total_amount, "
    "count(*) as n, max(day) as last_day, min(happened_at) as first_at from {schema}.t",
    "select id, small * 1000000 as big, case when id > 5 then small end as never from {schema}.t "
    "where flag order by id",
]


@pytest.fixture
def both(tmp_path):
    schema = f"luckin_test_sessions_{uuid.uuid4().hex[:8]}"
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema {schema}")
        con.execute(CREATE.format(schema=schema))
        con.execute(INSERT.format(schema=schema))
    pg_admin(SERVER, f"create schema {schema}", CREATE.format(schema=schema), INSERT.format(schema=schema))
    try:
        yield schema, DuckDBWarehouse(path), SERVER
    finally:
        pg_admin(SERVER, f"drop schema {schema} cascade")


def test_a_query_gives_the_same_frame_on_duckdb_and_postgres(both):
    schema, duck, pg = both
    with WarehouseSession(duck) as d, WarehouseSession(pg) as p:
        for sql in QUERIES:
            on_duckdb, on_postgres = d.query(sql.format(schema=schema)), p.query(sql.format(schema=schema))
            pd.testing.assert_frame_equal(on_duckdb, on_postgres, check_exact=True)
    # what the gates and reports rely on, beyond the two being alike
    assert on_duckdb.dtypes["big"] == "int64"
    with WarehouseSession(duck) as d:
        rows = d.query(QUERIES[0].format(schema=schema))
    assert rows.maybe_int.isna().tolist() == [False, True, False] and rows.amount.dtype == "float64"
    assert str(rows.happened_at.dtype).endswith("UTC]") and rows.day.isna().tolist() == [False, True, False]
