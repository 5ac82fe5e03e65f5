"""The raw-table contract: how a source table lands in the warehouse.

One home for what every stage agrees on about raw tables:
- how a MySQL column type lands (`landing_type`: the Arrow type the extract writes, the dlt hint
  that makes the warehouse column; pipelines/README.md has the table);
- the loader's own columns on every landed row (`LOADER_COLUMNS`): `_dlt_load_id` (the load
  that wrote the row: incremental models window on it), `_dlt_id` (a random row id) and
  `_luckin_deleted_at` (when the extract saw the row's key vanish from the source; NULL while
  the row exists there);
- the load audit's columns (`AUDIT_COLUMNS`, table `luckin_audit.load_audit`).

Landing types: DECIMAL(p,s) -> decimal(p,s); TINYINT(1) -> boolean; TINYINT/SMALLINT ->
smallint (unsigned: integer); MEDIUMINT/INT -> integer (unsigned: bigint); BIGINT (also
unsigned) -> bigint with an overflow check, or decimal(20,0) per catalog; DATETIME/TIMESTAMP ->
timestamp with time zone (UTC); DATE -> date; JSON -> json; text -> text. Zero dates become NULL
and are counted.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

INT_TYPES = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"}
TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"}
BINARY_TYPES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
ZERO_FLAG_PREFIX = "__zero_date__"
DLT_ID = "_dlt_id"
LOAD_ID = "_dlt_load_id"
DELETED_AT = "_luckin_deleted_at"
LOADER_COLUMNS = (LOAD_ID, DLT_ID, DELETED_AT)
# Column types whose zero dates ('0000-00-00 ...') are turned into NULL and counted.
ZERO_DATE_TYPES = frozenset({"datetime", "timestamp", "date"})

# Schemas the extract writes besides the estate's own.
REDIS_DATASET = "redis_snapshots"
AUDIT_DATASET = "luckin_audit"
AUDIT_TABLE = "load_audit"


# --------------------------------------------------------------------------- source metadata
@dataclass(frozen=True)
class SourceColumn:
    name: str
    data_type: str  # lower-case type name: bigint, decimal, datetime, json, varchar...
    column_type: str  # the full type text, lower-case: "bigint(20) unsigned", "tinyint(1)"
    nullable: bool
    precision: int | None = None
    scale: int | None = None
    is_json: bool = False

    @property
    def unsigned(self) -> bool:
        return "unsigned" in self.column_type

    @property
    def is_flag(self) -> bool:
        return self.data_type == "tinyint" and self.column_type.startswith("tinyint(1)")

    @property
    def is_zero_date_type(self) -> bool:
        return self.data_type in ZERO_DATE_TYPES


@dataclass(frozen=True)
class SourceTable:
    schema: str
    name: str
    columns: tuple[SourceColumn, ...]
    primary_key: tuple[str, ...]
    rows_estimate: int = 0  # the server's statistics (information_schema.TABLES.TABLE_ROWS)

    def column(self, name: str) -> SourceColumn:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.schema}.{self.name} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


# --------------------------------------------------------------------------- landing types
@dataclass(frozen=True)
class Landing:
    arrow: pa.DataType
    hint: dict  # dlt column hint (data_type, precision, scale, timezone)


def mysql_literal(text: str) -> str:
    """A string literal in MySQL's SQL, where a backslash escapes (unlike DuckDB's and Postgres':
    `luckin.core.sessions.quote_literal`)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def landing_type(col: SourceColumn, unsigned_as_decimal: bool = False) -> Landing:
    """The Arrow type and dlt hint a source column lands as (the landing contract)."""
    t = col.data_type
    if col.is_json:
        return Landing(pa.string(), {"data_type": "json"})
    if col.is_flag or t in ("bool", "boolean"):
        return Landing(pa.bool_(), {"data_type": "bool"})
    if t in INT_TYPES:
        if t in ("tinyint", "smallint"):
            return _int(32) if col.unsigned else _int(16)
        if t in ("mediumint", "int", "integer"):
            return _int(64) if col.unsigned else _int(32)
        if col.unsigned and unsigned_as_decimal:
            return Landing(pa.decimal128(20, 0), {"data_type": "decimal", "precision": 20, "scale": 0})
        return _int(64)
    if t == "year":
        return _int(16)
    if t == "bit":
        return _int(64)
    if t in ("decimal", "numeric"):
        p, s = col.precision or 10, col.scale or 0
        arrow = pa.decimal128(p, s) if p <= 38 else pa.decimal256(p, s)
        return Landing(arrow, {"data_type": "decimal", "precision": p, "scale": s})
    if t in ("float", "double", "real"):
        return Landing(pa.float64(), {"data_type": "double"})
    if t in ("datetime", "timestamp"):
        return Landing(pa.timestamp("us", tz="UTC"), {"data_type": "timestamp", "timezone": True, "precision": 6})
    if t == "date":
        return Landing(pa.date32(), {"data_type": "date"})
    if t in BINARY_TYPES:
        return Landing(pa.binary(), {"data_type": "binary"})
    # varchar, text, enum, set, time (MySQL TIME is a duration up to 838 h: kept as text)...
    return Landing(pa.string(), {"data_type": "text"})


def _int(bits: int) -> Landing:
    arrow = {16: pa.int16(), 32: pa.int32(), 64: pa.int64()}[bits]
    hint: dict = {"data_type": "bigint"}
    if bits != 64:
        hint["precision"] = bits
    return Landing(arrow, hint)


# `_luckin_deleted_at`: NULL while the row's key exists in the source; the extract's time when it
# saw the key vanish (the row then also carries that run's `_dlt_load_id`).
DELETED_AT_HINT = {"data_type": "timestamp", "timezone": True, "precision": 6, "nullable": True}
DELETED_AT_ARROW = pa.timestamp("us", tz="UTC")


def dlt_columns(table: SourceTable, unsigned_as_decimal: tuple[str, ...] = ()) -> dict[str, dict]:
    """dlt column hints for a source table, in source column order, plus `_dlt_id` and
    `_luckin_deleted_at`."""
    cols = {}
    for c in table.columns:
        landing = landing_type(c, c.name in unsigned_as_decimal)
        cols[c.name] = {"name": c.name, **landing.hint, "nullable": c.nullable or c.is_zero_date_type}
    cols[DLT_ID] = {"name": DLT_ID, "data_type": "text", "nullable": False, "row_key": True, "unique": True}
    cols[DELETED_AT] = {"name": DELETED_AT, **DELETED_AT_HINT}
    return cols


def arrow_schema(table: SourceTable, unsigned_as_decimal: tuple[str, ...] = ()) -> pa.Schema:
    fields = [
        pa.field(c.name, landing_type(c, c.name in unsigned_as_decimal).arrow,
                 nullable=c.nullable or c.is_zero_date_type)
        for c in table.columns
    ]
    fields.append(pa.field(DLT_ID, pa.string(), nullable=False))
    fields.append(pa.field(DELETED_AT, DELETED_AT_ARROW, nullable=True))
    return pa.schema(fields)


def random_row_ids(n: int) -> pa.Array:
    """n random `_dlt_id` values (120 random bits, 20 url-safe base64 characters) in one pass."""
    if n == 0:
        return pa.array([], pa.string())
    data = base64.urlsafe_b64encode(os.urandom(15 * n))  # 15 bytes -> exactly 20 characters
    offsets = pa.py_buffer(np.arange(0, 20 * n + 1, 20, dtype=np.int32))
    return pa.Array.from_buffers(pa.string(), n, [None, offsets, pa.py_buffer(data)])


# One row per table per extract run (luckin_audit.load_audit): what the run did and counted.
AUDIT_COLUMNS = {
    "run_id": {"data_type": "text", "nullable": False},
    "source_schema": {"data_type": "text", "nullable": False},
    "source_table": {"data_type": "text", "nullable": False},
    "rows_in_source": {"data_type": "bigint"},
    "rows_extracted": {"data_type": "bigint"},
    "rows_in_warehouse": {"data_type": "bigint"},
    "zero_dates_nulled": {"data_type": "bigint"},
    "strategy": {"data_type": "text"},
    "started_at": {"data_type": "timestamp", "timezone": True},
    "duration_seconds": {"data_type": "double"},
    "status": {"data_type": "text"},
    # How the warehouse table changed: merge, append, or replace (rewritten whole: first load,
    # --full-refresh, a re-sync, a changed dictionary). The dbt build rebuilds whole whatever
    # reads a table that was replaced since its last build.
    "disposition": {"data_type": "text"},
    # Why a table was re-synced whole (key range went backwards, fewer rows than landed,
    # incompatible DDL...), else NULL.
    "resync_reason": {"data_type": "text"},
    # Keys that vanished from the source in this run and were marked deleted (DELETED_AT).
    "rows_deleted": {"data_type": "bigint"},
    # Rows the run's plans counted in the source and its reads did not bring (deleted while the
    # run read the table, or lost by a reader): pipelines/README.md, Every read is counted.
    "rows_short": {"data_type": "bigint"},
    "load_id": {"data_type": "text"},
    "cursor_value": {"data_type": "text"},
    "zero_dates_by_column": {"data_type": "json"},
    "source_location": {"data_type": "text"},
    "destination": {"data_type": "text"},
    "error": {"data_type": "text"},
}
