"""What one run reads from each table: the plan, from the table's state and one statement of stats.

Incremental rules (state per table, in the dlt resource state):
- merge: rows with `cursor >= last` (the boundary value is re-read, the upsert makes it
  idempotent). `last` is the highest cursor value *not in the future* at the last run, so one row
  stamped in the future (clock skew, an application bug) cannot hide later changes: it is read
  again each run until its time comes. A table is unchanged when the count of rows at or after
  `last` and the highest cursor are those recorded: no query reads rows then.
- append: rows with `last < cursor <= highest cursor at planning time`. Rows already landed are
  assumed never to change, so each run also re-reads a *canary*: the same 16 keys spread over the
  landed range, hashed row by row and kept in the state. A canary row whose content differs from
  the last run's (the table was reloaded with other data under the same ids, which neither the
  count, the key sum nor the cursor can see) re-syncs the table. A canary key that vanished is a
  delete, left to convergence.
- replace: small tables are read while planning and hashed; unchanged content is not reloaded.
The first load of any table, every table under `full_refresh`, and a table whose cursor went
backwards (truncated and reloaded, re-created) is a replace: a *re-sync*, with its reason.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import pyarrow as pa

from luckin.core.catalog import TableEntry
from luckin.core.contract import DELETED_AT, DLT_ID, INT_TYPES, SourceTable
from luckin.core.errors import SourceError
from pipelines.mysql_estate.convert import to_landing
from pipelines.mysql_estate.helpers import Reader, Window
from pipelines.mysql_estate.settings import KEYS_PER_READ


@dataclass
class TablePlan:
    entry: TableEntry
    source: SourceTable
    disposition: str  # what this run does: merge | append | replace
    windows: list[Window]
    new_state: dict
    rows_in_source: int
    rows_expected: int
    changed: bool
    prefetched: pa.Table | None = None  # small replace tables are read while planning
    zero_dates_prefetched: dict = field(default_factory=dict)
    # (rows, SUM(key), SUM(key * cursor us)) of the source at planning (pipelines/convergence.py)
    fingerprint: tuple | None = None
    resync_reason: str | None = None
    check: bool = False  # compare with the warehouse after the load (not after a whole reload)

    @property
    def name(self) -> str:
        return self.entry.name


@dataclass
class TableRun:
    """What happened to one table in one run (one row of the load audit)."""
    schema: str
    table: str
    strategy: str
    status: str  # loaded | unchanged | failed | missing | vanished
    disposition: str | None = None
    rows_in_source: int | None = None
    rows_extracted: int = 0
    rows_in_warehouse: int | None = None
    zero_dates_nulled: int = 0
    zero_dates_by_column: dict = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    seconds: float = 0.0
    cursor_value: Any = None
    load_id: str | None = None
    error: str | None = None
    resync_reason: str | None = None
    rows_deleted: int = 0
    rows_fetched_by_key: int = 0
    rows_short: int = 0  # rows the plans counted and their reads did not bring
    discovered: bool = False  # not in catalog.yml: loaded with the inferred strategy
    drift: list[str] = field(default_factory=list)  # schema changes seen and applied


class RunStats:
    """Thread-safe counters the readers update; drives the progress display."""

    def __init__(self, on_rows: Callable[[str, int], None] | None = None):
        self._lock = threading.Lock()
        self.rows: dict[tuple[str, str], int] = {}
        self.zero_dates: dict[tuple[str, str], dict[str, int]] = {}
        self._on_rows = on_rows

    def record(self, schema: str, table: str, rows: int, zero_dates: dict[str, int], progress: bool = True) -> None:
        """Add rows read (and zero dates nulled); `progress=False` for rows a worker process already
        reported to the progress bar."""
        with self._lock:
            key = (schema, table)
            self.rows[key] = self.rows.get(key, 0) + rows
            zd = self.zero_dates.setdefault(key, {})
            for col, n in zero_dates.items():
                zd[col] = zd.get(col, 0) + n
        if self._on_rows and progress:
            self._on_rows(schema, rows)


# --------------------------------------------------------------------------- planning
def chunk_column(entry: TableEntry, table: SourceTable) -> str | None:
    if entry.chunk_column:
        return entry.chunk_column
    return key_column(table)


def key_column(table: SourceTable) -> str | None:
    """The primary key when it is one integer column (fingerprints and key ranges use it)."""
    if len(table.primary_key) == 1 and table.column(table.primary_key[0]).data_type in INT_TYPES:
        return table.primary_key[0]
    return None


def chunked(base: Window, column: str | None, lo: int | None, hi: int | None, rows: int,
            chunk_rows: int) -> list[Window]:
    """Split a read into integer ranges of `column` of about `chunk_rows` ids each.

    Dense keys give fixed ranges (read in parallel). Sparse keys (ids spread over more than
    four times the row count, e.g. ids from another id generator) give one keyset-paginated
    window instead (`> last id ORDER BY id LIMIT n`, page after page), so a billion-wide id
    range does not become thousands of empty reads.
    """
    if column is None or lo is None or hi is None or rows <= chunk_rows:
        return [base]
    if (hi - lo + 1) > 4 * rows:
        return [Window(base.cursor, base.cursor_from, base.cursor_from_inclusive, base.cursor_to,
                       column, limit=chunk_rows)]
    windows, start = [], lo
    while start <= hi:
        end = min(start + chunk_rows - 1, hi)
        windows.append(Window(base.cursor, base.cursor_from, base.cursor_from_inclusive, base.cursor_to,
                              column, start, end))
        start = end + 1
    return windows


def _arrow_hash(table: pa.Table) -> str:
    """Content hash of a small Arrow table, ignoring the random `_dlt_id`."""
    table = table.drop_columns([c for c in (DLT_ID, DELETED_AT) if c in table.column_names])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table.combine_chunks())
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _before(value: Any, last: Any) -> bool:
    """Whether a cursor value is before the last one seen (ints, or ISO date/time text)."""
    try:
        return value < last
    except TypeError:
        return str(value) < str(last)


CANARY_KEYS = 16


def _canary_keys(lo: int | None, hi: int | None) -> list[int]:
    """Up to CANARY_KEYS keys spread evenly over [lo, hi], both ends included."""
    if lo is None or hi is None or hi < lo:
        return []
    n = min(CANARY_KEYS, hi - lo + 1)
    return sorted({lo + (hi - lo) * i // max(1, n - 1) for i in range(n)})


def _row_hashes(reader: Reader, table: SourceTable, column: str, keys: list[int]) -> dict[str, str]:
    """Per key, a short hash of the row's content as the source holds it now (absent keys absent)."""
    if not keys:
        return {}
    rows = reader.read(table, Window(key_column=column, keys=tuple(keys))).to_pylist()
    return {str(r[column]): hashlib.sha256(repr(sorted(r.items())).encode()).hexdigest()[:16] for r in rows}


def _canary(reader: Reader, table: SourceTable, column: str, state: dict, lo: int | None,
            hi: int | None) -> tuple[dict, str | None]:
    """The new canary of an append table, and the first landed key whose row changed since the
    last run's canary (None: none did). One read covers the old keys and the new ones."""
    old = state.get("canary") or {}
    keys = _canary_keys(lo, hi)
    now = _row_hashes(reader, table, column, sorted({*keys, *(int(k) for k in old)}))
    changed = next((k for k, h in old.items() if k in now and now[k] != h), None)
    return {str(k): now[str(k)] for k in keys if str(k) in now}, changed


def plan_table(reader: Reader, entry: TableEntry, table: SourceTable, state: dict, first_load: bool,
               chunk_rows: int, fingerprint: bool = False, resync_reason: str | None = None) -> TablePlan:
    """Decide what one run reads from a table (see the module docstring for the rules)."""
    ck = chunk_column(entry, table)
    for col in (*entry.primary_key, entry.cursor, entry.soft_delete, ck):
        if col and col not in table.column_names:
            raise SourceError(f"catalog: {entry.qualified} names column {col!r}, which the source table lacks")
    first_load = first_load or resync_reason is not None
    disposition = "replace" if first_load else entry.strategy

    if entry.strategy == "replace":
        stats = reader.table_stats(table, None, None, True, ck)
        windows = chunked(Window(), ck, stats["chunk_min"], stats["chunk_max"], stats["rows"], chunk_rows)
        plan = TablePlan(entry, table, "replace", windows, {"loaded": True}, stats["rows"], stats["rows"], True,
                         resync_reason=resync_reason)
        # small: read now, reload only when the content changed. One window is not enough to
        # tell: a sparse key's keyset pages are one window too, and its read is the first page.
        if len(windows) == 1 and not windows[0].limit:
            converted = to_landing(reader.read(table, windows[0]), table, entry.unsigned_as_decimal,
                                   text_zero_dates=reader.text_dates)
            digest = _arrow_hash(converted.table)
            plan.prefetched = converted.table
            plan.zero_dates_prefetched = converted.zero_dates
            plan.new_state = {"loaded": True, "content_hash": digest}
            plan.changed = first_load or state.get("content_hash") != digest
        return plan

    cursor = entry.cursor
    last = None if first_load else state.get("cursor")
    merge = entry.strategy == "merge"
    stats = reader.table_stats(table, cursor, last, merge, ck, key_column(table), fingerprint)
    max_cursor = stats["max_cursor"]
    if last is not None and (max_cursor is None or _before(max_cursor, last)):
        # the newest row is older than rows already landed: the table was emptied or reloaded
        reason = ("the source table is empty now" if max_cursor is None else
                  f"{cursor} went backwards: the source's highest is {max_cursor}, the last load had {last}")
        return plan_table(reader, entry, table, state, True, chunk_rows, resync_reason=f"{reason} (reloaded?)")
    if merge:
        # the cursor kept is the highest value not in the future: rows stamped ahead are re-read
        capped = stats["max_cursor_now"]
        new_cursor = capped if capped is not None else (last if last is not None else max_cursor)
        unchanged = (not first_load and stats["in_window"] == state.get("boundary", -1)
                     and max_cursor == state.get("max_cursor", state.get("cursor")))
        if new_cursor is None:
            boundary = 0
        elif new_cursor == last:
            boundary = stats["in_window"]
        else:
            boundary = reader.count_at_least(table, cursor, new_cursor)
        base = Window(cursor=cursor, cursor_from=last, cursor_from_inclusive=True)
        new_state = {"loaded": True, "cursor": new_cursor, "boundary": boundary, "max_cursor": max_cursor}
    else:  # append: a half-open window (last, max] so that nothing is read twice
        unchanged = not first_load and stats["in_window"] == 0
        base = Window(cursor=cursor, cursor_from=last, cursor_from_inclusive=False,
                      cursor_to=max_cursor if max_cursor is not None else None)
        high = max_cursor if max_cursor is not None else last
        new_state = {"loaded": True, "cursor": high}
        kc = key_column(table)
        if kc is not None and kc == cursor:
            new_state["canary"], changed = _canary(reader, table, kc, {} if first_load else state,
                                                   stats["chunk_min"] if ck == kc else None, high)
            if changed is not None:
                return plan_table(reader, entry, table, state, True, chunk_rows, resync_reason=(
                    f"the row with {kc} {changed}, landed earlier, changed in the source: an append table"
                    f" is read by {cursor} only (reloaded with other data?)"))
    if first_load:
        base = Window(cursor=cursor, cursor_to=max_cursor) if not merge and max_cursor is not None else Window()
    windows = chunked(base, ck, stats["chunk_min"], stats["chunk_max"], stats["in_window"], chunk_rows)
    return TablePlan(entry, table, disposition, windows, new_state, stats["rows"], stats["in_window"],
                     changed=not unchanged, fingerprint=stats["fingerprint"], resync_reason=resync_reason,
                     check=fingerprint and not first_load)


def fetch_plan(entry: TableEntry, table: SourceTable, keys: list, state: dict) -> TablePlan:
    """Rows fetched by key and merged (rows the cursor cannot reach); the table's state is kept."""
    column = table.primary_key[0]
    windows = [Window(key_column=column, keys=tuple(keys[i:i + KEYS_PER_READ]))
               for i in range(0, len(keys), KEYS_PER_READ)]
    return TablePlan(entry, table, "merge", windows, dict(state), len(keys), len(keys), True)


__all__ = ["RunStats", "TablePlan", "TableRun", "chunk_column", "chunked", "fetch_plan", "key_column", "plan_table"]
