"""Spark's marts where readers find them: a DuckDB working copy, then the ordinary DuckDB publish.

    working_copy(spark, path) -> DuckDBWarehouse

dbt-spark writes every mart as a Parquet table under the Spark warehouse folder
(`<warehouse_dir>/marts.db/<table>/`), and the build record under `luckin_builds.db/builds/`.
Those files are copied, table by table, into a DuckDB file (`Settings.spark_working_copy()`),
without starting a JVM: the great-expectations gates run on that copy as they run on DuckDB, and `luckin publish` then publishes it like the DuckDB target's marts (into
the Spark folder's own `marts.duckdb`), so the report suite and BI tools read Spark's marts the
way they read DuckDB's. The warehouse folder must be one this process can read (a local or
mounted folder; an object store would need DuckDB's httpfs: README, The Spark target).

The landed tables the raw gates read (the load audit, orders, payments, keys) are views in the
copy over the landed Parquet files (`<landed_dir>/<schema>/<table>/`); on Spark no row is ever
marked deleted (every table is replaced whole), so `_luckin_deleted_at` is null there. Only
the marts are published.

Timestamps: Spark's instants arrive as `timestamp with time zone` (written as TIMESTAMP_MICROS
by the profile's settings; older INT96 files are read as UTC wall-clock and converted).
"""

from __future__ import annotations

import os
from pathlib import Path

from luckin.core.errors import WarehouseError
from luckin.core.sessions import quote_ident, quote_literal
from luckin.core.settings import MARTS_SCHEMA, DuckDBWarehouse, SparkWarehouse, Target

from .record import BUILDS_TABLE

# The Spark databases copied: the marts and the build record publish checks.
_COPIED = (MARTS_SCHEMA, BUILDS_TABLE.split(".")[0])


def spark_tables(spark: SparkWarehouse) -> dict[str, dict[str, Path]]:
    """schema -> table -> folder of the Parquet tables of the copied Spark databases."""
    out: dict[str, dict[str, Path]] = {}
    for schema in _COPIED:
        folder = Path(spark.warehouse_dir) / f"{schema}.db"
        if not folder.is_dir():
            continue
        for table in sorted(p for p in folder.iterdir() if p.is_dir()):
            if next(table.glob("*.parquet"), None) is not None:
                out.setdefault(schema, {})[table.name] = table
    return out


def as_read(settings):
    """The settings the gates and readers use: on Spark, those of a fresh working copy."""
    if settings.target is not Target.spark:
        return settings
    copy = settings.spark_working_copy()
    working_copy(settings.spark, copy.duckdb.path)
    return copy


def working_copy(spark: SparkWarehouse, path: Path) -> DuckDBWarehouse:
    """Copy Spark's marts and build record into the DuckDB file `path` (replaced whole)."""
    import duckdb

    tables = spark_tables(spark)
    if MARTS_SCHEMA not in tables:
        raise WarehouseError(f"no marts in {spark.warehouse_dir}",
                             hint="run `luckin build --target spark` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    con = duckdb.connect(str(partial))
    try:
        for schema, named in tables.items():
            con.execute(f"create schema if not exists {quote_ident(schema)}")
            for table, folder in named.items():
                files = quote_literal(str(folder / "*.parquet"))
                columns = con.execute(f"describe select * from read_parquet({files})").fetchall()
                select = ", ".join(
                    f"timezone('UTC', {quote_ident(name)}) as {quote_ident(name)}" if kind == "TIMESTAMP" else quote_ident(name)
                    for name, kind, *_ in columns)
                con.execute(f"create table {quote_ident(schema)}.{quote_ident(table)} as select {select} from read_parquet({files})")
        _landed_views(con, Path(spark.landed_dir))
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(partial, path)
    return DuckDBWarehouse(path)


def _landed_views(con, landed_dir: Path) -> None:
    """A view per landed data table (not dlt's own `_dlt_*`), as the raw gates expect it."""
    if not landed_dir.is_dir():
        return
    for schema_dir in sorted(p for p in landed_dir.iterdir() if p.is_dir()):
        for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir() and not p.name.startswith("_dlt")):
            if next(table_dir.glob("*.parquet"), None) is None:
                continue
            files = quote_literal(str(table_dir.resolve() / "*.parquet"))
            reader = f"read_parquet({files}, union_by_name = true)"
            names = {row[0] for row in con.execute(f"describe select * from {reader}").fetchall()}
            deleted = "" if "_luckin_deleted_at" in names else \
                ", cast(null as timestamp with time zone) as _luckin_deleted_at"
            con.execute(f"create schema if not exists {quote_ident(schema_dir.name)}")
            con.execute(f"create view {quote_ident(schema_dir.name)}.{quote_ident(table_dir.name)} as select *{deleted} from {reader}")
