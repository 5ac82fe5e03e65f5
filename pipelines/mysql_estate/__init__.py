"""dlt source for the MySQL estate: one schema of the estate -> one warehouse dataset.

`mysql_schema_source()` is the `@dlt.source`: one Arrow resource per catalogued table, each
reading the rows its `TablePlan` selected. `extract_schema()` runs one schema end to end
(recover a killed run, plan, extract, normalize, load) with its own dlt pipeline
`mysql_estate__<schema>`, whose state (the cursors) is committed in the warehouse together with
the data. `luckin.extract.run_extract()` runs all schemas in parallel and writes the audit.

Incremental rules (state per table, in the dlt resource state):
- merge: rows with `cursor >= last` (the boundary second is re-read, the upsert makes it
  idempotent). A table is unchanged when the count of rows at or after `last` and the highest
  cursor are those recorded: no query reads rows then.
- append: rows with `last < cursor <= highest cursor at planning time`.
- replace: small tables are read while planning and hashed; unchanged content is not reloaded.
The first load of any table, and every table under `full_refresh`, is a replace.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from luckin.core.catalog import SchemaEntry, TableEntry
from pipelines.mysql_estate.helpers import (
    INT_TYPES,
    Reader,
    SourceError,
    SourceTable,
    Window,
    arrow_schema,
    dlt_columns,
    redact,
    to_landing,
)
from pipelines.mysql_estate.settings import CHUNK_ROWS, SOURCE_NAME
from pipelines.recovery import make_pipeline, open_recovered

PIPELINE_PREFIX = f"{SOURCE_NAME}__"


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

    @property
    def name(self) -> str:
        return self.entry.name


@dataclass
class TableRun:
    """What happened to one table in one run (one row of the load audit)."""
    schema: str
    table: str
    strategy: str
    status: str  # loaded | unchanged | failed | missing | uncatalogued
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


class RunStats:
    """Thread-safe counters the readers update; drives the progress display."""

    def __init__(self, on_rows: Callable[[str, int], None] | None = None):
        self._lock = threading.Lock()
        self.rows: dict[tuple[str, str], int] = {}
        self.zero_dates: dict[tuple[str, str], dict[str, int]] = {}
        self._on_rows = on_rows

    def record(self, schema: str, table: str, rows: int, zero_dates: dict[str, int]) -> None:
        with self._lock:
            key = (schema, table)
            self.rows[key] = self.rows.get(key, 0) + rows
            zd = self.zero_dates.setdefault(key, {})
            for col, n in zero_dates.items():
                zd[col] = zd.get(col, 0) + n
        if self._on_rows:
            self._on_rows(schema, rows)


# --------------------------------------------------------------------------- planning
def chunk_column(entry: TableEntry, table: SourceTable) -> str | None:
    if entry.chunk_column:
        return entry.chunk_column
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
    table = table.drop_columns(["_dlt_id"]) if "_dlt_id" in table.column_names else table
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table.combine_chunks())
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def plan_table(reader: Reader, entry: TableEntry, table: SourceTable, state: dict, first_load: bool,
               chunk_rows: int = CHUNK_ROWS) -> TablePlan:
    """Decide what one run reads from a table (see the module docstring for the rules)."""
    ck = chunk_column(entry, table)
    for col in (*entry.primary_key, entry.cursor, entry.soft_delete, ck):
        if col and col not in table.column_names:
            raise SourceError(f"catalog: {entry.qualified} names column {col!r}, which the source table lacks")
    disposition = "replace" if first_load else entry.strategy

    if entry.strategy == "replace":
        stats = reader.table_stats(table, None, None, True, ck)
        windows = chunked(Window(), ck, stats["chunk_min"], stats["chunk_max"], stats["rows"], chunk_rows)
        plan = TablePlan(entry, table, "replace", windows, {"loaded": True}, stats["rows"], stats["rows"], True)
        if len(windows) == 1:  # small: read now, reload only when the content changed
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
    inclusive = entry.strategy == "merge"
    stats = reader.table_stats(table, cursor, last, inclusive, ck)
    max_cursor = stats["max_cursor"]
    if entry.strategy == "merge":
        unchanged = (not first_load and stats["in_window"] == state.get("boundary", -1)
                     and max_cursor == state.get("cursor"))
        boundary = reader.count_equal(table, cursor, max_cursor) if max_cursor is not None else 0
        base = Window(cursor=cursor, cursor_from=last, cursor_from_inclusive=True)
        new_state = {"loaded": True, "cursor": max_cursor, "boundary": boundary}
    else:  # append: a half-open window (last, max] so that nothing is read twice
        unchanged = not first_load and stats["in_window"] == 0
        base = Window(cursor=cursor, cursor_from=last, cursor_from_inclusive=False,
                      cursor_to=max_cursor if max_cursor is not None else None)
        high = max_cursor if max_cursor is not None else last
        new_state = {"loaded": True, "cursor": high}
    if first_load:
        base = Window(cursor=cursor, cursor_to=max_cursor) if entry.strategy == "append" and max_cursor is not None else Window()
    windows = chunked(base, ck, stats["chunk_min"], stats["chunk_max"], stats["in_window"], chunk_rows)
    return TablePlan(entry, table, disposition, windows, new_state, stats["rows"], stats["in_window"],
                     changed=not unchanged)


# --------------------------------------------------------------------------- the dlt source
def _table_rows(plan: TablePlan, reader: Reader, read_slots: threading.Semaphore, stats: RunStats):
    yielded = False
    _last_key: list = [None]

    def _pages(windows: list[Window]):
        for window in windows:
            if not window.limit:
                yield window
                continue
            after = None
            while True:
                _last_key[0] = None
                yield replace(window, seek_after=after)
                if _last_key[0] is None:
                    break
                after = _last_key[0]

    if plan.prefetched is not None:
        stats.record(plan.source.schema, plan.name, plan.prefetched.num_rows, plan.zero_dates_prefetched)
        yield plan.prefetched
        yielded = True
    else:
        for window in _pages(plan.windows):
            with read_slots:
                raw = reader.read(plan.source, window)
            full = bool(window.limit) and raw.num_rows >= window.limit
            converted = to_landing(raw, plan.source, plan.entry.unsigned_as_decimal,
                                   text_zero_dates=reader.text_dates)
            del raw
            if window.limit:  # keyset pagination: where the next page starts (None: last page)
                # From the typed column: a reader may deliver keys as text (SQLite), whose
                # maximum is lexicographic ("99999" > "250000") and would re-read rows.
                _last_key[0] = pc.max(converted.table.column(window.chunk_column)).as_py() if full else None
            stats.record(plan.source.schema, plan.name, converted.table.num_rows, converted.zero_dates)
            if converted.table.num_rows:
                yield converted.table
                yielded = True
    if not yielded:  # empty tables still land, with their columns
        yield arrow_schema(plan.source, plan.entry.unsigned_as_decimal).empty_table()
    state = dlt.current.resource_state()
    state.clear()
    state.update(plan.new_state)


def _write_disposition(plan: TablePlan) -> Any:
    if plan.disposition == "merge":
        return {"disposition": "merge", "strategy": "delete-insert"}
    return plan.disposition


def mysql_schema_source(schema: str, plans: list[TablePlan], reader: Reader,
                        read_slots: threading.Semaphore, stats: RunStats):
    """The dlt source of one estate schema: one parallelized Arrow resource per planned table."""

    def _resources():
        for plan in plans:
            yield dlt.resource(
                _table_rows(plan, reader, read_slots, stats),
                name=plan.name,
                table_name=plan.name,
                write_disposition=_write_disposition(plan),
                primary_key=list(plan.entry.primary_key) or None,
                columns=dlt_columns(plan.source, plan.entry.unsigned_as_decimal),
                parallelized=True,
            )

    return dlt.source(_resources, name=schema, max_table_nesting=0)()


# --------------------------------------------------------------------------- one schema, end to end
def _pipeline(schema: str, destination) -> dlt.Pipeline:
    return make_pipeline(PIPELINE_PREFIX + schema, schema, destination)


def open_pipeline(schema: str, destination, committed_version: int | None, tables: list[str],
                  dataset_exists: bool) -> tuple[dlt.Pipeline, dict]:
    """The schema's pipeline, recovered if a previous run did not finish (see pipelines.recovery)."""
    return open_recovered(PIPELINE_PREFIX + schema, schema, destination, committed_version, tables,
                          dataset_exists)


def resource_states(pipeline: dlt.Pipeline, schema: str) -> dict[str, dict]:
    return ((pipeline.state.get("sources") or {}).get(schema) or {}).get("resources") or {}


def run_schema(pipeline: dlt.Pipeline, schema: str, plans: list[TablePlan], reader: Reader,
               read_slots: threading.Semaphore, stats: RunStats, loader_file_format: str,
               secrets: tuple[str, ...] = ()) -> str | None:
    """Extract, normalize and load the changed tables of one schema; returns the load id."""
    changed = [p for p in plans if p.changed]
    if not changed:
        return None
    source = mysql_schema_source(schema, changed, reader, read_slots, stats)
    try:
        info = pipeline.run(source, loader_file_format=loader_file_format)
    except Exception as exc:  # noqa: BLE001 - reported per table, the run goes on
        raise SourceError(redact(_root_message(exc), *secrets)) from None
    return info.loads_ids[-1] if info.loads_ids else None


def _root_message(exc: BaseException) -> str:
    """The innermost useful one-line message of a (dlt-wrapped) exception."""
    seen = exc
    while True:
        nxt = getattr(seen, "exception", None) or seen.__cause__ or seen.__context__
        if nxt is None or nxt is seen:
            break
        seen = nxt
    if isinstance(seen, SourceError):
        return str(seen)
    text = str(seen).strip().splitlines()
    return f"{seen.__class__.__name__}: {text[0] if text else ''}"


__all__ = [
    "SchemaEntry",
    "TablePlan",
    "TableRun",
    "RunStats",
    "mysql_schema_source",
    "open_pipeline",
    "plan_table",
    "resource_states",
    "run_schema",
]
