"""dlt source for the MySQL estate: one schema of the estate -> one warehouse dataset.

`mysql_schema_source()` is the `@dlt.source`: one Arrow resource per planned table, each reading
the rows its `TablePlan` selected (`planning.py`). `run_schema()` extracts, normalizes and loads
the changed tables of one schema with the schema's own dlt pipeline `mysql_estate__<schema>`
(`open_pipeline()` recovers a killed run first), whose state (the cursors) is committed in the
warehouse together with the data. `pipelines.extract.run_extract()` runs every schema.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import dlt
import pyarrow.compute as pc

from luckin.core.contract import arrow_schema, dlt_columns
from luckin.core.errors import SourceError, redact
from luckin.core.memory import release_free_memory
from pipelines.mysql_estate.convert import to_landing
from pipelines.mysql_estate.helpers import Reader, Window
from pipelines.mysql_estate.planning import RunStats, TablePlan, TableRun, fetch_plan, plan_table
from pipelines.mysql_estate.settings import SOURCE_NAME
from pipelines.recovery import open_recovered

PIPELINE_PREFIX = f"{SOURCE_NAME}__"


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
            release_free_memory()
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
        raise SourceError(redact(root_message(exc), *secrets)) from None
    return info.loads_ids[-1] if info.loads_ids else None


def root_message(exc: BaseException) -> str:
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
    "PIPELINE_PREFIX",
    "RunStats",
    "TablePlan",
    "TableRun",
    "fetch_plan",
    "mysql_schema_source",
    "open_pipeline",
    "plan_table",
    "resource_states",
    "root_message",
    "run_schema",
]
