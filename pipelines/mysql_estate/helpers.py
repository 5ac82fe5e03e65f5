"""Reading the MySQL estate into Arrow with the landing types.

Two readers share one contract (a URL per schema, Arrow tables out):
- `MySQLReader`: a MySQL/MariaDB server. Metadata and counts through PyMySQL, rows through
  connectorx (Rust, binary protocol, straight into Arrow) - the fast path.
- `SQLiteReader`: the embedded stand-in, one SQLite file per schema (`data/estate/<schema>.sqlite`).
  Rows are read as text and cast in Arrow, so the typing rules are the same code.

Landing types (pipelines/README.md has the table): DECIMAL(p,s) -> decimal(p,s); TINYINT(1) ->
boolean; TINYINT/SMALLINT -> smallint (unsigned: integer); MEDIUMINT/INT -> integer (unsigned:
bigint); BIGINT (also unsigned) -> bigint with an overflow check, or decimal(20,0) per catalog;
DATETIME/TIMESTAMP -> timestamp with time zone (UTC); DATE -> date; JSON -> json; text -> text.
Zero dates (`0000-00-00`, or a zero month/day) become NULL and are counted.
"""

from __future__ import annotations

import base64
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from luckin.core.contract import (  # noqa: F401 (the landing contract, re-used by the readers)
    BINARY_TYPES,
    DLT_ID,
    INT_TYPES,
    TEXT_TYPES,
    ZERO_FLAG_PREFIX,
    Landing,
    SourceColumn,
    SourceTable,
    arrow_schema,
    dlt_columns,
    landing_type,
    random_row_ids,
)
from luckin.core.errors import SourceError, redact  # noqa: F401 (re-exported to the readers' callers)
from pipelines.mysql_estate.settings import CONNECT_TIMEOUT_SECONDS

# connectorx reports a value it cannot convert with a Rust panic; keep its message to one line.
os.environ.setdefault("RUST_BACKTRACE", "0")


# --------------------------------------------------------------------------- conversion
@dataclass
class Converted:
    table: pa.Table
    zero_dates: dict[str, int] = field(default_factory=dict)


def to_landing(raw: pa.Table, table: SourceTable, unsigned_as_decimal: tuple[str, ...] = (),
               text_zero_dates: bool = False) -> Converted:
    """Cast a raw Arrow table (as read) to the landing schema, nulling and counting zero dates.

    `raw` holds the table's columns, in any order, as the reader produced them, plus one
    `__zero_date__<col>` flag column per nullable date/time column when the reader flagged zero
    dates in SQL (MySQL). With `text_zero_dates` (SQLite) date/time columns arrive as text and
    zero dates are recognised here.
    """
    arrays = []
    zero_dates: dict[str, int] = {}
    schema = arrow_schema(table, unsigned_as_decimal)
    for col, target in zip(table.columns, schema):
        arr = raw.column(col.name)
        if col.is_zero_date_type:
            if text_zero_dates and _is_text(arr.type):
                arr, zeros = _null_text_zero_dates(arr)
            else:
                flag = ZERO_FLAG_PREFIX + col.name
                if flag in raw.column_names:
                    zeros = int(pc.sum(raw.column(flag)).as_py() or 0)
                else:  # NOT NULL column: every NULL was a zero date nulled in SQL
                    zeros = arr.null_count
            if zeros:
                zero_dates[col.name] = zeros
        arrays.append(_cast(arr, col, target.type, table))
    arrays.append(random_row_ids(raw.num_rows))
    return Converted(pa.Table.from_arrays(arrays, schema=schema), zero_dates)


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


_ZERO_DATE_RE = r"^(0000-|\d{4}-00-|\d{4}-\d{2}-00)"


def _null_text_zero_dates(arr: pa.ChunkedArray) -> tuple[pa.ChunkedArray, int]:
    is_zero = pc.fill_null(pc.match_substring_regex(arr, _ZERO_DATE_RE), False)
    zeros = int(pc.sum(is_zero).as_py() or 0)
    if zeros:
        arr = pc.if_else(is_zero, pa.scalar(None, arr.type), arr)
    return arr, zeros


def _cast(arr: pa.ChunkedArray, col: SourceColumn, target: pa.DataType, table: SourceTable) -> pa.ChunkedArray:
    where = f"{table.schema}.{table.name}.{col.name}"
    if arr.type == target:
        return arr
    try:
        if pa.types.is_boolean(target):
            if _is_text(arr.type):
                arr = pc.cast(arr, pa.int64())
            return pc.not_equal(arr, 0) if not pa.types.is_boolean(arr.type) else arr
        if pa.types.is_timestamp(target):
            if pa.types.is_integer(arr.type):  # MySQL TIMESTAMP read as epoch microseconds
                return pc.cast(pc.cast(arr, pa.int64()), pa.timestamp("us", tz="UTC"))
            if _is_text(arr.type):
                arr = pc.cast(pc.replace_substring(arr, "T", " "), pa.timestamp("us"))
            if arr.type.tz is None:  # naive values are UTC in the estate
                arr = pc.cast(arr, pa.timestamp("us"))
                return arr.cast(pa.timestamp("us", tz="UTC"))
            return pc.cast(arr, target)
        if pa.types.is_date(target) and _is_text(arr.type):
            return pc.cast(pc.utf8_slice_codeunits(arr, 0, 10), target)
        if pa.types.is_decimal(target) and pa.types.is_floating(arr.type):
            raise SourceError(f"{where}: DECIMAL arrived as floating point; refusing a lossy cast")
        return pc.cast(arr, target, safe=True)
    except pa.ArrowInvalid as exc:
        hint = ""
        if pa.types.is_integer(target) and col.unsigned and col.data_type == "bigint":
            hint = (f" (an unsigned BIGINT above 2^63-1: add `unsigned_as_decimal: [{col.name}]` to the"
                    " catalog entry to land it as decimal(20,0))")
        raise SourceError(f"{where}: cannot cast {arr.type} to {target}: {_first_line(exc)}{hint}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


# --------------------------------------------------------------------------- readers
@dataclass(frozen=True)
class Window:
    """Which rows of a table one read covers (all conditions ANDed; None = unbounded)."""
    cursor: str | None = None
    cursor_from: Any = None
    cursor_from_inclusive: bool = True
    cursor_to: Any = None
    chunk_column: str | None = None
    chunk_from: int | None = None  # inclusive
    chunk_to: int | None = None  # inclusive
    # keyset pagination (sparse keys): rows with chunk_column > seek_after, ORDER BY it, LIMIT
    seek_after: int | None = None
    limit: int | None = None


class Reader:
    """Read one source schema (a MySQL database or an SQLite file)."""

    schema: str
    location: str  # host:port or file path: what error messages name
    text_dates = False  # True when date/time columns arrive as text (SQLite)

    def reflect(self) -> dict[str, SourceTable]: ...
    def scalar_row(self, sql: str, params: tuple = ()) -> tuple: ...
    def read(self, table: SourceTable, window: Window) -> pa.Table: ...
    def quote(self, name: str) -> str: ...
    def close(self) -> None: ...

    # -- shared SQL ----------------------------------------------------------------------
    def where(self, window: Window) -> tuple[str, tuple]:
        conds, params = [], []
        if window.cursor and window.cursor_from is not None:
            op = ">=" if window.cursor_from_inclusive else ">"
            conds.append(f"{self.quote(window.cursor)} {op} {self.placeholder}")
            params.append(window.cursor_from)
        if window.cursor and window.cursor_to is not None:
            conds.append(f"{self.quote(window.cursor)} <= {self.placeholder}")
            params.append(window.cursor_to)
        if window.chunk_column and window.chunk_from is not None:
            conds.append(f"{self.quote(window.chunk_column)} >= {self.placeholder}")
            params.append(window.chunk_from)
        if window.chunk_column and window.chunk_to is not None:
            conds.append(f"{self.quote(window.chunk_column)} <= {self.placeholder}")
            params.append(window.chunk_to)
        if window.chunk_column and window.seek_after is not None:
            conds.append(f"{self.quote(window.chunk_column)} > {self.placeholder}")
            params.append(window.seek_after)
        sql = (" WHERE " + " AND ".join(conds)) if conds else ""
        if window.chunk_column and window.limit:
            sql += f" ORDER BY {self.quote(window.chunk_column)} LIMIT {int(window.limit)}"
        return sql, tuple(params)

    placeholder = "%s"

    def table_stats(self, table: SourceTable, cursor: str | None, cursor_from: Any, inclusive: bool,
                    chunk_column: str | None) -> dict:
        """Counts for planning a read, in one statement: total rows, rows in the cursor window,
        the window's highest cursor value, and the chunk column's range."""
        q = self.quote
        parts = ["COUNT(*)"]
        params: list = []
        if cursor:
            if cursor_from is None:
                parts += ["COUNT(*)", f"MAX({q(cursor)})"]
            else:
                op = ">=" if inclusive else ">"
                parts += [f"SUM(CASE WHEN {q(cursor)} {op} {self.placeholder} THEN 1 ELSE 0 END)",
                          f"MAX({q(cursor)})"]
                params.append(cursor_from)
        else:
            parts += ["COUNT(*)", "NULL"]
        if chunk_column:
            parts += [f"MIN({q(chunk_column)})", f"MAX({q(chunk_column)})"]
        else:
            parts += ["NULL", "NULL"]
        row = self.scalar_row(f"SELECT {', '.join(parts)} FROM {q(table.name)}", tuple(params))
        total, in_window, max_cursor, chunk_min, chunk_max = row
        return {
            "rows": int(total or 0),
            "in_window": int(in_window or 0),
            "max_cursor": self.normalize_value(max_cursor),
            "chunk_min": None if chunk_min is None else int(chunk_min),
            "chunk_max": None if chunk_max is None else int(chunk_max),
        }

    def count_equal(self, table: SourceTable, column: str, value: Any) -> int:
        sql = f"SELECT COUNT(*) FROM {self.quote(table.name)} WHERE {self.quote(column)} = {self.placeholder}"
        return int(self.scalar_row(sql, (value,))[0] or 0)

    @staticmethod
    def normalize_value(value: Any) -> Any:
        """Cursor values as JSON-safe state: ints stay ints, datetimes become ISO text."""
        if value is None or isinstance(value, int):
            return value
        if isinstance(value, datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else str(value)
        return str(value)


def _parse_type(text: str) -> tuple[str, int | None, int | None]:
    m = re.match(r"^\s*([a-zA-Z]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?", text or "")
    if not m:
        return "text", None, None
    return m.group(1).lower(), (int(m.group(2)) if m.group(2) else None), (int(m.group(3)) if m.group(3) else None)


class MySQLReader(Reader):
    """One database on a MySQL/MariaDB server."""

    def __init__(self, schema: str, database: str, host: str, port: int, username: str, password: str | None):
        self.schema = schema
        self.database = database
        self.host, self.port, self.username = host, int(port), username
        self._password = password or ""
        self.location = f"{host}:{port}"
        self._local = threading.local()
        self._safe_dates: set[str] = set()  # tables holding partly-zero dates

    # connectorx takes a URL; the password is URL-encoded and never printed.
    @property
    def _cx_url(self) -> str:
        auth = quote(self.username, safe="")
        if self._password:
            auth += ":" + quote(self._password, safe="")
        return f"mysql://{auth}@{self.host}:{self.port}/{quote(self.database, safe='')}"

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = mysql_connect(self.host, self.port, self.username, self._password, self.database)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            try:
                conn.close()
            finally:
                self._local.conn = None

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def scalar_row(self, sql: str, params: tuple = ()) -> tuple:
        with self._conn().cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    def reflect(self) -> dict[str, SourceTable]:
        return reflect_mysql(self._conn(), {self.database: self.schema})[self.schema]

    def select_list(self, table: SourceTable, safe_dates: bool = False) -> list[str]:
        """The SELECT list: zero dates become NULL in SQL (connectorx cannot read them) and each
        nullable date/time column gets a flag column so that they can be counted.

        The fast form (`NULLIF(col, 0)`) only recognises a fully zero date; a value with a zero
        month or day alone ('2025-00-10') makes connectorx fail, and the read is retried with the
        safe form (`MONTH(col) * DAYOFMONTH(col) = 0`), which costs the server more per row.
        """
        out = []
        for c in table.columns:
            n = self.quote(c.name)
            if c.data_type in ("datetime", "date", "timestamp"):
                is_zero = f"MONTH({n})*DAYOFMONTH({n})=0" if safe_dates else f"{n} = 0"
                value = f"CAST(UNIX_TIMESTAMP({n})*1000000 AS SIGNED)" if c.data_type == "timestamp" else n
                if safe_dates or c.data_type == "timestamp":
                    out.append(f"IF({is_zero}, NULL, {value}) AS {n}")
                else:
                    out.append(f"NULLIF({n}, 0) AS {n}")
                if c.nullable:
                    out.append(f"({is_zero}) AS {self.quote(ZERO_FLAG_PREFIX + c.name)}")
            elif c.data_type in ("decimal", "numeric") and not _cx_decimal_ok(c):
                out.append(f"CAST({n} AS CHAR) AS {n}")
            elif c.data_type in ("enum", "set", "time", "json", "year"):
                out.append(f"CAST({n} AS CHAR) AS {n}")
            elif c.data_type == "bit":
                out.append(f"CAST({n} AS UNSIGNED) AS {n}")
            else:
                out.append(n)
        return out

    def read(self, table: SourceTable, window: Window) -> pa.Table:
        import connectorx as cx

        where, params = self.where(window)
        tail = f" FROM {self.quote(table.name)}{where}".replace("%s", "{}").format(
            *(_sql_literal(p) for p in params))
        safe = table.name in self._safe_dates
        for attempt in (0, 1):
            sql = f"SELECT {', '.join(self.select_list(table, safe_dates=safe))}{tail}"
            try:
                return cx.read_sql(self._cx_url, sql, return_type="arrow")
            except BaseException as exc:  # connectorx raises RuntimeError, or a PanicException
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                if not safe and attempt == 0 and "convert the value" in str(exc):
                    safe = True  # a partly-zero date: read again with the safe form
                    self._safe_dates.add(table.name)
                    continue
                raise SourceError(
                    f"mysql_estate: reading {self.schema}.{table.name} from {self.location} failed: "
                    f"{redact(_first_line(exc), self._password)}"
                ) from None
        raise AssertionError("unreachable")


def _cx_decimal_ok(c: SourceColumn) -> bool:
    """connectorx reads DECIMAL through rust_decimal (28 digits) into decimal128(38,10): exact while
    precision <= 28 and scale <= 10; wider decimals are read as text and cast in Arrow."""
    p, s = c.precision or 10, c.scale or 0
    return s <= 10 and p <= 28


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(int(value))
    text = str(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"




def mysql_connect(host: str, port: int, username: str, password: str | None, database: str | None = None):
    """A PyMySQL connection, or SourceError with a one-line message naming the host (never the password)."""
    import pymysql

    try:
        return pymysql.connect(
            host=host, port=int(port), user=username, password=password or "", database=database,
            connect_timeout=CONNECT_TIMEOUT_SECONDS, charset="utf8mb4", autocommit=True,
        )
    except pymysql.err.OperationalError as exc:
        code = exc.args[0] if exc.args else None
        if code == 1045:
            reason = f"access denied for user '{username}' (wrong password?)"
        elif code == 1049:
            reason = f"database '{database}' does not exist"
        elif code in (2002, 2003, 2006, 2013):
            reason = "server not reachable (is MySQL running?)"
        else:
            reason = redact(_first_line(exc), password)
        raise SourceError(f"mysql_estate: cannot connect to MySQL at {host}:{port}: {reason}") from None


def reflect_mysql(conn, databases: dict[str, str]) -> dict[str, dict[str, SourceTable]]:
    """Tables, columns and primary keys of several databases in three queries.

    `databases` maps the source database name to the schema name it lands as.
    """
    if not databases:
        return {}
    names = list(databases)
    marks = ", ".join(["%s"] * len(names))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES"
            f" WHERE TABLE_SCHEMA IN ({marks}) AND TABLE_TYPE = 'BASE TABLE'", names)
        tables = cur.fetchall()
        cur.execute(
            "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE,"
            " NUMERIC_PRECISION, NUMERIC_SCALE FROM information_schema.COLUMNS"
            f" WHERE TABLE_SCHEMA IN ({marks}) ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION", names)
        columns = cur.fetchall()
        cur.execute(
            "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
            f" WHERE TABLE_SCHEMA IN ({marks}) AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION", names)
        keys = cur.fetchall()
        json_cols: set[tuple[str, str, str]] = set()
        try:  # MariaDB stores JSON as LONGTEXT with a json_valid() check constraint
            cur.execute(
                "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                f" WHERE CONSTRAINT_SCHEMA IN ({marks}) AND CHECK_CLAUSE LIKE %s", [*names, "%json_valid%"])
            for db, tname, clause in cur.fetchall():
                m = re.search(r"json_valid\(\s*`?([^`)]+)`?\s*\)", clause, re.IGNORECASE)
                if m:
                    json_cols.add((db, tname, m.group(1)))
        except Exception:  # noqa: BLE001 - servers without CHECK_CONSTRAINTS
            pass
    cols: dict[tuple[str, str], list[SourceColumn]] = {}
    for db, tname, cname, dtype, ctype, nullable, prec, scale in columns:
        dtype = str(dtype).lower()
        ctype = str(ctype).lower()
        cols.setdefault((db, tname), []).append(SourceColumn(
            name=cname, data_type=dtype, column_type=ctype, nullable=(nullable == "YES"),
            precision=int(prec) if prec is not None and dtype in ("decimal", "numeric") else None,
            scale=int(scale) if scale is not None and dtype in ("decimal", "numeric") else None,
            is_json=(dtype == "json" or (db, tname, cname) in json_cols),
        ))
    pks: dict[tuple[str, str], list[str]] = {}
    for db, tname, cname in keys:
        pks.setdefault((db, tname), []).append(cname)
    result: dict[str, dict[str, SourceTable]] = {databases[db]: {} for db in names}
    for db, tname, estimate in tables:
        schema = databases[db]
        result[schema][tname] = SourceTable(schema, tname, tuple(cols.get((db, tname), ())),
                                            tuple(pks.get((db, tname), ())), int(estimate or 0))
    return result


class SQLiteReader(Reader):
    """The embedded stand-in: one SQLite file per schema, MySQL type names kept as declared types."""

    placeholder = "?"
    text_dates = True

    def __init__(self, schema: str, path: Path):
        self.schema = schema
        self.path = Path(path)
        self.location = str(self.path)
        self._local = threading.local()

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if not self.path.exists():
                raise SourceError(f"mysql_estate: embedded estate file {self.path} does not exist")
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def scalar_row(self, sql: str, params: tuple = ()) -> tuple:
        return self._conn().execute(sql, params).fetchone()

    def reflect(self) -> dict[str, SourceTable]:
        conn = self._conn()
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
        out = {}
        for tname in names:
            cols, pk = [], []
            for _cid, cname, decl, notnull, _default, pkpos in conn.execute(
                    f"PRAGMA table_info({self.quote(tname)})"):
                base, p, s = _parse_type(decl)
                decl_l = (decl or "").lower()
                cols.append(SourceColumn(
                    name=cname, data_type=base, column_type=decl_l.strip(),
                    nullable=not notnull and not pkpos,
                    precision=p if base in ("decimal", "numeric") else None,
                    scale=(s or 0) if base in ("decimal", "numeric") else None,
                    is_json=(base == "json"),
                ))
                if pkpos:
                    pk.append((pkpos, cname))
            out[tname] = SourceTable(self.schema, tname, tuple(cols), tuple(c for _, c in sorted(pk)))
        return out

    def read(self, table: SourceTable, window: Window) -> pa.Table:
        where, params = self.where(window)
        select = []
        for c in table.columns:
            n = self.quote(c.name)
            select.append(n if c.data_type in BINARY_TYPES else f"CAST({n} AS TEXT)")
        sql = f"SELECT {', '.join(select)} FROM {self.quote(table.name)}{where}"
        try:
            rows = self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise SourceError(f"mysql_estate: reading {self.schema}.{table.name} from {self.path} failed: {exc}") from None
        columns = list(zip(*rows)) if rows else [() for _ in table.columns]
        arrays = {}
        for c, values in zip(table.columns, columns):
            typ = pa.binary() if c.data_type in BINARY_TYPES else pa.string()
            arrays[c.name] = pa.array(values, type=typ)
        return pa.table(arrays)


# --------------------------------------------------------------------------- timing helper
class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


# --------------------------------------------------------------------------- where the estate is
@dataclass
class EstateConnection:
    """The MySQL estate: a server (one database per schema) or the embedded SQLite stand-in."""

    mode: str  # mysql | embedded
    host: str = "127.0.0.1"
    port: int = 3306
    username: str = "root"
    password: str | None = field(default=None, repr=False)
    database_prefix: str = ""  # source database = prefix + schema (test isolation)
    embedded_dir: Path = Path("data/estate")

    def describe(self) -> str:
        if self.mode == "mysql":
            return f"MySQL at {self.host}:{self.port}"
        return f"embedded SQLite files in {self.embedded_dir}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.password,) if self.password else ()

    def url(self, schema: str) -> str:
        """The SQLAlchemy-style URL of one schema, without the password (for messages and docs)."""
        if self.mode == "mysql":
            return f"mysql://{quote(self.username, safe='')}@{self.host}:{self.port}/{self.database_prefix}{schema}"
        return f"sqlite:///{(self.embedded_dir / f'{schema}.sqlite').resolve()}"

    def check(self) -> None:
        if self.mode == "mysql":
            mysql_connect(self.host, self.port, self.username, self.password).close()
        elif not self.embedded_dir.is_dir():
            raise SourceError(f"mysql_estate: embedded estate folder {self.embedded_dir} does not exist")

    def schemas_present(self) -> set[str]:
        """Schema names the source holds (prefix stripped)."""
        if self.mode == "embedded":
            return {p.stem for p in self.embedded_dir.glob("*.sqlite")}
        conn = mysql_connect(self.host, self.port, self.username, self.password)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
                names = [r[0] for r in cur.fetchall()]
        finally:
            conn.close()
        p = self.database_prefix
        return {n[len(p):] for n in names if n.startswith(p)}

    def reflect(self, schemas: list[str]) -> dict[str, dict[str, SourceTable]]:
        if self.mode == "embedded":
            out = {}
            for s in schemas:
                reader = self.reader(s)
                try:
                    out[s] = reader.reflect()
                finally:
                    reader.close()
            return out
        conn = mysql_connect(self.host, self.port, self.username, self.password)
        try:
            return reflect_mysql(conn, {self.database_prefix + s: s for s in schemas})
        finally:
            conn.close()

    def reader(self, schema: str) -> Reader:
        if self.mode == "mysql":
            return MySQLReader(schema, self.database_prefix + schema, self.host, self.port, self.username,
                               self.password)
        return SQLiteReader(schema, self.embedded_dir / f"{schema}.sqlite")


def _config_get(*keys: str) -> Any:
    """First value set among dlt config keys (env vars, .dlt/secrets.toml, .dlt/config.toml)."""
    import dlt

    for key in keys:
        for accessor in (dlt.secrets, dlt.config):
            try:
                value = accessor.get(key)
            except Exception:  # noqa: BLE001 - unparsable: treat as unset
                value = None
            if value not in (None, ""):
                return value
    return None


def estate_from_config() -> EstateConnection:
    """Resolve the estate from `[sources.mysql_estate]`, falling back to `[simulator.mysql]`.

    Mode `auto` (default) reads the MySQL server when it answers and holds estate databases,
    else the embedded stand-in when its files exist; `mysql` or `embedded` force one.
    A wrong password never falls back: it is an error.
    """
    from pipelines.mysql_estate.settings import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_USERNAME

    creds = _config_get("sources.mysql_estate.credentials")
    host = port = username = password = None
    if isinstance(creds, str) and "://" in creds:
        from sqlalchemy.engine import make_url

        url = make_url(creds)
        host, port, username, password = url.host, url.port, url.username, url.password
    host = host or _config_get("sources.mysql_estate.credentials.host", "simulator.mysql.host") or DEFAULT_HOST
    port = int(port or _config_get("sources.mysql_estate.credentials.port", "simulator.mysql.port") or DEFAULT_PORT)
    username = username or _config_get("sources.mysql_estate.credentials.username",
                                       "simulator.mysql.username") or DEFAULT_USERNAME
    if password is None:
        password = _config_get("sources.mysql_estate.credentials.password", "simulator.mysql.password")
    embedded_dir = Path(str(_config_get("sources.mysql_estate.embedded_dir", "simulator.embedded_dir")
                            or "data/estate"))
    prefix = str(_config_get("sources.mysql_estate.database_prefix") or "")
    mode = str(_config_get("sources.mysql_estate.mode") or "auto").lower()
    if mode not in ("auto", "mysql", "embedded"):
        raise SourceError(f"mysql_estate: mode must be auto, mysql or embedded, not {mode!r}")
    server = EstateConnection("mysql", host, port, str(username), None if password is None else str(password),
                              prefix, embedded_dir)
    embedded = EstateConnection("embedded", embedded_dir=embedded_dir)
    if mode == "mysql":
        return server
    if mode == "embedded":
        return embedded
    has_files = embedded_dir.is_dir() and any(embedded_dir.glob("*.sqlite"))
    try:
        server.check()
    except SourceError as exc:
        if "not reachable" in str(exc) and has_files:
            return embedded
        raise
    if has_files and not server.schemas_present() & {p.stem for p in embedded_dir.glob("*.sqlite")}:
        return embedded
    return server
