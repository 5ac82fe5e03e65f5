"""Landing for the Spark target: Parquet files written by dlt's filesystem destination.

The extract writes `<landed_dir>/<schema>/<table>/<load_id>.<file_id>.parquet` (dlt adds
`_dlt_load_id` to every row) and dlt's own tables (`_dlt_loads`, `_dlt_pipeline_state`) as JSON
lines beside them. The statements the extract runs on a warehouse (row counts for the audit,
committed state versions, landed columns) run here on an in-memory DuckDB whose views read
those files, so `pipelines/destinations.py` keeps one SQL dialect for both file-based targets.

Files cannot be updated in place and there is no Delta or Iceberg table format offline, so on
Spark every MySQL table is replaced whole on every run (dlt `replace` deletes the table's old
files and writes the new ones): the landed table holds exactly the source's rows, with no
tombstones and no cursor state to converge. The Redis snapshots and the audit are appended.

`register_with_spark()` then makes each landed table an external Parquet table in a Spark
database named after its schema (as on DuckDB and Postgres), so dbt's `source()` resolves.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from luckin.core.sessions import quote_ident, quote_literal

log = logging.getLogger("luckin.extract")

DLT_LAYOUT = "{table_name}/{load_id}.{file_id}.{ext}"
# dlt's bookkeeping tables on a filesystem (JSON lines) and its marker files.
_DLT_JSON_TABLES = ("_dlt_loads", "_dlt_pipeline_state", "_dlt_version")


def landed_tables(landed_dir: Path, schemas: list[str] | None = None) -> dict[str, set[str]]:
    """schema -> tables with at least one file (data tables: Parquet; dlt's: JSON lines)."""
    out: dict[str, set[str]] = {}
    if not landed_dir.exists():
        return out
    for schema_dir in sorted(p for p in landed_dir.iterdir() if p.is_dir()):
        if schemas is not None and schema_dir.name not in schemas:
            continue
        for table_dir in schema_dir.iterdir():
            pattern = "*.jsonl" if table_dir.name in _DLT_JSON_TABLES else "*.parquet"
            if table_dir.is_dir() and next(table_dir.glob(pattern), None) is not None:
                out.setdefault(schema_dir.name, set()).add(table_dir.name)
    return out


def files_connection(landed_dir: Path):
    """An in-memory DuckDB with one view per landed table (`"schema"."table"`)."""
    import duckdb

    con = duckdb.connect(":memory:")
    for schema, tables in landed_tables(landed_dir).items():
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
        for table in sorted(tables):
            folder = landed_dir / schema / table
            if table in _DLT_JSON_TABLES:
                reader = f"read_json_auto({quote_literal(str(folder / '*.jsonl'))}, union_by_name = true)"
            else:
                reader = f"read_parquet({quote_literal(str(folder / '*.parquet'))}, union_by_name = true)"
            con.execute(f"CREATE VIEW {quote_ident(schema)}.{quote_ident(table)} AS SELECT * FROM {reader}")
    return con


def remove_uncommitted_files(landed_dir: Path, schema: str, tables: list[str]) -> dict[str, int]:
    """Delete the data files of loads that never completed (a killed run): a file's name starts
    with its load id, and a completed load has a file in `_dlt_loads`."""
    loads = landed_dir / schema / "_dlt_loads"
    committed = {f.name.split("__", 1)[-1].removesuffix(".jsonl") for f in loads.glob("*.jsonl")}
    removed: dict[str, int] = {}
    for table in tables:
        for f in (landed_dir / schema / table).glob("*.parquet"):
            load_id = ".".join(f.name.split(".")[:2])  # load ids are "<seconds>.<fraction>"
            if load_id not in committed:
                f.unlink()
                removed[table] = removed.get(table, 0) + 1
    return removed


def reset_landing(landed_dir: Path) -> None:
    if landed_dir.exists():
        shutil.rmtree(landed_dir)


def register_with_spark(warehouse) -> None:
    """Register the landed tables (`_register`) in a child process: its JVM, and with it the
    embedded Derby metastore's lock, ends with it. (pyspark keeps the JVM of a stopped session
    alive in the process, and the next `dbt build` could not open the metastore.)"""
    import os
    import subprocess
    import sys

    from luckin.core import PROJECT_DIR
    from luckin.core.errors import WarehouseError

    proc = subprocess.run([sys.executable, "-m", "pipelines.spark_landing"], cwd=PROJECT_DIR,
                          env={**os.environ, **warehouse.dbt_env()}, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [line for line in (proc.stderr or proc.stdout).strip().splitlines() if line.strip()]
        raise WarehouseError(f"registering the landed tables with Spark failed: {lines[-1] if lines else proc.returncode}",
                             hint="is another Spark process (a build) holding the metastore? details: run"
                                  " `python -m pipelines.spark_landing`")


def _register(warehouse, schemas: list[str] | None = None) -> int:
    """Each landed data table as an external Parquet table `<schema>.<table>` in Spark (dropped
    and created again, so a column the source added is taken). Returns the tables registered."""
    from luckin.core.sessions import spark_session

    tables = landed_tables(warehouse.landed_dir, schemas)
    spark = spark_session(warehouse)
    n = 0
    try:
        for schema, names in sorted(tables.items()):
            spark.sql(f"CREATE DATABASE IF NOT EXISTS `{schema}`")
            for table in sorted(names - set(_DLT_JSON_TABLES)):
                location = (warehouse.landed_dir / schema / table).resolve()
                spark.sql(f"DROP TABLE IF EXISTS `{schema}`.`{table}`")
                spark.sql(f"CREATE TABLE `{schema}`.`{table}` USING parquet LOCATION '{location}'")
                n += 1
    finally:
        spark.stop()
    log.info("registered %d landed tables with Spark", n)
    return n


if __name__ == "__main__":  # the child process of register_with_spark
    from luckin.core.settings import load_settings

    print(f"registered {_register(load_settings('spark').warehouse)} landed tables with Spark")
