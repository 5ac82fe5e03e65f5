"""Reading the MySQL estate: metadata, counts and rows into Arrow.

Two readers share one contract (one schema each; Arrow tables out, cast by `convert.to_landing`):
- `MySQLReader`: a MySQL/MariaDB server. Metadata and counts through PyMySQL, rows through
  connectorx (Rust, binary protocol, straight into Arrow) - the fast path.
- `SQLiteReader`: the embedded stand-in, one SQLite file per schema (`data/estate/<schema>.sqlite`).
  Rows are read as text and cast in Arrow, so the typing rules are the same code.

Besides rows, a reader gives what planning and convergence need in one statement per table
(`table_stats`: counts, cursor and key ranges, and a fingerprint of the keys) and the keys alone
(`read_keys`), so that deleted rows can be found without reading whole rows.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from luckin.core.contract import (INT_TYPES as INTEGER_TYPES, ZERO_FLAG_PREFIX, SourceColumn, SourceTable,
                                  mysql_literal)
from luckin.core.errors import SourceError, first_line, redact
from pipelines.mysql_estate.settings import CONNECT_TIMEOUT_SECONDS

# The modulus of the cursor term of key fingerprints (a prime near 10^6: products stay far below
# 2^63, so every engine sums them as plain integers). pipelines/convergence.py computes the same.
FINGERPRINT_MODULUS = 1_000_003
# Cursor seconds in fingerprints count from year 0, as MySQL's TO_SECONDS does (cheaper per row
# than TIMESTAMPDIFF); this is TO_SECONDS('1970-01-01 00:00:00'), for epoch-based spellings.
TO_SECONDS_1970 = 62_167_219_200

# connectorx reports a value it cannot convert with a Rust panic; keep its message to one line.
os.environ.setdefault("RUST_BACKTRACE", "0")


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
    # rows with key_column IN keys (fetching rows the cursor cannot reach, by key)
    key_column: str | None = None
    keys: tuple | None = None


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
        if window.key_column and window.keys is not None:
            marks = ", ".join([self.placeholder] * len(window.keys)) or "NULL"
            conds.append(f"{self.quote(window.key_column)} IN ({marks})")
            params.extend(window.keys)
        sql = (" WHERE " + " AND ".join(conds)) if conds else ""
        if window.chunk_column and window.limit:
            sql += f" ORDER BY {self.quote(window.chunk_column)} LIMIT {int(window.limit)}"
        return sql, tuple(params)

    placeholder = "%s"

    def micros_sql(self, col: SourceColumn) -> str | None:
        """SQL of a cursor column as whole microseconds since 1970 (UTC), or None if this reader
        cannot compute it exactly (then fingerprints compare keys only)."""
        return None

    def now_sql(self, col: SourceColumn) -> str:
        """SQL of the server's current time, comparable with a date/time column.

        Abstract on purpose: each reader (MySQL, the embedded SQLite) spells the clock its own way,
        and a reader without one must fail loudly rather than let future-dated rows move the cursor."""
        raise NotImplementedError(f"{type(self).__name__} must say how its server reads the clock")

    def table_stats(self, table: SourceTable, cursor: str | None, cursor_from: Any, inclusive: bool,
                    chunk_column: str | None, key_column: str | None = None, fingerprint: bool = False) -> dict:
        """What planning needs, in one statement (one scan): total rows, rows in the cursor window,
        the highest cursor value and the highest one not in the future (date/time cursors), the
        chunk column's range, and with `fingerprint` a fingerprint of the keys (and of the cursor
        per key): `(rows, SUM(key), SUM(key * cursor microseconds))` (see pipelines/convergence.py)."""
        q = self.quote
        parts = ["COUNT(*)"]
        params: list = []
        cur_col = table.column(cursor) if cursor else None
        if cursor:
            if cursor_from is None:
                parts += ["COUNT(*)", f"MAX({q(cursor)})"]
            else:
                op = ">=" if inclusive else ">"
                parts += [f"SUM(CASE WHEN {q(cursor)} {op} {self.placeholder} THEN 1 ELSE 0 END)",
                          f"MAX({q(cursor)})"]
                params.append(cursor_from)
            if cur_col.data_type in ("datetime", "timestamp", "date"):
                parts.append(f"MAX(CASE WHEN {q(cursor)} <= {self.now_sql(cur_col)} THEN {q(cursor)} END)")
            else:
                parts.append(f"MAX({q(cursor)})")
        else:
            parts += ["COUNT(*)", "NULL", "NULL"]
        if chunk_column:
            parts += [f"MIN({q(chunk_column)})", f"MAX({q(chunk_column)})"]
        else:
            parts += ["NULL", "NULL"]
        parts += self.fingerprint_sql(table, key_column, cur_col) if fingerprint else ["NULL", "NULL"]
        row = self.scalar_row(f"SELECT {', '.join(parts)} FROM {q(table.name)}", tuple(params))
        total, in_window, max_cursor, max_cursor_now, chunk_min, chunk_max, key_sum, cursor_sum = row
        return {
            "rows": int(total or 0),
            "in_window": int(in_window or 0),
            "max_cursor": self.normalize_value(max_cursor),
            "max_cursor_now": self.normalize_value(max_cursor_now),
            "chunk_min": None if chunk_min is None else int(chunk_min),
            "chunk_max": None if chunk_max is None else int(chunk_max),
            "fingerprint": (int(total or 0), None if key_sum is None else int(key_sum),
                            None if cursor_sum is None else int(cursor_sum)) if fingerprint else None,
        }

    def fingerprint_sql(self, table: SourceTable, key_column: str | None, cursor: SourceColumn | None) -> list[str]:
        """`SUM(key)` (a one-column integer key) and `SUM((key % P) * (cursor seconds % P))` (or the
        sum of the cursor's seconds % P without such a key), P = FINGERPRINT_MODULUS: integer
        arithmetic, so the server's cost stays close to the scan's; NULL for what cannot be computed
        (and no cursor term when the cursor is the key: append on id)."""
        q = self.quote
        seconds = self.seconds_sql(cursor) if cursor is not None and cursor.name != key_column else None
        m = FINGERPRINT_MODULUS
        if key_column:
            key_sum = f"SUM({q(key_column)})"
            cursor_sum = (f"SUM({self.mod(q(key_column), m)} * {self.mod(f'COALESCE({seconds}, 0)', m)})"
                          if seconds else "NULL")
        else:
            key_sum = "NULL"
            cursor_sum = f"SUM({self.mod(f'COALESCE({seconds}, 0)', m)})" if seconds else "NULL"
        return [key_sum, cursor_sum]

    def mod(self, sql: str, m: int) -> str:
        return f"({sql} % {m})"

    def seconds_sql(self, col: SourceColumn) -> str | None:
        """SQL of a cursor column as whole seconds since year 0 (TO_SECONDS' unit; integers as they
        are), or None when not computable."""
        return None

    def wide(self, sql: str) -> str:
        """An integer expression in a type whose products do not overflow."""
        return sql

    def count_at_least(self, table: SourceTable, column: str, value: Any) -> int:
        sql = f"SELECT COUNT(*) FROM {self.quote(table.name)} WHERE {self.quote(column)} >= {self.placeholder}"
        return int(self.scalar_row(sql, (value,))[0] or 0)

    def read_keys(self, table: SourceTable, key: tuple[str, ...], cursor: SourceColumn | None,
                  fresh_after: Any, lo: int | None = None, hi: int | None = None,
                  upto: Any = None) -> pa.Table:
        """The primary keys of a table (rows with key[0] in [lo, hi] when given, and cursor <= `upto`
        when given), with `_cursor_us` (the cursor in microseconds, when computable) and `_fresh`
        (cursor > `fresh_after`: written after the run planned, the next run reads it anyway)."""
        q = self.quote
        cols = [q(k) for k in key]
        micros = self.micros_sql(cursor) if cursor is not None else None
        if micros:
            cols.append(f"{micros} AS _cursor_us")
        params: list = []
        if cursor is not None and fresh_after is not None:
            cols.append(f"CASE WHEN {q(cursor.name)} > {self.placeholder} THEN 1 ELSE 0 END AS _fresh")
            params.append(fresh_after)
        else:
            cols.append("0 AS _fresh")
        conds = []
        if lo is not None:
            conds.append(f"{q(key[0])} >= {self.placeholder}")
            params.append(lo)
        if hi is not None:
            conds.append(f"{q(key[0])} <= {self.placeholder}")
            params.append(hi)
        if cursor is not None and upto is not None:
            conds.append(f"{q(cursor.name)} <= {self.placeholder}")
            params.append(upto)
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        keys = self.query_arrow(f"SELECT {', '.join(cols)} FROM {q(table.name)}{where}", tuple(params))
        if not micros:
            keys = keys.append_column("_cursor_us", pa.nulls(keys.num_rows, pa.int64()))
        return keys

    def query_arrow(self, sql: str, params: tuple = ()) -> pa.Table: ...

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
                    f"{redact(first_line(exc), self._password)}"
                ) from None
        raise AssertionError("unreachable")

    def micros_sql(self, col: SourceColumn) -> str | None:
        n = self.quote(col.name)
        if col.data_type == "timestamp":
            return f"CAST(UNIX_TIMESTAMP({n}) * 1000000 AS SIGNED)"
        if col.data_type in ("datetime", "date"):
            return f"TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', {n})"
        if col.data_type in INTEGER_TYPES:
            return n
        return None

    def seconds_sql(self, col: SourceColumn) -> str | None:
        n = self.quote(col.name)
        if col.data_type == "timestamp":
            return f"(CAST(FLOOR(UNIX_TIMESTAMP({n})) AS SIGNED) + {TO_SECONDS_1970})"
        if col.data_type in ("datetime", "date"):
            return f"TO_SECONDS({n})"
        if col.data_type in INTEGER_TYPES:
            return n
        return None

    def now_sql(self, col: SourceColumn) -> str:
        # DATETIME holds UTC in the estate; TIMESTAMP compares in the session's zone, as NOW() does
        return "NOW(6)" if col.data_type == "timestamp" else "UTC_TIMESTAMP(6)"

    def wide(self, sql: str) -> str:
        return f"CAST({sql} AS DECIMAL(20,0))"

    def mod(self, sql: str, m: int) -> str:
        return f"MOD({sql}, {m})"  # not %: the statement goes through PyMySQL's %s formatting

    def query_arrow(self, sql: str, params: tuple = ()) -> pa.Table:
        import connectorx as cx

        text = sql.replace("%s", "{}").format(*(_sql_literal(p) for p in params))
        try:
            return cx.read_sql(self._cx_url, text, return_type="arrow")
        except BaseException as exc:  # noqa: BLE001 - connectorx raises RuntimeError or a panic
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise SourceError(f"mysql_estate: reading {self.schema} from {self.location} failed: "
                              f"{redact(first_line(exc), self._password)}") from None


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
    return mysql_literal(str(value))




_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def mysql_connect(host: str, port: int, username: str, password: str | None, database: str | None = None):
    """A PyMySQL connection, or SourceError with a one-line message naming the host (never the password)."""
    import pymysql

    try:
        return pymysql.connect(
            host=host, port=int(port), user=username, password=password or "", database=database,
            connect_timeout=CONNECT_TIMEOUT_SECONDS, charset="utf8mb4", autocommit=True,
            # PyMySQL >= 1.2 builds a TLS context per connection (loading the system CA store,
            # ~50 ms of CPU) to *try* TLS; a run opens ~100 connections. On the loopback TLS adds
            # nothing; to any other host PyMySQL's default (TLS when the server offers it) stays.
            ssl_disabled=host in _LOOPBACK or None,
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
            reason = redact(first_line(exc), password)
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


__all__ = ["MySQLReader", "Reader", "Window", "mysql_connect", "reflect_mysql"]
