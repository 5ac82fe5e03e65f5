"""dlt source for the Redis estate: each run appends one snapshot of every instance.

`redis_snapshot_source()` is the `@dlt.source`: it scans the estate once (helpers.take_snapshot)
and yields one Arrow table per snapshot table, all with the same `snapshot_id` and
`snapshot_at`, appended to the `redis_snapshots` dataset:

- `snapshots`        one row per snapshot (keys scanned, unknown keys, parse errors, seconds)
- `instance_info`    per instance: used memory, maxmemory, keys, keys with a TTL, evictions...
- `key_patterns`     per instance, pattern and type: keys, memory, TTL stats, element counts;
                     sensitive patterns counted only; unknown keys as `<unknown> <shape>`
- `iot_device_state`, `inventory_levels`, `order_queues`, `coupon_stock`: typed live state

`snapshot_to_warehouse()` runs it with the pipeline `redis_estate` (recovering a killed run
like the MySQL pipelines do: a snapshot whose load never completed is deleted, not shown).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import dlt

from luckin.core.catalog import RedisCatalog
from luckin.core.catalog import load_redis_catalog as load_catalog
from pipelines.redis_estate.connection import RedisConnection, RedisSourceError, redis_connection
from pipelines.redis_estate.helpers import Snapshot, take_snapshot
from pipelines.redis_estate.parsers import PARSERS, TABLES, dlt_hints
from pipelines.redis_estate.settings import DATASET, SOURCE_NAME

PIPELINE_NAME = SOURCE_NAME


@dataclass
class RedisRun:
    """What one snapshot did (for the summary and the load audit)."""
    status: str  # loaded | failed
    snapshot_id: str | None = None
    instances: int = 0
    keys: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    unknown_keys: int = 0
    parse_errors: int = 0
    seconds: float = 0.0
    location: str = ""
    load_id: str | None = None
    error: str | None = None


@dlt.source(name=SOURCE_NAME, max_table_nesting=0)
def redis_snapshot_source(connection: RedisConnection, snapshot_id: str, catalog: RedisCatalog | None = None,
                          snapshot_holder: list | None = None):
    """One snapshot of every catalogued instance; one append-only resource per snapshot table."""
    snap = take_snapshot(connection, catalog or load_catalog(parsers=frozenset(PARSERS)), snapshot_id)
    if snapshot_holder is not None:
        snapshot_holder.append(snap)
    for name in TABLES:
        yield dlt.resource(iter([snap.arrow(name)]), name=name, table_name=name, write_disposition="append",
                           columns=dlt_hints(name))


def snapshot_to_warehouse(connection: RedisConnection, destination, snapshot_id: str) -> RedisRun:
    """Take one snapshot and append it to `redis_snapshots`; never raises for Redis trouble."""
    from pipelines.recovery import open_recovered

    started = time.perf_counter()
    run = RedisRun("failed", snapshot_id=snapshot_id, location=connection.describe())
    secrets = (*connection.secrets, *destination.secrets)
    try:
        existing = destination.existing_tables([DATASET])
        committed = destination.committed_state_versions([DATASET], existing).get(DATASET)
        pipeline, _ = open_recovered(PIPELINE_NAME, DATASET, destination, committed, list(TABLES),
                                     DATASET in existing)
        holder: list[Snapshot] = []
        info = pipeline.run(redis_snapshot_source(connection, snapshot_id, snapshot_holder=holder),
                            loader_file_format=destination.loader_file_format)
        snap = holder[0]
        run.status = "loaded"
        run.load_id = info.loads_ids[-1] if info.loads_ids else None
        run.instances = len(snap.tables.get("instance_info", []))
        run.keys = snap.keys_scanned
        run.unknown_keys = snap.unknown_keys
        run.parse_errors = snap.parse_errors
        run.rows = {name: len(snap.tables.get(name, [])) for name in TABLES}
    except Exception as exc:  # noqa: BLE001 - reported in the summary and the audit
        root = exc
        while getattr(root, "exception", None) is not None or root.__cause__ is not None:
            root = getattr(root, "exception", None) or root.__cause__
        text = str(root).strip().splitlines()
        msg = text[0] if text else root.__class__.__name__
        if not isinstance(root, RedisSourceError):
            msg = f"redis_estate ({connection.describe()}): {root.__class__.__name__}: {msg}"
        for s in secrets:
            msg = msg.replace(s, "***")
        run.error = msg
    finally:
        connection.close()
    run.seconds = time.perf_counter() - started
    return run


__all__ = ["RedisConnection", "RedisRun", "RedisSourceError", "redis_connection", "redis_snapshot_source",
           "snapshot_to_warehouse"]
