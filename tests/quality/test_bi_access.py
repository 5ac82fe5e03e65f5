"""BI access: the read-only Postgres role sees the published marts and nothing else (not even the
working `marts`); the published DuckDB file opens read-only."""

from __future__ import annotations

import uuid

import duckdb
import psycopg2
import pytest

from luckin.core.settings import load_settings
from luckin.bi_access import create_bi_role, drop_bi_role
from tests.report.warehouses import pg_query


@pytest.fixture()
def bi_role(pg_marts):
    # dbt's staging layer is there (views over raw, personal data among them)
    assert pg_query(pg_marts, "select count(*) from information_schema.views where table_schema = 'staging'")[0][0]
    name, password = f"luckin_bi_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with pg_marts.active():
        role = create_bi_role(load_settings("postgres").postgres, name, password)
    yield role, password
    with pg_marts.active():
        drop_bi_role(load_settings("postgres").postgres, name)


def _as_role(pg_marts, role, password, sql):
    return pg_query(pg_marts, sql, user=role.name, password=password)


def test_the_role_reads_every_published_mart(pg_marts, bi_role) -> None:
    role, password = bi_role
    marts = [r[0] for r in pg_query(pg_marts, "select table_name from information_schema.tables "
                                              "where table_schema = 'published'")]
    assert role.created and role.tables_granted == len(marts) >= 20
    # the role sees every row the owner sees (no grant, policy or view hides any), in every mart
    seen = {m: _as_role(pg_marts, role, password, f"select count(*) from published.{m}")[0][0] for m in marts}
    owned = {m: pg_query(pg_marts, f"select count(*) from published.{m}")[0][0] for m in marts}
    assert seen == owned
    assert sum(1 for n in owned.values() if n > 0) >= 20, owned  # a comparison of empty tables proves nothing


def test_working_marts_raw_audit_and_staging_are_invisible(pg_marts, bi_role) -> None:
    role, password = bi_role
    visible = {r[0] for r in _as_role(pg_marts, role, password,
                                      "select distinct table_schema from information_schema.tables "
                                      "where table_schema not in ('pg_catalog', 'information_schema')")}
    assert visible == {"published"}
    for relation in ("marts.fct_orders", "luckyus_sales_order.t_order", "luckin_audit.load_audit",
                     "staging.stg_sales_order__orders"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            _as_role(pg_marts, role, password, f"select count(*) from {relation}")


def test_the_role_cannot_write(pg_marts, bi_role) -> None:
    role, password = bi_role
    for statement in ("create table published.bi_scratch (x int)", "delete from published.fct_orders",
                      "create table public.bi_scratch (x int)"):
        with pytest.raises((psycopg2.errors.ReadOnlySqlTransaction, psycopg2.errors.InsufficientPrivilege)):
            _as_role(pg_marts, role, password, statement)


def test_tables_created_in_published_are_readable(pg_marts, bi_role) -> None:
    """Default privileges on `published` (a publish's own new schema is granted by the swap:
    tests/publish/test_postgres_swap.py)."""
    role, password = bi_role
    pg_query(pg_marts, "create table published.fct_created_for_test as select 1 as x")
    try:
        assert _as_role(pg_marts, role, password, "select x from published.fct_created_for_test") == [(1,)]
    finally:
        pg_query(pg_marts, "drop table published.fct_created_for_test")


def test_running_it_again_is_harmless(pg_marts, bi_role) -> None:
    role, password = bi_role
    with pg_marts.active():
        again = create_bi_role(load_settings("postgres").postgres, role.name)
    assert not again.created and again.password is None and again.tables_granted == role.tables_granted
    assert _as_role(pg_marts, role, password, "select count(*) from published.dim_stores")[0][0] > 0


def test_published_duckdb_file_opens_read_only_for_bi(landed) -> None:
    con = duckdb.connect(str(landed.settings.published.path), read_only=True)
    try:
        # the file is named marts.duckdb, so its catalog is `marts` too: qualify fully
        assert con.execute("select count(*) from marts.marts.fct_orders").fetchone()[0] > 0
        schemas = {r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"marts"}  # nothing from raw or staging: no personal data in clear
        with pytest.raises(duckdb.Error):
            con.execute("create table marts.marts.bi_scratch (x int)")
    finally:
        con.close()
