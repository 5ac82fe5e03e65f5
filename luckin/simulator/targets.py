"""Where the simulated estate is written: a MySQL/MariaDB server, or the embedded stand-in.

MariaDB: each table is created without secondary indexes, bulk-loaded with
``LOAD DATA LOCAL INFILE`` from a tab-separated file that DuckDB writes (fast, exact decimals,
``\\N`` for NULL), then indexed. Tables load in parallel on a few connections.

Both take a whole estate in two moves: ``create_estate`` (every schema anew, empty), then
``load_table`` for each table (created, loaded, indexed) as its frame is made. ``TableWriter``
feeds ``load_table`` from a few threads and holds only a few frames (at most ``WRITE_BUDGET``
bytes) waiting, so a simulation never keeps the whole estate.

Embedded stand-in (no server needed): one SQLite file per schema, ``<dir>/<schema>.sqlite``,
keeping the MySQL type names as declared types. Readers use the same SQLAlchemy path for both
(``mysql+pymysql://.../<schema>`` or ``sqlite:///<dir>/<schema>.sqlite``).
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

import duckdb
import pandas as pd
import pyarrow as pa
import pymysql

from luckin.core.errors import SourceError

from .spec import Schema, Table

Progress = Callable[[str], None]
_FORBIDDEN = ("\t", "\n", "\\")  # would break the tab-separated bulk file
# Bytes of frames waiting to be written. Scale 1's biggest table is 0.14 GB, so there it never
# binds; at scale 10 it keeps the orders' six tables (3.4 GB) from waiting all at once.
WRITE_BUDGET = 1 << 30


class EstateTarget(Protocol):
    kind: str
    workers: int  # tables written at a time

    def describe(self) -> str: ...
    def create_estate(self, schemas: list[Schema]) -> None: ...
    def load_table(self, table: Table, frame: pd.DataFrame | None) -> str: ...
    def upsert(self, table: Table, frame: pd.DataFrame) -> None: ...
    def sqlalchemy_url(self, schema: str) -> str: ...


class TableWriter:
    """Writes tables as they are handed over, ``workers`` at a time. At most ``workers + 1``
    frames, and at most ``budget`` bytes of them, wait to be written (one frame bigger than the
    budget waits alone): past that, ``put`` blocks until writes are done, so a projection faster
    than the server never piles the estate up in memory. ``done(name)`` is called as each table
    is written, in the order they were put."""

    def __init__(self, write: Callable[[Table, pd.DataFrame | None], object], workers: int,
                 done: Progress | None = None, budget: int = WRITE_BUDGET) -> None:
        self._write, self._done = write, done or (lambda _name: None)
        self._pool = ThreadPoolExecutor(max(1, workers))
        self._waiting: deque[tuple[str, Future, int]] = deque()
        self._limit = max(1, workers) + 1
        self._budget, self._held = budget, 0

    def put(self, table: Table, frame: pd.DataFrame | None) -> None:
        size = 0 if frame is None else int(frame.memory_usage(deep=True, index=False).sum())
        self._held += size
        self._waiting.append((table.qualified, self._pool.submit(self._write, table, frame), size))
        while len(self._waiting) > self._limit or (len(self._waiting) > 1 and self._held > self._budget):
            self._finish_one()

    def _finish_one(self) -> None:
        name, future, size = self._waiting.popleft()
        future.result()  # a failed write raises here, in the caller's thread
        self._held -= size
        self._done(name)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        try:
            while self._waiting and exc_type is None:
                self._finish_one()
        finally:
            for _, future, _ in self._waiting:
                future.cancel()
            self._pool.shutdown(wait=True)


class TargetRefused(SourceError, PermissionError):
    """A server answered and refused the simulator (wrong user or password): never a silent fallback."""


@dataclass(frozen=True)
class MySQLSettings:
    host: str = "127.0.0.1"
    port: int = 3306
    username: str = "root"
    password: str = field(default="", repr=False)
    # Write `<prefix><schema>` databases (a benchmark's estate beside the tests' own); the
    # extract reads them with the same `[sources.mysql_estate] database_prefix`.
    database_prefix: str = ""

    def connect(self, database: str | None = None, timeout: int = 5) -> pymysql.connections.Connection:
        return pymysql.connect(host=self.host, port=self.port, user=self.username, password=self.password,
                               database=database, charset="utf8mb4", local_infile=True, autocommit=True,
                               connect_timeout=timeout)


def _select_sql(table: Table, frame_name: str) -> str:
    """SELECT that renders each column the way MySQL's LOAD DATA reads it."""
    parts = []
    for c in table.columns:
        q = f'"{c.name}"'
        if c.base_type == "DATE":
            parts.append(f"CAST({q} AS DATE)")
        elif c.base_type == "DECIMAL":
            p, s = (c.type_args + (10, 0))[:2]
            parts.append(f"CAST({q} AS DECIMAL({min(p, 38)},{s}))")
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM {frame_name}"


def _check_text(table: Table, frame: pd.DataFrame) -> None:
    for col in frame.columns:
        column = frame[col]
        if column.dtype == object:  # mixed: only its strings can carry a forbidden character
            values = column.dropna()
            values = values[values.map(lambda v: isinstance(v, str))]
        elif isinstance(column.dtype, pd.StringDtype):
            values = column.dropna()  # strings only: checked whole, no Python object per value
        else:
            continue
        for ch in _FORBIDDEN:
            bad = values[values.str.contains(ch, regex=False)]
            if len(bad):
                raise ValueError(f"{table.qualified}.{col}: value {bad.iloc[0]!r} contains {ch!r}, "
                                 "which the bulk-load format cannot carry")


def write_tsv(table: Table, frame: pd.DataFrame, path: Path) -> None:
    missing = set(table.column_names) - set(frame.columns)
    if missing:
        raise ValueError(f"{table.qualified}: generated frame lacks columns {sorted(missing)}")
    _check_text(table, frame)
    # One thread: the writers already run side by side, and each DuckDB thread buffers its own
    # share of the file. Handed over as Arrow (pandas' Arrow-backed strings are shared, not
    # copied), since DuckDB's pandas scan holds a string column again in its own form: 0.16 GB
    # for the 2.4M short strings of t_order_status_log.operator at scale 1.
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register("frame", pa.Table.from_pandas(frame[table.column_names], preserve_index=False))
        con.execute(f"COPY ({_select_sql(table, 'frame')}) TO '{path}' "
                    "(FORMAT csv, DELIMITER '\t', HEADER false, NULLSTR '\\N', QUOTE '', ESCAPE '')")
    finally:
        con.close()


class MySQLTarget:
    kind = "mysql"

    def __init__(self, settings: MySQLSettings, workers: int = 3) -> None:
        self.settings = settings
        self.workers = workers
        self._tmp = Path(tempfile.mkdtemp(prefix="luckin-estate-"))
        self._local = threading.local()

    def describe(self) -> str:
        prefix = f" (databases {self.settings.database_prefix}*)" if self.settings.database_prefix else ""
        return f"MySQL {self.settings.host}:{self.settings.port}{prefix}"

    def database(self, schema: str) -> str:
        """The server database that holds estate schema `schema`."""
        return self.settings.database_prefix + schema

    def sqlalchemy_url(self, schema: str) -> str:
        s = self.settings
        return f"mysql+pymysql://{s.username}@{s.host}:{s.port}/{self.database(schema)}"  # password comes from config, not the URL text

    def reader_url(self, schema: str) -> str:
        """The URL a reader connects with, password included (for drivers only: never print it)."""
        from urllib.parse import quote

        s = self.settings
        return (f"mysql+pymysql://{quote(s.username)}:{quote(s.password)}@{s.host}:{s.port}/{self.database(schema)}"
                "?charset=utf8mb4")

    def reachable(self) -> bool:
        """True when the server answers; False when nothing listens. Refused credentials raise."""
        try:
            self.settings.connect(timeout=3).close()
            return True
        except pymysql.err.OperationalError as exc:
            code = exc.args[0] if exc.args else None
            if code in (2002, 2003):  # nothing listens there
                return False
            # A server answered and refused us (access denied, unknown user...): say so.
            raise TargetRefused(f"{self.describe()} refused user {self.settings.username!r}: {exc.args[-1]}",
                                hint="check simulator.mysql.username / SIMULATOR__MYSQL__PASSWORD") from None

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or not conn.open:
            conn = self.settings.connect()
            with conn.cursor() as cur:
                # The legacy services ran without NO_ZERO_DATE; bulk load without per-row checks.
                cur.execute("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION', unique_checks = 0, foreign_key_checks = 0")
            self._local.conn = conn
        return conn

    def create_estate(self, schemas: list[Schema]) -> None:
        """Drop and recreate every schema, empty."""
        with self._conn().cursor() as cur:
            for schema in schemas:
                cur.execute(f"DROP DATABASE IF EXISTS `{self.database(schema.name)}`")
                cur.execute(f"CREATE DATABASE `{self.database(schema.name)}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")

    def load_table(self, table: Table, frame: pd.DataFrame | None) -> str:
        conn = self._conn()
        with conn.cursor() as cur:
            cur.execute(f"USE `{self.database(table.schema)}`")
            cur.execute(table.mysql_ddl(with_secondary_indexes=False))
            if frame is not None and len(frame):
                path = self._tmp / f"{table.schema}.{table.name}.tsv"
                write_tsv(table, frame, path)
                cols = ", ".join(f"`{c}`" for c in table.column_names)
                cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE `{table.name}` CHARACTER SET utf8mb4 "
                            f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({cols})")
                loaded = cur.rowcount
                path.unlink()
                if loaded != len(frame):
                    raise RuntimeError(f"{table.qualified}: loaded {loaded} rows of {len(frame)}")
            alter = table.mysql_add_indexes()
            if alter:
                cur.execute(alter)
        return table.qualified

    def upsert(self, table: Table, frame: pd.DataFrame) -> None:
        """Insert new rows and update changed ones in place (matched on the primary key): loaded
        into a bare temporary table first. Unlike LOAD DATA ... REPLACE, which deletes and
        re-inserts every changed row in every index, an update leaves the indexes of the columns
        it did not change alone (2.5x faster on t_user's last logins, measured)."""
        if not len(frame):
            return
        path = self._tmp / f"{table.schema}.{table.name}.upsert.tsv"
        write_tsv(table, frame, path)
        cols = ", ".join(f"`{c}`" for c in table.column_names)
        keys = set(table.primary_key)
        changes = ", ".join(f"`{c}` = VALUES(`{c}`)" for c in table.column_names if c not in keys) or \
            ", ".join(f"`{c}` = `{c}`" for c in table.primary_key)
        with self._conn().cursor() as cur:
            cur.execute(f"USE `{self.database(table.schema)}`")
            cur.execute("DROP TEMPORARY TABLE IF EXISTS `_luckin_upsert`")
            cur.execute(f"CREATE TEMPORARY TABLE `_luckin_upsert` SELECT {cols} FROM `{table.name}` WHERE FALSE")
            cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE `_luckin_upsert` CHARACTER SET utf8mb4 "
                        f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({cols})")
            cur.execute(f"INSERT INTO `{table.name}` ({cols}) SELECT {cols} FROM `_luckin_upsert` "
                        f"ON DUPLICATE KEY UPDATE {changes}")
            cur.execute("DROP TEMPORARY TABLE `_luckin_upsert`")
        path.unlink()

    def drop_other_schemas(self, keep: set[str], pattern: str = r"(luckyus_|fi_)") -> list[str]:
        """Remove estate-looking schemas (under this target's prefix) that the current estate
        definition no longer has."""
        prefix = self.settings.database_prefix
        with self._conn().cursor() as cur:
            cur.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name REGEXP %s",
                        ("^" + re.escape(prefix) + pattern,))
            stale = [r[0] for r in cur.fetchall() if r[0][len(prefix):] not in keep]
            for name in stale:
                cur.execute(f"DROP DATABASE `{name}`")
        return stale


def _sqlite_value_frame(table: Table, frame: pd.DataFrame) -> list[tuple]:
    out = {}
    for c in table.columns:
        s = frame[c.name]
        if c.base_type == "DATE":
            out[c.name] = pd.to_datetime(s).dt.strftime("%Y-%m-%d").where(s.notna(), None)
        elif c.base_type in ("DATETIME", "TIMESTAMP") and pd.api.types.is_datetime64_any_dtype(s):
            fmt = "%Y-%m-%d %H:%M:%S.%f" if c.type_args else "%Y-%m-%d %H:%M:%S"
            text = pd.to_datetime(s).dt.strftime(fmt)
            if c.type_args:
                text = text.str[:-3]
            out[c.name] = text.where(s.notna(), None)
        elif c.base_type == "DECIMAL":
            scale = (c.type_args + (10, 0))[1]
            out[c.name] = s.map(lambda v: None if pd.isna(v) else f"{v:.{scale}f}")
        else:
            out[c.name] = s.astype(object).where(s.notna(), None)
    return list(zip(*(out[c].tolist() for c in table.column_names)))


class SQLiteTarget:
    """Embedded stand-in: no server needed. Money is stored as text to stay exact."""

    kind = "embedded"
    workers = 1  # one writer per SQLite file: tables of a schema share it

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def describe(self) -> str:
        return f"embedded SQLite files in {self.directory}"

    def path(self, schema: str) -> Path:
        return self.directory / f"{schema}.sqlite"

    def sqlalchemy_url(self, schema: str) -> str:
        return f"sqlite:///{self.path(schema).resolve()}"

    reader_url = sqlalchemy_url

    def create_estate(self, schemas: list[Schema]) -> None:
        for schema in schemas:
            self.path(schema.name).unlink(missing_ok=True)

    def load_table(self, table: Table, frame: pd.DataFrame | None) -> str:
        con = sqlite3.connect(self.path(table.schema))
        try:
            # A commit per table: without this each waits for the disk, 158 times (a simulation
            # killed part way is simply run again).
            con.execute("PRAGMA synchronous = OFF")
            for stmt in table.sqlite_ddl():
                con.execute(stmt)
            if frame is not None and len(frame):
                marks = ", ".join("?" * len(table.columns))
                con.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', _sqlite_value_frame(table, frame))
            con.commit()
        finally:
            con.close()
        return table.qualified

    def upsert(self, table: Table, frame: pd.DataFrame) -> None:
        if not len(frame):
            return
        con = sqlite3.connect(self.path(table.schema))
        try:
            marks = ", ".join("?" * len(table.columns))
            con.executemany(f'INSERT OR REPLACE INTO "{table.name}" VALUES ({marks})', _sqlite_value_frame(table, frame))
            con.commit()
        finally:
            con.close()
