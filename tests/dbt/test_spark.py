"""The Spark target against DuckDB: the same small estate, the same marts.

One session-scoped fixture pays for Spark once: the small embedded estate (the report tests'
`landed_duckdb`: scale 0.02, seed 7, extracted and built on DuckDB) is extracted again with
`--target spark` (Parquet through dlt's filesystem destination, registered in a Derby
metastore of its own under pytest's tmp dir) and built with ONE `dbt build` of the seeds and
models on Spark (one JVM for every test here). Spark's marts are then read from their Parquet
files by DuckDB (`luckin.publish.spark.working_copy`, what `luckin publish --target spark`
gates and publishes), so the comparisons start no second JVM.

The wall time the fixture adds is printed (`-s`): the Spark share of the CI minutes.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from luckin.core import PROJECT_DIR
from luckin.core.settings import load_settings
from luckin.transform import dbt_command, dbt_environment

pytest.importorskip("pyspark")

REPORT_TESTS = PROJECT_DIR / "tests" / "report"
# Marts that need snapshots, which dbt-spark makes only on Delta/Iceberg (dbt_project.yml).
NOT_ON_SPARK = {p.stem for p in (PROJECT_DIR / "models" / "marts" / "history").glob("*.sql")}


def _landed_duckdb(base: Path):
    import sys

    sys.path.insert(0, str(PROJECT_DIR))
    from tests.report.warehouses import landed_duckdb

    return landed_duckdb(base)


@pytest.fixture(scope="session")
def spark_built(tmp_path_factory):
    """(DuckDB warehouse, Spark settings, Spark working copy, seconds) for the small estate."""
    from luckin.publish.spark import working_copy
    from pipelines.extract import run_extract

    base = tmp_path_factory.getbasetemp() / "luckin-warehouses"
    duck = _landed_duckdb(base)
    root = tmp_path_factory.mktemp("spark")
    sources = {k: v for k, v in duck.env.items() if k.startswith("SOURCES__")}
    env = {**sources, "LUCKIN_SPARK_DIR": str(root / "spark"), "LUCKIN_PIPELINES_DIR": str(root / "pipelines"),
           "LUCKIN_DBT_THREADS": "4", "LUCKIN_SPARK_DRIVER_MEMORY": "1g"}
    settings = load_settings("spark", env={**os.environ, **env})
    started = time.perf_counter()
    summary = run_extract(settings, progress=False)
    assert summary.ok, f"extract into Spark failed: {summary.error} {[t.table for t in summary.failures]}"
    extracted = time.perf_counter()
    warehouse = settings.warehouse
    cmd = dbt_command(["build", "--select", "resource_type:seed resource_type:model",
                       "--target-path", str(root / "dbt-target")], warehouse)
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env={**dbt_environment(warehouse, settings), **env},
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, "dbt build on Spark failed:\n" + "\n".join(proc.stdout.splitlines()[-40:])
    built = time.perf_counter()
    copy = working_copy(warehouse, root / "working.duckdb")
    seconds = {"extract": extracted - started, "build": built - extracted, "copy": time.perf_counter() - built}
    print(f"\nspark fixture: extract {seconds['extract']:.0f}s, dbt build {seconds['build']:.0f}s,"
          f" copy {seconds['copy']:.1f}s")
    return duck, settings, copy, seconds, summary


def _marts(path: Path) -> dict[str, dict[str, str]]:
    """table -> column -> DuckDB type of the marts schema of a DuckDB file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select table_name, column_name, data_type from information_schema.columns "
                           "where table_schema = 'marts' order by table_name, ordinal_position").fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        out.setdefault(table, {})[column] = kind
    return out


def _figures(path: Path, tables: dict[str, list[str]]) -> dict[str, tuple]:
    """Per table: row count and, per money column, (non-null count, sum)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table, money in tables.items():
            parts = ["count(*)"] + [f'count("{c}"), sum("{c}")' for c in money]
            out[table] = con.execute(f'select {", ".join(parts)} from marts."{table}"').fetchone()
        return out
    finally:
        con.close()


def test_landed_tables_hold_the_sources_rows(spark_built):
    """Every MySQL table landed as Parquet holds as many rows as the source, without duplicates."""
    _, settings, _, _, summary = spark_built
    loaded = [t for t in summary.tables if t.status == "loaded"]
    assert loaded, "nothing was landed"
    short = [(t.schema, t.table, t.rows_in_source, t.rows_in_warehouse) for t in loaded
             if t.rows_in_warehouse != t.rows_in_source]
    assert not short, f"landed rows differ from the source: {short[:5]}"
    con = duckdb.connect()
    orders = settings.spark.landed_dir / "luckyus_sales_order" / "t_order" / "*.parquet"
    n, ids = con.execute(f"select count(*), count(distinct id) from read_parquet('{orders}')").fetchone()
    assert n == ids > 0


def test_spark_builds_every_mart_duckdb_builds(spark_built):
    duck, _, copy, _, _ = spark_built
    on_duckdb = set(_marts(duck.duckdb_path)) - NOT_ON_SPARK
    on_spark = set(_marts(copy.path))
    assert on_duckdb - on_spark == set(), "marts missing on Spark"
    assert on_spark - on_duckdb == set(), "marts only on Spark"


def test_marts_equal_duckdb_to_the_cent(spark_built):
    """Every mart: the same row count; every money column (numeric(p,2)): the same sum to the
    cent and the same number of values."""
    duck, _, copy, _, _ = spark_built
    duck_marts = _marts(duck.duckdb_path)
    spark_marts = _marts(copy.path)
    # numeric(p,2) is money, but for the run's own clock (fct_source_tables' hours behind)
    money = {t: [c for c, kind in cols.items() if kind.startswith("DECIMAL") and kind.endswith(",2)")
                 and "hours" not in c and "seconds" not in c]
             for t, cols in duck_marts.items() if t in spark_marts}
    assert sum(map(len, money.values())) > 20, "too few money columns found: is the type test right?"
    want, got = _figures(duck.duckdb_path, money), _figures(copy.path, money)
    differ = {t: (want[t], got[t]) for t in money if want[t] != got[t]}
    assert not differ, f"{len(differ)} marts differ from DuckDB's: {dict(list(differ.items())[:5])}"
    assert sum(want[t][0] for t in want) > 1000, "the marts are nearly empty: nothing was compared"


def _scale(kind: str | None) -> str | None:
    return kind.rsplit(",", 1)[-1] if kind and kind.startswith("DECIMAL") else kind


def test_decimal_columns_keep_their_scale_on_spark(spark_built):
    """Decimals stay decimals with the same scale (Spark's round() may add a digit of precision)."""
    duck, _, copy, _, _ = spark_built
    duck_marts, spark_marts = _marts(duck.duckdb_path), _marts(copy.path)
    lost = [(t, c, kind, spark_marts[t].get(c)) for t, cols in duck_marts.items() if t in spark_marts
            for c, kind in cols.items() if kind.startswith("DECIMAL") and _scale(spark_marts[t].get(c)) != _scale(kind)]
    assert not lost, f"decimal columns typed otherwise on Spark: {lost[:5]}"
