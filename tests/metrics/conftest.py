"""Fixtures for the metric layer's tests: the small estate built once per session on DuckDB and
on Postgres (tests/report/warehouses.py, shared with the report and quality tests), the
analyses compiled for each, and the figures the analyses give."""

from __future__ import annotations

import pytest

from luckin.core.sessions import WarehouseSession
from tests.report.conftest import compiled_duckdb, compiled_postgres  # noqa: F401
from tests.report.warehouses import BuiltWarehouse, landed, pg_marts  # noqa: F401


@pytest.fixture(scope="session", params=["duckdb", "postgres"])
def built(request) -> BuiltWarehouse:
    """Each warehouse in turn: the small estate built by dbt on DuckDB, then on Postgres."""
    return request.getfixturevalue("landed" if request.param == "duckdb" else "pg_marts")


@pytest.fixture(scope="session")
def analysis(built, request):
    """analysis(name) -> the analysis's rows on the warehouse under test (cached per warehouse)."""
    compiled = request.getfixturevalue("compiled_duckdb" if built.target == "duckdb" else "compiled_postgres")
    cache: dict[str, object] = {}

    def rows(name: str):
        if name not in cache:
            with WarehouseSession(built.settings.warehouse) as session:
                cache[name] = session.query(compiled[name].sql)
        return cache[name]

    return rows


@pytest.fixture(scope="session")
def warehouse_sql(built):
    """warehouse_sql(sql) -> rows of a query on the warehouse under test."""
    def rows(sql: str):
        with WarehouseSession(built.settings.warehouse) as session:
            return session.query(sql)

    return rows
