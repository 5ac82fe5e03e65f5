"""Fixtures for the report tests: warehouses (tests/report/warehouses.py), the analyses compiled
once per adapter, and one rendered suite (validated first) over the landed small estate."""

from __future__ import annotations

from luckin.core.settings import load_settings
import pytest

from tests.report.warehouses import BuiltWarehouse, landed, pg_marts  # noqa: F401

from tests.report.warehouses import SMALL_SCALE  # noqa: E402


@pytest.fixture(scope="session")
def compiled_duckdb(landed: BuiltWarehouse):
    """The analyses compiled for DuckDB (they run on any warehouse file named warehouse.duckdb)."""
    from luckin.report.db import compile_analyses

    with landed.active():
        return compile_analyses(load_settings("duckdb").warehouse, landed.root / "report-target" / "duckdb")


@pytest.fixture(scope="session")
def compiled_postgres(pg_marts: BuiltWarehouse):
    from luckin.report.db import compile_analyses

    with pg_marts.active():
        return compile_analyses(load_settings("postgres").warehouse, pg_marts.root / "report-target" / "postgres")


@pytest.fixture(scope="session")
def rendered(landed: BuiltWarehouse, compiled_duckdb, tmp_path_factory):
    """`luckin validate` then `luckin report --check` on the landed small estate."""
    from luckin.quality import run_validation
    from luckin.report import render_reports

    out = tmp_path_factory.mktemp("reports")
    with landed.active():
        validation = run_validation(load_settings("duckdb"))
        result = render_reports(out, load_settings("duckdb"), check=True, scale=SMALL_SCALE, analyses=compiled_duckdb)
    return result, validation
