"""The analyses behind the reports: compiled by dbt, reading marts only, running on both adapters
and giving the same answers on the same data."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from luckin.core.settings import load_settings
from luckin.report.charts import utc_text
from luckin.core.sessions import WarehouseSession
from luckin.report.db import non_mart_dependencies
from luckin.core import PROJECT_DIR

REPORTS = ("00", "01", "02", "03", "04", "05", "06", "07")


def test_every_analysis_file_compiles_and_reads_only_marts(compiled_duckdb) -> None:
    files = sorted(p.relative_to(PROJECT_DIR).as_posix() for p in (PROJECT_DIR / "analyses").rglob("*.sql"))
    assert sorted(a.path for a in compiled_duckdb) == files
    assert non_mart_dependencies(compiled_duckdb) == {}
    for analysis in compiled_duckdb:
        assert analysis.marts, f"{analysis.name} reads no mart"
        assert all(m.startswith(("fct_", "dim_", "mtr_")) for m in analysis.marts)
        assert analysis.description, f"{analysis.name} has no header comment saying what it computes"
        assert Path(analysis.path).parent.name.startswith(f"report_{analysis.report}_")
    assert {a.report for a in compiled_duckdb} == set(REPORTS)


def test_analyses_run_on_the_landed_duckdb(landed, compiled_duckdb) -> None:
    with landed.active(), WarehouseSession(load_settings("duckdb").warehouse) as wh:
        empty = [a.name for a in compiled_duckdb if wh.query(a.sql).empty]
    assert empty == []


def test_analyses_compile_and_run_on_postgres(pg_marts, compiled_postgres) -> None:
    assert {a.name for a in compiled_postgres} == {a.name for a in compiled_postgres.analyses.values()}
    assert len(compiled_postgres) >= 39
    assert '"marts"."fct_orders"' in compiled_postgres["r00_key_metrics"].sql
    with pg_marts.active(), WarehouseSession(load_settings("postgres").warehouse) as wh:
        failed = {}
        for analysis in compiled_postgres:
            try:
                wh.query(analysis.sql)
            except Exception as exc:  # noqa: BLE001 - collect every failure
                failed[analysis.name] = str(exc).splitlines()[0]
    assert failed == {}


def _number(value):
    """A number as both adapters must agree on it: decimals and integers exactly (money to the cent,
    counts to the unit), doubles to 9 significant digits (the same float arithmetic on both)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    return Decimal(f"{float(value):.9g}").normalize()


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable across adapters: numbers exact (see _number), timestamps in UTC, rows in a fixed order."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = utc_text(out[col], "%Y-%m-%d %H:%M:%S")
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype(object).map(lambda v: None if v is None else bool(v))
        elif pd.api.types.is_numeric_dtype(out[col]) or out[col].map(lambda v: isinstance(v, Decimal)).any():
            out[col] = out[col].astype(object).map(_number)
    out = out.astype(object).where(out.notna(), None)
    return out.sort_values(list(out.columns), key=lambda c: c.map(repr)).reset_index(drop=True)


def test_same_answers_on_duckdb_and_postgres(landed, pg_marts, compiled_duckdb, compiled_postgres) -> None:
    """The same marts on both adapters: every analysis, compiled for each, returns the same rows."""
    with landed.active(), WarehouseSession(load_settings("duckdb").warehouse) as wh:
        duck = {a.name: wh.query(a.sql) for a in compiled_duckdb}
    with pg_marts.active(), WarehouseSession(load_settings("postgres").warehouse) as wh:
        pg = {a.name: wh.query(a.sql) for a in compiled_postgres}
    differing = {}
    # Each warehouse ran an extract of its own: the infrastructure marts describe that run (when
    # it loaded, how long it took, the Redis memory it measured), so they are left out here.
    own_run = {a.name for a in compiled_duckdb if set(a.marts) & {"fct_source_tables", "fct_redis_instances"}}
    assert len(own_run) <= 8, own_run
    for name, frame in duck.items():
        assert list(frame.columns) == list(pg[name].columns), name
        if name in own_run:
            continue
        a, b = _canonical(frame), _canonical(pg[name])
        if not a.equals(b):
            differing[name] = str(a.compare(b) if a.shape == b.shape else f"{a.shape} vs {b.shape}")[:600]
    assert differing == {}


@pytest.mark.parametrize("name", ["r00_key_metrics", "r00_critical_findings"])
def test_report_00_analyses_return_one_row(landed, compiled_duckdb, name) -> None:
    with landed.active(), WarehouseSession(load_settings("duckdb").warehouse) as wh:
        frame = wh.query(compiled_duckdb[name].sql)
    assert len(frame) == 1
    assert frame.notna().all(axis=None), frame.T[frame.isna().T[0]]
