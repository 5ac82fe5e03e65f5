"""The load audit (`luckin_audit.load_audit`): one row per table per run, appended by its own
dlt pipeline `luckin_audit` (columns: `luckin.core.contract.AUDIT_COLUMNS`)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from luckin.core.contract import AUDIT_COLUMNS, AUDIT_DATASET, AUDIT_TABLE, REDIS_DATASET
from pipelines.destinations import Destination
from pipelines.summary import ExtractSummary

UTC = timezone.utc


def audit_rows(summary: ExtractSummary, source_location: str) -> list[dict]:
    rows = []
    for t in summary.tables:
        rows.append({
            "run_id": summary.run_id,
            "source_schema": t.schema,
            "source_table": t.table,
            "rows_in_source": t.rows_in_source,
            "rows_extracted": t.rows_extracted,
            "rows_in_warehouse": t.rows_in_warehouse,
            "zero_dates_nulled": t.zero_dates_nulled,
            "strategy": t.strategy,
            "started_at": datetime.fromtimestamp(t.started_at, UTC),
            "duration_seconds": round(t.seconds, 3),
            "status": t.status,
            "disposition": t.disposition,
            "resync_reason": t.resync_reason,
            "rows_deleted": t.rows_deleted,
            "rows_short": t.rows_short,
            "load_id": t.load_id,
            "cursor_value": None if t.cursor_value is None else str(t.cursor_value),
            "zero_dates_by_column": json.dumps(t.zero_dates_by_column) if t.zero_dates_by_column else None,
            "source_location": source_location,
            "destination": summary.destination,
            "error": t.error,
        })
    r = summary.redis
    if r is not None:
        for table_name, n in sorted(r.rows.items()) or [("instance_info", 0)]:
            rows.append({
                "run_id": summary.run_id, "source_schema": REDIS_DATASET, "source_table": table_name,
                "rows_in_source": r.keys if table_name == "key_patterns" else None,
                "rows_extracted": n, "rows_in_warehouse": None, "zero_dates_nulled": 0,
                "strategy": "snapshot", "started_at": summary.started_at,
                "duration_seconds": round(r.seconds, 3), "status": r.status, "disposition": "append",
                "resync_reason": None, "rows_deleted": 0, "rows_short": 0,
                "load_id": r.load_id, "cursor_value": r.snapshot_id, "zero_dates_by_column": None,
                "source_location": r.location, "destination": summary.destination, "error": r.error,
            })
    return rows




def clock_behind(destination: Destination, existing: dict[str, set[str]], now: float) -> str | None:
    """A one-line warning when this machine's clock (`now`, epoch seconds) reads earlier than the
    newest load in the audit: dlt's load ids are that clock, so this run's loads get older ids
    than loads already landed. Nothing is lost (`luckin build` moves its window back for such
    loads), but the clock wants fixing. None when the clock is ahead or there is no audit."""
    if AUDIT_TABLE not in existing.get(AUDIT_DATASET, set()):
        return None
    try:
        newest = destination.query(f"SELECT max(load_id) FROM {AUDIT_DATASET}.{AUDIT_TABLE}")[0][0]
        behind = float(newest) - now
    except Exception:  # noqa: BLE001 - no load ids yet, not dlt's, or unreadable: only a warning is at stake
        return None
    if behind <= 0:
        return None
    return (f"this machine's clock is {behind:.0f} s behind the newest load in the warehouse ({newest}): "
            "this run's loads get older ids; `luckin build` still reads them, but set the clock right (NTP)")


def write_audit(destination: Destination, rows: list[dict]) -> None:
    import dlt
    import pyarrow as pa

    from luckin.core.contract import random_row_ids

    columns = {name: {"name": name, **hint} for name, hint in AUDIT_COLUMNS.items()}
    data = {name: [r.get(name) for r in rows] for name in AUDIT_COLUMNS}
    types = {"text": pa.string(), "bigint": pa.int64(), "double": pa.float64(), "json": pa.string(),
             "timestamp": pa.timestamp("us", tz="UTC")}
    table = pa.table({name: pa.array(values, type=types[AUDIT_COLUMNS[name]["data_type"]])
                      for name, values in data.items()})
    table = table.append_column("_dlt_id", random_row_ids(table.num_rows))
    from pipelines.recovery import open_recovered

    existing = destination.existing_tables([AUDIT_DATASET])
    committed = destination.committed_state_versions([AUDIT_DATASET], existing).get(AUDIT_DATASET)
    pipeline, _ = open_recovered("luckin_audit", AUDIT_DATASET, destination, committed, [AUDIT_TABLE],
                                 AUDIT_DATASET in existing)
    resource = dlt.resource(iter([table]), name=AUDIT_TABLE, write_disposition="append", columns=columns)
    pipeline.run(resource, loader_file_format=destination.loader_file_format)


__all__ = ["audit_rows", "write_audit"]
