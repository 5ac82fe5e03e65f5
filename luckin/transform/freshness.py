"""Which sources hold rows the last passing build has not read: dbt's source-freshness artifacts,
written from the raw tables' load ids.

The incremental job with unchanged code builds only what lies downstream of such sources
(selectors.yml: data_changed, `source_status:fresher+` with --state). dbt compares two
`sources.json` files for that: one in the --state folder (before) and one in the target path
(now). This module writes both instead of running `dbt source freshness`, which would cost a dbt
process and compares each source's newest load with its newest at the last run: a load with an
older id (the extract machine's clock stepped back) would not count as new.

    before   every source at the load up to which the last build read everything (the
             `complete_through` mark the models' windows start from)
    now      every source at the newest load that wrote its table (newest_loads); a source
             without a load-id column, or missing, as newer than anything, so what reads it
             always runs

So a source counts as fresher exactly when it holds a row of a load the models' windows read:
a load still landing at the last build, a late load, a deleted row (rewritten with the load's
id), a re-synced table. A model none of whose sources is fresher would read an empty window,
and a table model would be rebuilt from unchanged inputs: neither changes by running.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from importlib.metadata import version
from pathlib import Path

from luckin.core.contract import AUDIT_DATASET, AUDIT_TABLE, LOAD_ID
from luckin.core.sessions import query
from luckin.core.settings import Warehouse

SOURCES_FILE = "sources.json"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# What a source we cannot date counts as: newer than any mark.
UNDATED = datetime(9999, 1, 1, tzinfo=timezone.utc)


def _seconds(load_id: str | None) -> Decimal | None:
    """A dlt load id (decimal seconds since the epoch) as a number; None when it is not one."""
    try:
        return Decimal(load_id) if load_id else None
    except InvalidOperation:
        return None


def _time(seconds: Decimal) -> datetime:
    """Seconds since the epoch as a UTC time, rounded down to the microsecond."""
    return EPOCH + timedelta(microseconds=int((seconds * 1_000_000).to_integral_value(rounding="ROUND_FLOOR")))


def newest_loads(warehouse: Warehouse, sources: dict[str, tuple[str, str]]) -> dict[str, str | None]:
    """unique_id -> the newest load that wrote the source's table: its newest `_dlt_load_id`, or
    a newer load of the audit that replaced it whole (a table replaced by an empty one keeps no
    load id). '' for an empty table no load replaced; None when the table is missing or has no
    load-id column. One query for the tables, one for the audit."""
    located = {(schema.lower(), table.lower()): uid for uid, (schema, table) in sources.items()}
    with_load_id = {(schema.lower(), table.lower()) for schema, table in query(
        warehouse, f"select table_schema, table_name from information_schema.columns where column_name = '{LOAD_ID}'")}
    parts = [f"select '{uid}', max({LOAD_ID}) from \"{schema}\".\"{table}\""
             for (schema, table), uid in sorted(located.items()) if (schema, table) in with_load_id]
    newest: dict[str, str | None] = dict.fromkeys(sources)
    if parts:
        newest.update({uid: load or "" for uid, load in query(warehouse, "\nunion all\n".join(parts))})
    if (AUDIT_DATASET, AUDIT_TABLE) in with_load_id:
        replaced = query(warehouse, f"select lower(source_schema), lower(source_table), max(load_id) "
                                    f"from {AUDIT_DATASET}.{AUDIT_TABLE} where disposition = 'replace' group by 1, 2")
        for schema, table, load in replaced:
            uid = located.get((schema, table))
            if uid is not None and newest[uid] is not None and load:
                newest[uid] = max(newest[uid], load)
    return newest


def _artifact(times: dict[str, datetime], now: datetime) -> dict:
    """A `sources.json` (dbt's sources/v3 schema) giving each source's newest load time."""
    stamp = now.isoformat().replace("+00:00", "Z")
    no_threshold = {"count": None, "period": None}
    return {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/sources/v3.json",
                     "dbt_version": version("dbt-core"), "generated_at": stamp, "invocation_id": None, "env": {}},
        "results": [{"unique_id": uid, "max_loaded_at": when.isoformat().replace("+00:00", "Z"),
                     "snapshotted_at": stamp, "max_loaded_at_time_ago_in_s": 0.0, "status": "pass",
                     "criteria": {"warn_after": no_threshold, "error_after": no_threshold, "filter": None},
                     "adapter_response": {}, "timing": [], "thread_id": "luckin build", "execution_time": 0.0}
                    for uid, when in sorted(times.items())],
        "elapsed_time": 0.0,
    }


def write_freshness(warehouse: Warehouse, manifest_path: Path, through: str, before_dir: Path,
                    now_dir: Path) -> list[str]:
    """Write `sources.json` into `before_dir` (every source at the mark `through`) and `now_dir`
    (every source at its newest load) for the sources of the manifest; return the unique ids of
    the sources that are fresher, in order. Fresher is decided on the load ids themselves (dlt
    writes them to a tenth of a microsecond); the times written agree with it."""
    manifest = json.loads(manifest_path.read_text())
    sources = {uid: (s["schema"], s["identifier"]) for uid, s in manifest.get("sources", {}).items()}
    mark = _seconds(through) or Decimal(0)
    before = _time(mark)
    now_times, fresher = {}, []
    for uid, load in newest_loads(warehouse, sources).items():
        newest = Decimal(0) if load == "" else _seconds(load)  # '' = empty, and no load replaced it
        if newest is None:  # missing, no load-id column, or an id that is no number: counts as new
            now_times[uid] = UNDATED
        else:
            now_times[uid] = _time(newest)
            if newest <= mark:
                continue
            now_times[uid] = max(now_times[uid], before + timedelta(microseconds=1))
        fresher.append(uid)
    generated = datetime.now(timezone.utc)
    for folder, times in ((before_dir, dict.fromkeys(sources, before)), (now_dir, now_times)):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / SOURCES_FILE).write_text(json.dumps(_artifact(times, generated)))
    return sorted(fresher)



__all__ = ["newest_loads", "write_freshness"]
