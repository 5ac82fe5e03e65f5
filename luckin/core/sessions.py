"""Sessions on the warehouse: a DuckDB file or a Postgres database, as `Settings` resolved them.

Opening is where the common failures surface, so it is where they are named: a DuckDB file
another process holds (DuckDB allows one writer, and no writer while anyone has the file
open), a missing file opened read-only, a Postgres server that is down or refuses the login.
Each becomes a one-line `WarehouseError` with what to do.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from luckin.core.errors import WarehouseError, WarehouseLocked, first_line, redact
from luckin.core.settings import DuckDBWarehouse, PostgresWarehouse, SparkWarehouse, Warehouse


def connect_duckdb(warehouse: DuckDBWarehouse, read_only: bool = False, config: dict | None = None):
    """A DuckDB connection on the warehouse file (read-write creates the file and its folder)."""
    import duckdb

    path = warehouse.path
    if read_only and not path.exists():
        raise WarehouseError(f"DuckDB warehouse {path} does not exist",
                             hint="run `luckin extract` and `luckin build` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config or {})
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            holder = text.split("(PID", 1)[-1].split(")", 1)[0].strip() if "(PID" in text else ""
            raise WarehouseLocked(
                f"DuckDB warehouse {path} is locked by another process{f' (PID {holder})' if holder else ''}",
                hint="close the other program (a BI tool, a notebook, a running build) and try again",
            ) from None
        raise WarehouseError(f"DuckDB warehouse {path}: {first_line(exc)}") from None
    except duckdb.Error as exc:
        raise WarehouseError(f"DuckDB warehouse {path}: {first_line(exc)}") from None


def connect_postgres(warehouse: PostgresWarehouse, database: str | None = None, autocommit: bool = True,
                     timeout: int = 10):
    """A psycopg2 connection on the warehouse database (or `database` on the same server)."""
    import psycopg2

    try:
        con = psycopg2.connect(**warehouse.connect_kwargs(database), connect_timeout=timeout)
    except psycopg2.OperationalError as exc:
        raise WarehouseError(f"Postgres warehouse {warehouse.with_database(database or warehouse.database).describe()}:"
                             f" {redact(postgres_reason(exc), *warehouse.secrets)}",
                             hint="check that the server runs and the LUCKIN_PG_* / [destination.postgres]"
                                  " settings are right") from None
    con.autocommit = autocommit
    return con


def postgres_reason(exc: Exception) -> str:
    """libpq's reason for a failed connection, in one line (redact secrets before printing)."""
    text = str(exc).strip()
    if "password authentication failed" in text:
        return "password authentication failed (wrong password?)"
    if "Connection refused" in text or "could not connect" in text:
        return "server not reachable (is PostgreSQL running?)"
    for line in text.splitlines():
        if "FATAL:" in line:
            return line.split("FATAL:", 1)[1].strip()
    lines = text.splitlines()
    return lines[0].strip() if lines else exc.__class__.__name__


def pg_admin(warehouse: PostgresWarehouse, *statements: str) -> None:
    """Statements that cannot run in a transaction (CREATE/DROP DATABASE), from the server's
    `postgres` maintenance database."""
    con = connect_postgres(warehouse, database="postgres")
    try:
        with con.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        con.close()


def spark_session(warehouse: SparkWarehouse):
    """A local Spark session with the warehouse's own folders and Derby metastore (pays the
    JVM's start-up, 20-30 s). Derby admits one process: not while a build or extract runs."""
    if warehouse.method != "session":
        raise WarehouseError(f"{warehouse.describe()}: this step needs a local Spark session",
                             hint="run it where LUCKIN_SPARK_METHOD=session, or register the landed"
                                  " tables on the cluster's metastore (README, The Spark target)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise WarehouseError("the spark target needs pyspark", hint="pip install -r requirements.lock") from None
    for folder in (warehouse.warehouse_dir, warehouse.metastore_dir):
        folder.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("luckin").enableHiveSupport()
    for key, value in warehouse.spark_conf().items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - the JVM's reasons are long
        raise WarehouseError(f"{warehouse.describe()}: cannot start Spark: {first_line(exc)}",
                             hint="is Java 17 installed and the metastore free (no other build running)?") from None


def quote_literal(text: str) -> str:
    """A string literal in DuckDB's and Postgres' SQL (not MySQL's: there a backslash escapes)."""
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


POSTGRES_ALIAS = "pg"


def _libpq_value(value: Any) -> str:
    """A value in a libpq connection string (quotes and backslashes escaped by backslash)."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def duckdb_extension(name: str) -> Path:
    """The file of a DuckDB extension from its `duckdb-ext-<name>` wheel (there is no download
    here: extensions are installed as Python packages, for the pinned DuckDB)."""
    import duckdb
    import duckdb_ext

    base = Path(list(duckdb_ext.__path__)[0]) / "extensions" / f"v{duckdb.__version__}"
    found = sorted(base.glob(f"*/{name}.duckdb_extension"))
    if not found:
        raise WarehouseError(f"the DuckDB extension {name} is not installed for DuckDB {duckdb.__version__}",
                             hint="pip install -r requirements.lock")
    return found[0]


def attach_postgres(warehouse: PostgresWarehouse):
    """An in-memory DuckDB with the Postgres warehouse attached read-only as `pg`: statements run
    on Postgres (`postgres_query`), and their rows come back column by column. Through psycopg2
    every value was a Python object first: the gates' queries held 1.3 GB at scale 1."""
    import duckdb

    con = duckdb.connect(":memory:")
    params = {**warehouse.connect_kwargs(), "connect_timeout": 10}  # as connect_postgres waits
    dsn = " ".join(f"{key}={_libpq_value(value)}" for key, value in params.items())
    try:
        con.execute(f"LOAD {quote_literal(str(duckdb_extension('postgres_scanner')))}")
        con.execute(f"ATTACH {quote_literal(dsn)} AS {POSTGRES_ALIAS} (TYPE postgres, READ_ONLY)")
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(f"Postgres warehouse {warehouse.describe()}: {redact(postgres_reason(exc), *warehouse.secrets)}",
                             hint="check that the server runs and the LUCKIN_PG_* / [destination.postgres]"
                                  " settings are right") from None
    return con


@contextmanager
def session(warehouse: Warehouse, read_only: bool = True) -> Iterator[Any]:
    """A DB-API connection on the warehouse, closed on exit (not for Spark: its marts are read
    where `luckin publish` copied them)."""
    if isinstance(warehouse, SparkWarehouse):
        raise WarehouseError(f"{warehouse.describe()}: no SQL session on Spark here",
                             hint="read the published marts (`luckin publish --target spark`)")
    con = connect_duckdb(warehouse, read_only=read_only) if isinstance(warehouse, DuckDBWarehouse) \
        else connect_postgres(warehouse)
    try:
        yield con
    finally:
        con.close()


def query(warehouse: Warehouse, sql: str, params: tuple | list = ()) -> list[tuple]:
    """Rows of one statement on the warehouse (read-only on DuckDB)."""
    with session(warehouse) as con:
        if isinstance(warehouse, DuckDBWarehouse):
            return con.execute(sql, list(params)).fetchall()
        with con.cursor() as cur:
            cur.execute(sql, params or None)
            return cur.fetchall() if cur.description else []


def relations(warehouse: Warehouse) -> set[tuple[str, str]] | None:
    """(schema, name) of every table and view in the warehouse; None if it cannot be opened."""
    try:
        rows = query(warehouse, "select table_schema, table_name from information_schema.tables")
    except WarehouseError:
        return None
    return {(schema, name) for schema, name in rows}


def check_writable(warehouse: Warehouse) -> None:
    """Fail early, in one line, when a run could not write the warehouse: the DuckDB file is
    held by another process (a BI tool, a notebook, another build), or Postgres refuses us.
    Spark: its folders can be made (the metastore's lock is Derby's to report)."""
    if isinstance(warehouse, SparkWarehouse):
        try:
            Path(warehouse.root).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"Spark folder {warehouse.root}: {exc.strerror}") from None
        return
    with session(warehouse, read_only=False):
        pass


# --------------------------------------------------------------------------- read-only DataFrames
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
             "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}


def _duckdb_frame(cur) -> "pd.DataFrame":
    """DuckDB's own columnar export (of a DuckDB query, or of Postgres rows through
    `postgres_query`), in the dtypes the gates and reports are written against: integers as
    int64 (as pandas infers them from Python ints when one is missing), dates as
    datetime64[s], zoned timestamps in UTC, decimals as float64. Row by row through Python, the
    gates' whole-mart queries took 35 s of 38 s at scale 1."""
    import pandas as pd

    types = [str(d[1]) for d in cur.description]
    frame = cur.df()
    for col, typ in zip(list(frame.columns), types):
        values = frame[col]
        if typ in _INTEGERS:
            if values.isna().any():  # as pandas infers it from Python ints and None
                frame[col] = pd.Series(values.astype(object).where(values.notna(), None).tolist(),
                                       index=frame.index)
            else:
                frame[col] = values.astype("int64")
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            frame[col] = values.dt.tz_convert("UTC")
        elif typ == "DATE":
            frame[col] = values.astype("datetime64[s]")
    return frame


class WarehouseSession:
    """A read-only session on one warehouse (`Settings.warehouse`); `query()` returns DataFrames."""

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse
        self.target = warehouse.kind
        self._con = None

    def __enter__(self) -> "WarehouseSession":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> None:
        if self._con is not None:
            return
        if isinstance(self.warehouse, DuckDBWarehouse):
            self._con = connect_duckdb(self.warehouse, read_only=True)
        else:
            self._con = attach_postgres(self.warehouse)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def query(self, sql: str) -> "pd.DataFrame":
        self.open()
        cur = self._con.cursor()
        try:
            if self.target == "duckdb":
                cur.execute(sql)
            else:  # the statement runs on Postgres as written; DuckDB only carries the rows
                cur.execute(f"select * from postgres_query('{POSTGRES_ALIAS}', ?)", [sql])
            return _duckdb_frame(cur)
        finally:
            cur.close()

    def scalar(self, sql: str):
        frame = self.query(sql)
        return None if frame.empty else frame.iloc[0, 0]

    def relation_exists(self, schema: str, table: str) -> bool:
        sql = ("select count(*) from information_schema.tables "
               f"where table_schema = '{schema}' and table_name = '{table}'")
        return int(self.scalar(sql) or 0) > 0
