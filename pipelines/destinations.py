"""The warehouse the pipelines load into: DuckDB (a file), PostgreSQL, or Parquet files for Spark
(`pipelines/spark_landing.py`), as `Settings` resolved it.

`destination_for(settings.warehouse, settings.pipelines_dir)` hands dlt its destination, and runs
the few SQL statements the extract needs itself: row counts for the audit, the committed state
version of each dataset, removing rows of a load that never completed, the landed columns and
their types (schema drift), live-key fingerprints and keys (deletes), and marking deleted rows.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luckin.core.errors import WarehouseError, redact
from luckin.core.sessions import connect_duckdb, postgres_reason, quote_ident, quote_literal
from luckin.core.settings import DuckDBWarehouse, PostgresWarehouse, SparkWarehouse, Warehouse


class DestinationError(WarehouseError):
    """The warehouse is unreachable or refused us. One line, no secrets."""


@dataclass
class Destination:
    kind: str
    # duckdb: absolute file path; postgres: a libpq/SQLAlchemy URL (may hold a password);
    # spark: the folder the Parquet files land in
    target: str
    pipelines_dir: Path
    _password: str | None = None
    memory_limit: str = "512MB"
    _duck: Any = field(default=None, repr=False)
    _factory: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ----------------------------------------------------------------- naming and dlt
    @property
    def location(self) -> str:
        """What messages print: the file, or host:port/database (never the password)."""
        if self.kind in ("duckdb", "spark"):
            return self.target
        from sqlalchemy.engine import make_url

        url = make_url(self.target)
        return f"{url.host or '127.0.0.1'}:{url.port or 5432}/{url.database}"

    @property
    def loader_file_format(self) -> str:
        return "parquet" if self.kind in ("duckdb", "spark") else "csv"

    @property
    def replaces_every_run(self) -> bool:
        """Spark's files: every MySQL table is replaced whole each run (spark_landing.py says why),
        so there is no schema drift to apply and no key convergence to run."""
        return self.kind == "spark"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._password,) if self._password else ()

    def dlt_destination(self):
        """The dlt destination factory, one per run (shared by every pipeline of the run)."""
        import dlt

        with self._lock:
            factory = self._factory
        if factory is not None:
            return factory
        if self.kind == "duckdb":
            _recreate_instead_of_truncating_in_duckdb()
            # one DuckDB instance per process: dlt clones this connection per thread
            factory = dlt.destinations.duckdb(self.duckdb_connection())
        elif self.kind == "spark":
            from pipelines.spark_landing import DLT_LAYOUT

            factory = dlt.destinations.filesystem(bucket_url=self.target, layout=DLT_LAYOUT)
        else:
            _keep_empty_strings_in_postgres_copies()
            _write_utc_timestamps_as_text_in_postgres_copies()
            factory = dlt.destinations.postgres(credentials=self.target)
        _cache_capabilities(factory)
        with self._lock:
            self._factory = factory
        return factory

    # ----------------------------------------------------------------- connections
    def duckdb_connection(self):
        with self._lock:
            if self._duck is None:
                # a file another process holds is named by the core (WarehouseLocked)
                self._duck = connect_duckdb(DuckDBWarehouse(Path(self.target), self.memory_limit),
                                            config=duckdb_loading_config(self.memory_limit))
            return self._duck

    def connect(self):
        """A DB-API connection for our own statements (DuckDB: a cursor on the shared instance;
        Spark: an in-memory DuckDB reading the landed files)."""
        if self.kind == "duckdb":
            return self.duckdb_connection().cursor()
        if self.kind == "spark":
            from pipelines.spark_landing import files_connection

            return files_connection(Path(self.target))
        import psycopg2

        try:
            conn = psycopg2.connect(self.target, connect_timeout=10)
        except psycopg2.OperationalError as exc:
            raise DestinationError(
                f"destination postgres at {self.location}: {_pg_reason(exc, self.secrets)}") from None
        conn.autocommit = True
        return conn

    def ensure_exists(self) -> None:
        """Postgres: create the database when missing. DuckDB: create the folder. Checks we can connect."""
        if self.kind == "duckdb":
            self.duckdb_connection()
            return
        if self.kind == "spark":
            Path(self.target).mkdir(parents=True, exist_ok=True)
            return
        import psycopg2
        from sqlalchemy.engine import make_url

        url = make_url(self.target)
        try:
            conn = psycopg2.connect(self.target, connect_timeout=10)
            conn.close()
            return
        except psycopg2.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise DestinationError(
                    f"destination postgres at {self.location}: {_pg_reason(exc, self.secrets)}") from None
        admin = url.set(database="postgres").render_as_string(hide_password=False)
        try:
            conn = psycopg2.connect(admin, connect_timeout=10)
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{url.database}"')
            conn.close()
        except psycopg2.Error as exc:
            raise DestinationError(
                f"destination postgres at {self.location}: cannot create database {url.database}:"
                f" {_pg_reason(exc, self.secrets)}") from None

    def close(self) -> None:
        with self._lock:
            self._factory = None
            if self._duck is not None:
                self._duck.close()
                self._duck = None

    # ----------------------------------------------------------------- queries
    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        conn = self.connect()
        try:
            cur = conn.cursor() if self.kind == "postgres" else conn
            cur.execute(sql, params or None) if self.kind == "postgres" else cur.execute(sql, list(params))
            try:
                return cur.fetchall()
            except Exception:  # noqa: BLE001 - statements without a result set
                return []
        finally:
            conn.close()

    def existing_tables(self, schemas: list[str] | None = None) -> dict[str, set[str]]:
        if self.kind == "spark":
            from pipelines.spark_landing import landed_tables

            return landed_tables(Path(self.target), schemas)
        rows = self.query(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE'"
        )
        out: dict[str, set[str]] = {}
        for schema, table in rows:
            if schemas is None or schema in schemas:
                out.setdefault(schema, set()).add(table)
        return out

    def count_rows(self, tables: list[tuple[str, str]], live: set[tuple[str, str]] | None = None
                   ) -> dict[tuple[str, str], int]:
        """COUNT(*) of many tables, in batches of one UNION ALL statement; for the tables in `live`,
        only the rows not marked deleted (`_luckin_deleted_at IS NULL`)."""
        out: dict[tuple[str, str], int] = {}
        live = live or set()
        for i in range(0, len(tables), 100):
            batch = tables[i:i + 100]
            sql = " UNION ALL ".join(
                f"SELECT {n} AS i, COUNT(*) AS n FROM {quote_ident(s)}.{quote_ident(t)}"
                + (' WHERE "_luckin_deleted_at" IS NULL' if (s, t) in live else "")
                for n, (s, t) in enumerate(batch))
            for idx, n in self.query(sql):
                out[batch[idx]] = int(n)
        return out

    def committed_state_versions(self, schemas: list[str], existing: dict[str, set[str]]) -> dict[str, int | None]:
        """The state version of the last *completed* load of each dataset (None: never loaded)."""
        out: dict[str, int | None] = {s: None for s in schemas}
        parts = []
        for s in schemas:
            if {"_dlt_pipeline_state", "_dlt_loads"} <= existing.get(s, set()):
                parts.append(
                    f"SELECT '{s}' AS s, MAX(st.version) AS v FROM {quote_ident(s)}._dlt_pipeline_state AS st"
                    f" JOIN {quote_ident(s)}._dlt_loads AS l ON l.load_id = st._dlt_load_id WHERE l.status = 0")
        # Ten joins a statement: DuckDB holds every join's hash table and pinned blocks until the
        # statement ends, and a warehouse after nine extracts ran out of the extract's 128 MB buffer
        # with 64 (30 passed). A statement costs about 1 ms.
        for i in range(0, len(parts), 10):
            for s, v in self.query(" UNION ALL ".join(parts[i:i + 10])):
                out[s] = None if v is None else int(v)
        return out

    def remove_uncommitted_rows(self, schema: str, tables: list[str]) -> dict[str, int]:
        """Delete rows whose `_dlt_load_id` belongs to no completed load (a killed run's partial load)."""
        if self.kind == "spark":
            from pipelines.spark_landing import remove_uncommitted_files

            return remove_uncommitted_files(Path(self.target), schema, tables)
        removed = {}
        existing = self.existing_tables([schema]).get(schema, set())
        if "_dlt_loads" not in existing:
            committed = "SELECT NULL WHERE FALSE"
        else:
            committed = f"SELECT load_id FROM {quote_ident(schema)}._dlt_loads WHERE status = 0"
        for t in tables:
            if t not in existing:
                continue
            rows = self.query(
                f"SELECT COUNT(*) FROM {quote_ident(schema)}.{quote_ident(t)} WHERE _dlt_load_id NOT IN ({committed})")
            n = int(rows[0][0]) if rows else 0
            if n:
                self.query(f"DELETE FROM {quote_ident(schema)}.{quote_ident(t)} WHERE _dlt_load_id NOT IN ({committed})")
                removed[t] = n
        return removed


    # ----------------------------------------------------------------- drift and deletes
    def refresh_statistics(self, tables: list[tuple[str, str]]) -> None:
        """Postgres plans the staging views' joins from table statistics, and a bulk load leaves
        none until autovacuum gets to the table (never, where it is off): the build then picks
        nested loops over million-row tables (at scale 1 the unique test on the orders' sequence
        took 114 s without statistics, 2.2 s with). DuckDB keeps its statistics as it writes."""
        if self.kind != "postgres" or not tables:
            return
        existing = self.existing_tables(sorted({schema for schema, _ in tables}))
        self.execute([f"ANALYZE {quote_ident(schema)}.{quote_ident(table)}" for schema, table in sorted(set(tables))
                      if table in existing.get(schema, set())])

    def landed_columns(self, schemas: list[str]) -> dict[str, dict[str, dict[str, tuple]]]:
        """schema -> table -> column -> (data_type, precision, scale) of the landed tables of
        `schemas` (and of their dlt `<schema>_staging` copies)."""
        names = [*schemas, *(f"{s}_staging" for s in schemas)]
        out: dict[str, dict[str, dict[str, tuple]]] = {}
        for i in range(0, len(names), 200):
            batch = names[i:i + 200]
            marks = ", ".join(quote_literal(n) for n in batch)
            rows = self.query(
                "SELECT table_schema, table_name, column_name, data_type, numeric_precision, numeric_scale"
                f" FROM information_schema.columns WHERE table_schema IN ({marks})"
                " ORDER BY table_schema, table_name, ordinal_position")
            for schema, table, column, data_type, precision, scale in rows:
                out.setdefault(schema, {}).setdefault(table, {})[column] = (data_type, precision, scale)
        return out

    def execute(self, statements: list[str], params: list[tuple] | None = None) -> None:
        """Statements in one transaction."""
        if not statements:
            return
        conn = self.connect()
        try:
            cur = conn.cursor() if self.kind == "postgres" else conn
            cur.execute("BEGIN")
            try:
                for i, sql in enumerate(statements):
                    args = params[i] if params else ()
                    cur.execute(sql, args or None) if self.kind == "postgres" else cur.execute(sql, list(args))
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise
        finally:
            conn.close()

    def arrow(self, sql: str):
        """The rows of one query as an Arrow table."""
        import pyarrow as pa

        if self.kind == "duckdb":
            cur = self.connect()
            try:
                return cur.execute(sql).fetch_arrow_table()
            finally:
                cur.close()
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                names = [d[0] for d in cur.description]
                rows = cur.fetchall()
        finally:
            conn.close()
        columns = list(zip(*rows)) if rows else [() for _ in names]
        return pa.table({n: pa.array(list(v)) if v else pa.array([], pa.int64()) for n, v in zip(names, columns)})

    def mark_deleted(self, schema: str, table: str, key: tuple[str, ...], keys, at, load_id: str,
                     deleted_column: str) -> int:
        """Set `deleted_column` = `at` and `_dlt_load_id` = `load_id` on the live rows whose key is in
        `keys` (an Arrow table of the key columns). Returns the rows marked."""
        if keys.num_rows == 0:
            return 0
        target = f"{quote_ident(schema)}.{quote_ident(table)}"
        match = " AND ".join(f"t.{quote_ident(k)} = g.{quote_ident(k)}" for k in key)
        set_ = f"{quote_ident(deleted_column)} = %s, {quote_ident('_dlt_load_id')} = %s"
        if self.kind == "duckdb":
            cur = self.connect()
            try:
                cur.register("_luckin_gone", keys)
                n = cur.execute(f"UPDATE {target} AS t SET {set_.replace('%s', '?')} FROM _luckin_gone AS g"
                                f" WHERE {match} AND t.{quote_ident(deleted_column)} IS NULL", [at, load_id]).fetchall()
                cur.unregister("_luckin_gone")
                return int(n[0][0]) if n else keys.num_rows
            finally:
                cur.close()
        from psycopg2.extras import execute_values

        conn = self.connect()
        conn.autocommit = False
        try:
            with conn.cursor() as cur:
                cols = ", ".join(quote_ident(k) for k in key)
                cur.execute(f"CREATE TEMP TABLE _luckin_gone ON COMMIT DROP AS SELECT {cols} FROM {target} LIMIT 0")
                execute_values(cur, f"INSERT INTO _luckin_gone ({cols}) VALUES %s",
                               list(zip(*(keys.column(k).to_pylist() for k in key))), page_size=5000)
                cur.execute(f"UPDATE {target} AS t SET {set_} FROM _luckin_gone AS g"
                            f" WHERE {match} AND t.{quote_ident(deleted_column)} IS NULL", (at, load_id))
                n = cur.rowcount
            conn.commit()
            return int(n)
        finally:
            conn.close()

    def register_load(self, schema: str) -> str:
        """A load id for changes the extract writes itself (rows marked deleted when no dlt load ran
        for the schema in this run), recorded as a completed load in `<schema>._dlt_loads`, so that
        dbt (windowing on load ids) and recovery (which drops rows of unknown loads) accept it."""
        import time

        load_id = f"{time.time():.6f}"
        loads = f"{quote_ident(schema)}._dlt_loads"
        self.query(f"INSERT INTO {loads} (load_id, schema_name, status, inserted_at, schema_version_hash)"
                   f" SELECT %s, schema_name, 0, CURRENT_TIMESTAMP, schema_version_hash FROM {loads}"
                   " ORDER BY inserted_at DESC LIMIT 1".replace("%s", "?" if self.kind == "duckdb" else "%s"),
                   (load_id,))
        return load_id


# Below this many rows a replaced DuckDB table is truncated as dlt does: its version entries take
# under 2 MB, and a drop and create (with the catalog lookups) costs 27 ms against 1.6 ms, paid for
# every merge load's staging table of an incremental extract.
RECREATE_FROM_ROWS = 100_000


def duckdb_loading_config(memory_limit: str) -> dict:
    """The settings of the extract's DuckDB instance: a bounded buffer pool keeps the extract's
    peak memory low, and so does loading without keeping the rows' order (nothing reads them in
    the order they came; the loads run faster too)."""
    return {"memory_limit": memory_limit, "preserve_insertion_order": False}


def _recreate_instead_of_truncating_in_duckdb() -> None:
    """Empty a big DuckDB table that a load replaces by dropping and re-creating it from its own DDL.

    dlt empties a replaced table with TRUNCATE, which DuckDB runs as a delete: it keeps a
    version entry per deleted row in memory, outside the buffer pool's limit, until the process
    ends. A full refresh of an existing scale-3 warehouse peaked at 997 MB against 658 MB into an
    empty file (a 20M-row table alone: +308 MB), and the cost grows with the estate. Dropping a
    table frees its blocks without touching the rows. The DDL is DuckDB's own (columns, types,
    NOT NULL, in order), and comments are put back. A table with an index (which the DDL does
    not carry) or under RECREATE_FROM_ROWS rows keeps the TRUNCATE. One transaction: a run
    killed here leaves the table as it was."""
    from dlt.destinations.impl.duckdb.sql_client import DuckDbSqlClient

    if getattr(DuckDbSqlClient.truncate_tables, "_luckin_recreate", False):
        return

    def truncate_tables(self, *tables: str) -> None:
        with self.begin_transaction():
            for table in tables:
                qualified = self.make_qualified_table_name(table)
                rows = self.execute_sql(f"SELECT COUNT(*) FROM {qualified}")[0][0]  # from metadata: 0.3 ms
                found = None if rows < RECREATE_FROM_ROWS else self.execute_sql(
                    "SELECT sql, comment, index_count FROM duckdb_tables() WHERE database_name = current_database()"
                    " AND schema_name = %s AND table_name = %s", self.dataset_name, table)
                if not found or found[0][2]:
                    self.execute_sql(self._truncate_table_sql(qualified))
                    continue
                ddl, comment, _ = found[0]
                columns = self.execute_sql(
                    "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = current_database()"
                    " AND schema_name = %s AND table_name = %s AND comment IS NOT NULL", self.dataset_name, table)
                self.execute_sql(f"DROP TABLE {qualified}")
                self.execute_sql(ddl)
                if comment:
                    self.execute_sql(f"COMMENT ON TABLE {qualified} IS {quote_literal(comment)}")
                for column, text in columns or ():
                    self.execute_sql(f"COMMENT ON COLUMN {qualified}.{quote_ident(column)} IS {quote_literal(text)}")

    truncate_tables._luckin_recreate = True
    DuckDbSqlClient.truncate_tables = truncate_tables


def _keep_empty_strings_in_postgres_copies() -> None:
    """Land an empty VARCHAR as '' in Postgres, as in DuckDB, not as NULL.

    dlt loads a CSV file into Postgres with `COPY ... NULL '', FORCE_NULL(<every nullable
    column>)`: FORCE_NULL makes a quoted "" NULL too, which its Python CSV writer needs (it
    quotes None as ""). Every file this project loads is written from Arrow, which quotes every
    string ("" for an empty one) and writes a null as an empty unquoted field: `NULL ''` alone
    reads each right. The nullable test feeds only FORCE_NULL's column list in that module."""
    from dlt.destinations.impl.postgres import postgres as impl

    impl.is_nullable_column = lambda column: False


def _write_utc_timestamps_as_text_in_postgres_copies() -> None:
    """Write timestamps into the Postgres load files as `2025-06-30 11:00:05.000000+00` text.

    Arrow's CSV writer formats a timestamp with a time zone through the zone database, one value
    at a time: 3-4 s for the 2.4M values of one column at scale 1, most of the Postgres
    extract's CSV time. The same instants cast to wall time (they are UTC: the landing contract)
    and then to text take 0.7 s, with the offset written out, so COPY reads them right whatever
    the session's TimeZone. Nulls stay null. Only the CSV writer (Postgres' format) changes."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from dlt.common.data_writers import writers

    if getattr(writers.ArrowToCsvWriter.write_data, "_luckin_utc_text", False):
        return
    original = writers.ArrowToCsvWriter.write_data

    def utc_text(item):
        if not isinstance(item, (pa.Table, pa.RecordBatch)):
            return item
        zoned = [i for i, f in enumerate(item.schema) if pa.types.is_timestamp(f.type) and f.type.tz is not None]
        for i in zoned:
            field = item.schema.field(i)
            wall = pc.cast(item.column(i), pa.timestamp(field.type.unit))  # any zone: UTC wall time
            text = pc.binary_join_element_wise(pc.cast(wall, pa.string()), pa.scalar("+00"), "")
            item = item.set_column(i, pa.field(field.name, pa.string(), field.nullable), text)
        return item

    def write_data(self, items):
        return original(self, [utc_text(item) for item in items])

    write_data._luckin_utc_text = True
    writers.ArrowToCsvWriter.write_data = write_data


def _cache_capabilities(factory) -> None:
    """Memoize the factory's capabilities when dlt asks without a resolved config.

    dlt asks ~25 times per pipeline run and each time resolves the whole destination
    configuration to compute the same answer: with 60+ schemas that was 40% of the
    per-schema overhead. The answer depends only on the naming convention passed.
    """
    import copy

    original = factory.capabilities
    cache: dict = {}
    lock = threading.Lock()

    def capabilities(config=None, naming=None):
        if config is not None:
            return original(config, naming)
        key = None if naming is None else (type(naming).__module__, type(naming).__name__,
                                           getattr(naming, "max_length", None))
        with lock:
            if key not in cache:
                cache[key] = original(None, naming)
            return copy.copy(cache[key])

    factory.capabilities = capabilities



def _pg_reason(exc: Exception, secrets: tuple[str, ...]) -> str:
    return redact(postgres_reason(exc), *secrets)


def destination_for(warehouse: Warehouse, pipelines_dir: Path, loading: bool = True) -> Destination:
    """The destination of a run: the settings' warehouse, and the run's dlt working folder
    (`<pipelines_dir>/<one folder per warehouse>`). DuckDB gets the extract's small buffer
    when `loading` (files in, memory bounded), else the warehouse's own memory limit: whole-table
    queries such as `--verify`'s outgrow the load buffer (Out of Memory at scale 3)."""
    if isinstance(warehouse, DuckDBWarehouse):
        path = Path(warehouse.path).resolve()
        key = f"duckdb-{path.stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
        return Destination(kind="duckdb", target=str(path), pipelines_dir=Path(pipelines_dir) / key,
                           memory_limit=warehouse.extract_memory_limit if loading else warehouse.memory_limit)
    if isinstance(warehouse, PostgresWarehouse):
        # dlt insists on a password field: an empty one is accepted (trust authentication)
        key = f"postgres-{warehouse.host}-{warehouse.port}-{warehouse.database}"
        return Destination(kind="postgres", target=warehouse.url(), pipelines_dir=Path(pipelines_dir) / key,
                           _password=warehouse.password or None)
    if isinstance(warehouse, SparkWarehouse):
        path = Path(warehouse.landed_dir).resolve()
        key = f"spark-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
        return Destination(kind="spark", target=str(path), pipelines_dir=Path(pipelines_dir) / key)
    raise DestinationError(f"unknown warehouse {warehouse!r}")
