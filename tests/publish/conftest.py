"""Fixtures for the publish tests: copies of the session's small warehouses (tests/report/warehouses.py
builds and publishes each once per session), so each test publishes, damages and swaps its own."""

from __future__ import annotations

import shutil

import pytest

from tests.report.warehouses import BuiltWarehouse, landed, pg_marts  # noqa: F401


@pytest.fixture()
def working(landed, tmp_path) -> BuiltWarehouse:  # noqa: F811
    """A working DuckDB warehouse of this test's own (the landed one, copied), nothing published
    yet: its published file (marts.duckdb) and gate results go beside it under tmp_path."""
    shutil.copyfile(landed.duckdb_path, tmp_path / "warehouse.duckdb")
    env = {**landed.env, "LUCKIN_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
           "LUCKIN_QUALITY_DIR": str(tmp_path / "quality"), "LUCKIN_PIPELINES_DIR": str(tmp_path / "pipelines")}
    shutil.copytree(landed.root / "pipelines", tmp_path / "pipelines")
    return BuiltWarehouse("duckdb", env, tmp_path, notes=dict(landed.notes))
