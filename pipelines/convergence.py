"""Convergence: after each load, every landed table holds exactly its source table's rows by key.

Merge and append read by cursor, which cannot see a row that vanished (a hard delete), nor a row
whose cursor is behind what was landed (inserted or corrected with an old `update_time`,
re-inserted after a delete, a table reloaded with other data). So, per merge/append table and
after the schema's load:

1. **Fingerprint** (cheap, no key leaves either database): `(rows, SUM(key), SUM((key % P) *
   (cursor in seconds % P)))`, P = 1,000,003, of the source, taken in the planning statement the run makes anyway, against
   the same of the warehouse's live rows (`_luckin_deleted_at IS NULL`), all tables of a schema in
   one statement. Equal: nothing to do. A delete, an insert behind the cursor, a re-inserted row or a
   row whose `update_time` differs between the two changes it.
2. **Keys** (on a mismatch only): the keys (and cursor values) of both sides are read in Arrow,
   range by range of the key, and compared in an in-memory DuckDB:
   - keys live in the warehouse but not in the source -> marked deleted: `_luckin_deleted_at` =
     the run's time and `_dlt_load_id` = the schema's load id of this run, so the deletion is a
     change of that row in that load for the incremental dbt models;
   - source rows the cursor will not bring (missing in the warehouse, or with another cursor value,
     and not at/after the cursor) -> fetched by key and merged in a second load; a row that comes
     back replaces its tombstone (`_luckin_deleted_at` NULL again). When they are many, the table
     is re-synced whole instead (replace, with its reason in the summary and the audit).

Trade-off: the fingerprint misses a change that keeps the row count, the key sum and every
(key, cursor) product - in practice an update that leaves `update_time` unchanged (which merge
cannot see either). A sum can also collide by chance after a delete plus an insert behind the
cursor; the keys' products with their cursor make that need both the same key sum and the same
weighted sum. Append tables (no cursor but the key) compare keys only; a reload under the same
ids is caught by planning's canary rows instead (pipelines/mysql_estate/planning.py).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from luckin.core.contract import DELETED_AT, SourceColumn, SourceTable
from luckin.core.sessions import quote_ident
from pipelines.destinations import Destination
from pipelines.mysql_estate.helpers import FINGERPRINT_MODULUS, TO_SECONDS_1970, Reader
from pipelines.mysql_estate.settings import KEYS_PER_BATCH



@dataclass
class Spec:
    """What is compared for one table."""
    table: str
    key: tuple[str, ...]
    key_column: str | None  # a one-column integer key (sums, ranges)
    cursor: SourceColumn | None  # the cursor, when the reader computes its microseconds
    upto: object = None  # append: compare rows with cursor <= this (later ones are next run's)
    fresh_after: object = None  # merge: source rows with cursor > this (written since planning) are next run's


@dataclass
class KeyDiff:
    gone: pa.Table  # key columns of live warehouse rows whose key the source lacks
    behind: pa.Table  # key columns of source rows the cursor will not bring


def _micros(col: SourceColumn, kind: str) -> str:
    n = quote_ident(col.name)
    if col.data_type in ("datetime", "timestamp", "date"):
        if kind == "duckdb":
            return f"epoch_us({n}::TIMESTAMPTZ)" if col.data_type == "date" else f"epoch_us({n})"
        return f"(EXTRACT(EPOCH FROM {n}) * 1000000)::bigint"
    return n


def _wide(sql: str, kind: str) -> str:
    return f"{sql}::HUGEINT" if kind == "duckdb" else f"{sql}::numeric"




def _seconds(col: SourceColumn, kind: str) -> str:
    """A landed date/time cursor as the source's `Reader.seconds_sql` counts it (from year 0)."""
    n = quote_ident(col.name)
    if col.data_type == "date":
        return f"(({n} - DATE '1970-01-01') * 86400 + {TO_SECONDS_1970})"
    if col.data_type in ("datetime", "timestamp"):
        if kind == "duckdb":
            return f"(epoch_us({n}) // 1000000 + {TO_SECONDS_1970})"
        return f"(FLOOR(EXTRACT(EPOCH FROM {n}))::bigint + {TO_SECONDS_1970})"
    return n


def warehouse_fingerprints(dest: Destination, schema: str, specs: list[Spec]) -> dict[str, tuple]:
    """(rows, SUM(key), SUM((key % P) * (cursor seconds % P))) of the live rows of each table, in
    one statement: the same figures `Reader.fingerprint_sql` has the source compute."""
    if not specs:
        return {}
    m = FINGERPRINT_MODULUS
    parts = []
    for i, spec in enumerate(specs):
        cursor = spec.cursor if spec.cursor is not None and spec.cursor.name != spec.key_column else None
        seconds = _seconds(cursor, dest.kind) if cursor is not None else None
        if spec.key_column:
            key = quote_ident(spec.key_column)
            key_sum = f"SUM({_wide(key, dest.kind)})"
            cursor_sum = f"SUM(({key} % {m}) * (COALESCE({seconds}, 0) % {m}))" if seconds else "NULL"
        else:
            key_sum = "NULL"
            cursor_sum = f"SUM(COALESCE({seconds}, 0) % {m})" if seconds else "NULL"
        where = f"{quote_ident(DELETED_AT)} IS NULL"
        if spec.upto is not None and spec.cursor is not None and spec.cursor.data_type not in (
                "datetime", "timestamp", "date"):
            where += f" AND {quote_ident(spec.cursor.name)} <= {int(spec.upto)}"
        parts.append(f"SELECT {i} AS i, COUNT(*) AS n, CAST({key_sum} AS VARCHAR) AS k,"
                     f" CAST({cursor_sum} AS VARCHAR) AS c FROM {quote_ident(schema)}.{quote_ident(spec.table)} WHERE {where}")
    out = {}
    for i, n, k, c in dest.query(" UNION ALL ".join(parts)):
        out[specs[i].table] = (int(n), None if k is None else int(k.split(".")[0]),
                               None if c is None else int(c.split(".")[0]))
    return out


class Verified:
    """Source fingerprints the warehouse was last found to agree with, per table of one schema, in
    the pipeline's working folder (`luckin_fingerprints.json`). A table whose source fingerprint is
    still the recorded one, and which this run does not load, needs no warehouse query: only the
    extract writes raw tables, and an entry is dropped (and the file saved) before the extract
    changes the table. Deleting the folder (or a crash recovery, which drops it) only costs one
    full comparison."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.entries: dict[str, list] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def agrees(self, table: str, fingerprint: tuple | None) -> bool:
        return fingerprint is not None and self.entries.get(table) == list(fingerprint)

    def record(self, table: str, fingerprint: tuple) -> None:
        self.entries[table] = list(fingerprint)

    def forget(self, tables) -> None:
        for t in tables:
            self.entries.pop(t, None)

    def save(self) -> None:
        if self.path.parent.is_dir():
            self.path.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")


def same(source: tuple | None, warehouse: tuple | None) -> bool:
    """Whether two fingerprints agree on every part both computed."""
    if source is None or warehouse is None:
        return False
    return all(a == b for a, b in zip(source, warehouse) if a is not None and b is not None) \
        and source[0] == warehouse[0]


def _ranges(reader: Reader, dest: Destination, schema: str, source: SourceTable, spec: Spec,
            rows: int) -> list[tuple[int | None, int | None]]:
    """Key ranges of about KEYS_PER_BATCH keys (one range when small or not an integer key)."""
    if spec.key_column is None or rows <= KEYS_PER_BATCH:
        return [(None, None)]
    k = spec.key_column
    q = reader.quote
    lo_s, hi_s = reader.scalar_row(f"SELECT MIN({q(k)}), MAX({q(k)}) FROM {q(source.name)}")
    (lo_w, hi_w), = dest.query(f"SELECT MIN({quote_ident(k)}), MAX({quote_ident(k)}) FROM {quote_ident(schema)}.{quote_ident(source.name)}")
    values = [int(v) for v in (lo_s, hi_s, lo_w, hi_w) if v is not None]
    if not values:
        return [(None, None)]
    lo, hi = min(values), max(values)
    n = max(1, math.ceil(rows / KEYS_PER_BATCH))
    step = max(1, math.ceil((hi - lo + 1) / n))
    return [(start, min(start + step - 1, hi)) for start in range(lo, hi + 1, step)]


def compare_keys(reader: Reader, dest: Destination, schema: str, source: SourceTable, spec: Spec,
                 rows: int) -> KeyDiff:
    """The exact comparison of one table's keys (see the module docstring), range by range."""
    import duckdb

    key_cols = ", ".join(quote_ident(k) for k in spec.key)
    micros = _micros(spec.cursor, dest.kind) if spec.cursor is not None else None
    gone, behind = [], []
    con = duckdb.connect()
    try:
        for lo, hi in _ranges(reader, dest, schema, source, spec, rows):
            src = reader.read_keys(source, spec.key, spec.cursor, spec.fresh_after, lo, hi, spec.upto)
            where = [f"{quote_ident(DELETED_AT)} IS NULL"]
            if lo is not None:
                where.append(f"{quote_ident(spec.key[0])} BETWEEN {int(lo)} AND {int(hi)}")
            cursor_sql = f"{micros} AS _cursor_us" if micros else "NULL::BIGINT AS _cursor_us"
            wh = dest.arrow(f"SELECT {key_cols}, {cursor_sql} FROM {quote_ident(schema)}.{quote_ident(source.name)}"
                            f" WHERE {' AND '.join(where)}")
            con.register("s", src)
            con.register("w", wh)
            on = " AND ".join(f"s.{quote_ident(k)} = w.{quote_ident(k)}" for k in spec.key)
            gone.append(con.execute(f"SELECT {', '.join('w.' + quote_ident(k) for k in spec.key)} FROM w"
                                    f" WHERE NOT EXISTS (SELECT 1 FROM s WHERE {on})").fetch_arrow_table())
            behind.append(con.execute(
                f"SELECT {', '.join('s.' + quote_ident(k) for k in spec.key)} FROM s LEFT JOIN w ON {on}"
                f" WHERE s._fresh = 0 AND (w.{quote_ident(spec.key[0])} IS NULL OR (s._cursor_us IS NOT NULL"
                " AND w._cursor_us IS DISTINCT FROM s._cursor_us))").fetch_arrow_table())
            con.unregister("s")
            con.unregister("w")
    finally:
        con.close()
    return KeyDiff(_concat(gone), _concat(behind))


def _concat(tables: list[pa.Table]) -> pa.Table:
    tables = [t for t in tables if t is not None]
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]


__all__ = ["KeyDiff", "Spec", "Verified", "compare_keys", "same", "warehouse_fingerprints"]
