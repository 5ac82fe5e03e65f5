"""`luckin extract`: load the whole source estate into the warehouse (the E and L of the project).

    run_extract(settings, schemas=None, full_refresh=False, verify=False, progress=True) -> ExtractSummary
    verify_extract(settings, schemas=None, console=None) -> list[str] (the differences; empty: none)

Every MySQL schema of the catalog (`pipelines/mysql_estate/catalog.yml`), and every schema the
source has beyond it that matches the catalog's `discover` patterns, lands as a warehouse schema of
the same name, one dlt pipeline per schema, several at a time; tables the catalog does not name
land with an inferred strategy (`luckin.core.catalog.infer_entry`) and are named in the summary.
Per schema: schema drift is applied (`drift.py`), the tables are planned (`mysql_estate/planning.py`),
loaded, then made to converge with the source by key (`convergence.py`: deletes marked, rows the
cursor cannot reach fetched, reloaded tables re-synced whole). A snapshot of every Redis instance
is appended to `redis_snapshots`; each run appends one row per table to `luckin_audit.load_audit`.

Errors that stop a run (source down, wrong password, warehouse unreachable) are printed as one
line naming the source and host, and the summary's `ok` is False. Nothing here prints or logs a
credential. The warehouse and the sources come only from the `Settings` passed in.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone

from rich.console import Console

from luckin.core.catalog import Catalog, load_catalog, with_discovered
from luckin.core.contract import AUDIT_DATASET, AUDIT_TABLE, DELETED_AT, REDIS_DATASET, SourceTable
from luckin.core.errors import LuckinError, SourceError, first_line, redact
from luckin.core.settings import Settings
from pipelines import drift
from pipelines.audit import audit_rows, clock_behind, write_audit
from pipelines.convergence import Spec, Verified, compare_keys, same, warehouse_fingerprints
from pipelines.destinations import Destination, DestinationError, destination_for
from pipelines.mysql_estate import (
    TablePlan,
    TableRun,
    fetch_plan,
    open_pipeline,
    plan_table,
    resource_states,
    run_schema,
)
from pipelines.mysql_estate.estate import EstateConnection, connect_estate
from pipelines.mysql_estate.helpers import Reader
from pipelines.mysql_estate.planning import RunStats, key_column
from pipelines.mysql_estate.settings import FETCH_BY_KEY_MAX_ROWS, FETCH_BY_KEY_MAX_SHARE
from pipelines.reconcile import verify_extract
from pipelines.redis_estate import RedisRun
from pipelines.runtime import prepare_extract_process
from pipelines.summary import ExtractSummary, MemorySampler, Progress, wide_console

UTC = timezone.utc
log = logging.getLogger("luckin.extract")


class ExtractError(LuckinError):
    """A run could not start: the message is one line without secrets."""


@dataclass
class _Run:
    """What every schema of one run shares."""
    settings: Settings
    catalog: Catalog
    estate: EstateConnection
    reflected: dict[str, dict[str, SourceTable]]
    dest: Destination
    existing: dict[str, set[str]]
    landed: dict[str, dict[str, dict[str, tuple]]]
    committed: dict[str, int | None]
    full_refresh: bool
    read_slots: threading.Semaphore
    stats: RunStats
    progress: Progress
    started: datetime
    pool: object = None  # extract worker processes (lazy), or None

    @property
    def secrets(self) -> tuple[str, ...]:
        return (*self.estate.secrets, *self.dest.secrets)


# --------------------------------------------------------------------------- one schema
def _landed_types(columns: dict[str, tuple] | None) -> dict[str, tuple]:
    return {name: drift.canonical_warehouse_type(*t) for name, t in (columns or {}).items()}


def _incompatible_hint(schema: str, table: str) -> str:
    return (f"the rest of {schema} loads; to take the new type, drop {schema}.{table} in the warehouse and run"
            f" `luckin extract --schema {schema} --full-refresh`")


def _extract_one_schema(run: _Run, schema: str) -> list[TableRun]:
    entry = run.catalog.schemas[schema]
    started = time.time()
    runs = {name: TableRun(schema, name, t.strategy, status="pending", started_at=started, discovered=t.discovered)
            for name, t in entry.tables.items()}
    reader = run.estate.reader(schema)
    try:
        _run_schema(run, schema, runs, reader)
    except (SourceError, DestinationError) as exc:
        for r in runs.values():
            if r.status == "pending":
                r.status, r.error = "failed", redact(exc.one_line(), *run.secrets)
    except Exception as exc:  # noqa: BLE001 - one schema failing must not hide the others
        msg = redact(f"{exc.__class__.__name__}: {first_line(exc)}", *run.secrets)
        for r in runs.values():
            if r.status in ("pending", "loaded"):
                r.status, r.error = "failed", msg
    finally:
        reader.close()
    elapsed = time.time() - started
    for r in runs.values():
        r.seconds = elapsed
        if r.status == "pending":
            r.status = "unchanged"
    run.progress.schema_done()
    return list(runs.values())


def _run_schema(run: _Run, schema: str, runs: dict[str, TableRun], reader: Reader) -> None:
    t_start = time.perf_counter()
    entry = run.catalog.schemas[schema]
    source_tables = run.reflected.get(schema, {})
    pipeline, recovery = open_pipeline(schema, run.dest, run.committed.get(schema), list(entry.tables),
                                       schema in run.existing)
    landed = run.landed
    if recovery:
        log.warning("%s: recovered from an unfinished run (%s)", schema, recovery.get("reason"))
        landed = run.dest.landed_columns([schema])
    states = resource_states(pipeline, schema)
    # Spark's files are replaced whole each run: no landed columns for drift to change
    in_warehouse = {} if run.dest.replaces_every_run else landed.get(schema, {})
    staging = {} if run.dest.replaces_every_run else landed.get(f"{schema}_staging", {})
    settings = run.settings.mysql
    plans: list[TablePlan] = []
    for name, t in entry.tables.items():
        r = runs[name]
        if name not in source_tables:
            if t.vanished:
                r.status = "vanished"
            else:
                r.status, r.error = "missing", f"catalogued table {schema}.{name} is not in the source"
            continue
        source = source_tables[name]
        d = drift.compare(source, _landed_types(in_warehouse.get(name)), run.dest.kind, t.unsigned_as_decimal,
                          _landed_types(staging.get(name)))
        if d.incompatible:
            r.status, r.error = "failed", f"{d.incompatible} ({_incompatible_hint(schema, name)})"
            continue
        try:
            run.dest.execute(d.statements)
        except Exception as exc:  # noqa: BLE001 - this table fails, the others load
            r.status = "failed"
            r.error = redact(f"{schema}.{name}: cannot apply the source's schema change in the warehouse"
                             f" ({'; '.join(d.notes) or 'add ' + DELETED_AT}): {first_line(exc)}", *run.secrets)
            continue
        r.drift = d.notes
        if d.new_columns:  # a column added to a landed table lands nullable (old rows have no value)
            source = dataclasses.replace(source, columns=tuple(
                dataclasses.replace(c, nullable=True) if c.name in d.new_columns else c for c in source.columns))
        state = states.get(name, {})
        first_load = run.full_refresh or not state.get("loaded") or name not in in_warehouse
        try:
            plan = plan_table(reader, t, source, state, first_load, settings.chunk_rows,
                              fingerprint=settings.detect_deletes and t.strategy in ("merge", "append"))
        except SourceError as exc:
            r.status, r.error = "failed", redact(exc.one_line(), *run.secrets)
            continue
        r.rows_in_source = plan.rows_in_source
        r.disposition = plan.disposition if plan.changed else None
        r.cursor_value = plan.new_state.get("cursor")
        r.resync_reason = plan.resync_reason
        plans.append(plan)
    t_plan = time.perf_counter()
    verified = Verified(Path(pipeline.working_dir) / "luckin_fingerprints.json")
    verified.forget(p.name for p in plans if p.changed or not p.check)
    verified.save()
    load_id = _load(run, pipeline, schema, plans, reader, runs)
    t_load = time.perf_counter()
    if not settings.detect_deletes or run.dest.replaces_every_run:
        log.debug("%s: planned in %.2fs, loaded in %.2fs, compared in 0s", schema, t_plan - t_start, t_load - t_plan)
        return
    checked = [p for p in plans if p.check and p.fingerprint is not None
               and runs[p.name].status in ("loaded", "pending")]
    second, gone = _converge(run, schema, checked, reader, runs, verified)
    log.debug("%s: planned in %.2fs, loaded in %.2fs, compared in %.2fs", schema, t_plan - t_start,
              t_load - t_plan, time.perf_counter() - t_load)
    second_id = _load(run, pipeline, schema, second, reader, runs) if second else None
    resynced = {p.name for p in second if p.resync_reason}
    for name, keys in gone.items():
        if name in resynced or runs[name].status == "failed":
            continue
        lid = load_id or second_id or run.dest.register_load(schema)
        load_id = lid
        t = entry.tables[name]
        r = runs[name]
        r.rows_deleted = run.dest.mark_deleted(schema, name, tuple(t.primary_key), keys, run.started, lid, DELETED_AT)
        if r.rows_deleted:
            if r.status != "loaded":
                r.status, r.disposition, r.load_id = "loaded", r.disposition or "merge", lid


def _load(run: _Run, pipeline, schema: str, plans: list[TablePlan], reader: Reader,
          runs: dict[str, TableRun]) -> str | None:
    """One dlt load of the changed plans; marks their runs. Returns the load id."""
    changed = [p for p in plans if p.changed]
    if not changed:
        return None
    run.progress.add_expected(sum(p.rows_expected for p in changed))
    before = {p.name: run.stats.rows.get((schema, p.name), 0) for p in changed}
    try:
        if run.pool is not None:
            from pipelines.mysql_estate.worker import extract_in_worker

            load_id = extract_in_worker(run.pool, schema, changed, run.estate, run.dest, run.stats,
                                        run.settings.mysql.read_workers)
        else:
            load_id = run_schema(pipeline, schema, changed, reader, run.read_slots, run.stats,
                                 run.dest.loader_file_format, run.secrets)
    except SourceError as exc:
        for p in changed:
            runs[p.name].status, runs[p.name].error = "failed", redact(exc.one_line(), *run.secrets)
        return None
    for p in changed:
        r = runs[p.name]
        r.status, r.load_id = "loaded", load_id
        r.disposition = "replace" if p.disposition == "replace" else (r.disposition or p.disposition)
        r.rows_extracted = run.stats.rows.get((schema, p.name), 0)  # both loads of the run, if two
        # Each plan counted its rows with the predicate its reads use (planning.plan_table): fewer
        # read were deleted meanwhile, or lost by the reader; the summary says so either way.
        r.rows_short += max(0, p.rows_expected - (r.rows_extracted - before[p.name]))
        zd = run.stats.zero_dates.get((schema, p.name), {})
        r.zero_dates_by_column = dict(zd)
        r.zero_dates_nulled = sum(zd.values())
        if p.resync_reason:
            r.resync_reason, r.rows_in_source = p.resync_reason, p.rows_in_source
    return load_id


def _spec(plan: TablePlan, reader: Reader) -> Spec:
    t, source = plan.entry, plan.source
    cursor = source.column(t.cursor) if t.cursor else None
    if cursor is not None and reader.micros_sql(cursor) is None:
        cursor = None
    kc = key_column(source)
    merge = t.strategy == "merge"
    return Spec(plan.name, tuple(t.primary_key), kc if kc in t.primary_key else None, cursor,
                upto=None if merge else plan.new_state.get("cursor"),
                fresh_after=plan.new_state.get("max_cursor") if merge else None)


def _converge(run: _Run, schema: str, plans: list[TablePlan], reader: Reader,
              runs: dict[str, TableRun], verified: Verified) -> tuple[list[TablePlan], dict]:
    """Compare each table with its source by key (see pipelines/convergence.py). Returns the plans
    of a second load (rows fetched by key, tables re-synced whole) and the keys to mark deleted."""
    # A table this run did not load, whose source fingerprint is the one the warehouse was last
    # found to agree with, needs no warehouse query (`Verified`): a run with no source change
    # stays cheap.
    plans = [p for p in plans if p.changed or not verified.agrees(p.name, p.fingerprint)]
    specs = {p.name: _spec(p, reader) for p in plans}
    prints = warehouse_fingerprints(run.dest, schema, list(specs.values()))
    second: list[TablePlan] = []
    gone: dict = {}
    for p in plans:
        if same(p.fingerprint, prints.get(p.name)):
            verified.record(p.name, p.fingerprint)
            continue
        verified.forget([p.name])
        log.debug("%s.%s: fingerprints differ (source %s, warehouse %s): comparing keys", schema, p.name,
                 p.fingerprint, prints.get(p.name))
        spec = specs[p.name]
        diff = compare_keys(reader, run.dest, schema, p.source, spec,
                            max(p.rows_in_source, (prints.get(p.name) or (0,))[0]))
        if diff.gone.num_rows:
            gone[p.name] = diff.gone
        behind = diff.behind.num_rows
        if not behind:
            continue
        small = behind <= FETCH_BY_KEY_MAX_ROWS and behind <= max(10, FETCH_BY_KEY_MAX_SHARE * p.rows_in_source)
        if small and len(spec.key) == 1:
            second.append(fetch_plan(p.entry, p.source, diff.behind.column(0).to_pylist(), p.new_state))
            runs[p.name].rows_fetched_by_key = behind
        else:
            reason = (f"{behind:,} of {p.rows_in_source:,} source rows are missing from the warehouse or differ"
                      f" there, behind the cursor (the table was reloaded or re-created?)")
            second.append(plan_table(reader, p.entry, p.source, {}, True, run.settings.mysql.chunk_rows,
                                     resync_reason=reason))
    verified.save()  # before the warehouse changes again
    return second, gone


# --------------------------------------------------------------------------- the run
def _new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _select(catalog: Catalog, schemas: list[str] | None, present: set[str] | None) -> tuple[list[str], bool, list[str]]:
    """MySQL schemas to run, whether the Redis snapshot runs, and which schemas are discovered
    (in the source, matching `discover`, not in the catalog)."""
    discovered = sorted(s for s in (present or ()) if s not in catalog.schemas and catalog.is_estate_schema(s))
    if not schemas:
        return [*catalog.schemas, *discovered], True, discovered
    unknown = [s for s in schemas if s not in catalog.schemas and s not in discovered and s != REDIS_DATASET]
    if unknown:
        raise ExtractError(f"unknown schema(s) {', '.join(unknown)}: not in {catalog.path or 'the catalog'}"
                           f" nor in the source (known: {len(catalog.schemas)} schemas, plus {REDIS_DATASET})")
    return [s for s in schemas if s != REDIS_DATASET], REDIS_DATASET in schemas, [s for s in schemas if s in discovered]


def run_extract(settings: Settings, schemas: list[str] | None = None, full_refresh: bool = False,
                verify: bool = False, progress: bool = True) -> ExtractSummary:
    """Extract the estate into the settings' warehouse; see the module docstring.

    Returns an ExtractSummary; `summary.ok` is False when anything failed (the CLI exits 1).
    Never raises for source or warehouse trouble: the one-line reason is printed (stderr) and in
    `summary.error`.
    """
    started = time.time()
    summary = ExtractSummary(run_id=_new_run_id(), destination=settings.warehouse.kind)
    console = Console(stderr=True)
    prepare_extract_process(settings.warehouse.kind)
    secrets: tuple[str, ...] = settings.secrets
    dest = destination_for(settings.warehouse, settings.pipelines_dir)
    summary.destination_location = dest.location
    estate = redis_source = None
    try:
        catalog = load_catalog()
        mysql_wanted = not schemas or any(s != REDIS_DATASET for s in schemas)
        present: set[str] = set()
        if mysql_wanted:
            estate = connect_estate(settings.mysql)
            estate.check()
            summary.source = estate.describe()
            present = estate.schemas_present()
        selected, with_redis, discovered = _select(catalog, schemas, present)
        summary.discovered_schemas = discovered
        dest.ensure_exists()
        if with_redis:
            from pipelines.redis_estate import redis_connection

            redis_source = redis_connection(settings.redis)
            redis_source.check()
            summary.source = ", ".join(x for x in (summary.source, redis_source.describe()) if x)
        missing_schemas = [s for s in selected if s not in present]
        reflected = estate.reflect([s for s in selected if s in present]) if estate is not None else {}
        catalog = with_discovered(catalog, reflected, [s for s in selected if s in present])
    except LuckinError as exc:
        summary.error = redact(exc.one_line(), *secrets)
        summary.duration_seconds = time.time() - started
        console.print(f"[red]error:[/] {summary.error}", soft_wrap=True, highlight=False)
        dest.close()
        return summary

    mysql = settings.mysql
    bar = Progress(progress, len(selected), redis_source is not None)
    sampler = MemorySampler(children=bool(mysql.extract_processes and selected)).__enter__()
    pool_holder: dict = {}
    try:
        existing = dest.existing_tables()
        if warning := clock_behind(dest, existing, time.time()):
            console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True, highlight=False)
        landed = dest.landed_columns(selected) if selected else {}
        run = _Run(settings, catalog, estate, reflected, dest, existing, landed,
                   dest.committed_state_versions(selected, existing), full_refresh or dest.replaces_every_run,
                   threading.Semaphore(mysql.read_workers), RunStats(on_rows=bar.rows_done), bar, datetime.now(UTC))
        if mysql.extract_processes and selected:
            from pipelines.mysql_estate.worker import worker_pool

            pool_holder["pool"], pool_holder["close"] = worker_pool(mysql.extract_processes, bar.rows_done)
            run.pool = pool_holder["pool"]
        for s in missing_schemas:
            entry = catalog.schemas[s]
            for t, e in entry.tables.items():
                status = "vanished" if (entry.vanished or e.vanished) else "missing"
                summary.tables.append(TableRun(s, t, e.strategy, status=status,
                                               error=None if status == "vanished" else
                                               f"schema {s} is not in the source ({estate.describe()})"))
            bar.schema_done()
        todo = [s for s in selected if s not in missing_schemas]
        # biggest first, so that the long tables do not start last
        todo.sort(key=lambda s: -sum(t.rows_estimate for t in reflected.get(s, {}).values()))
        redis_thread = _start_redis(summary, redis_source, dest, bar, secrets) if redis_source else None
        with ThreadPoolExecutor(max_workers=max(1, mysql.pipeline_workers),
                                thread_name_prefix="luckin-extract") as pool:
            futures = [pool.submit(_extract_one_schema, run, s) for s in todo]
            for fut in as_completed(futures):
                summary.tables.extend(fut.result())
        if redis_thread is not None:
            redis_thread.join()
        _count_live_rows(summary, dest)
        dest.refresh_statistics([(t.schema, t.table) for t in summary.tables if t.status == "loaded"])
        order = {s: i for i, s in enumerate(catalog.schemas)}
        summary.tables.sort(key=lambda t: (order.get(t.schema, 1e9), t.table))
        summary.duration_seconds = time.time() - started
        try:
            write_audit(dest, audit_rows(summary, estate.describe() if estate else ""))
        except Exception as exc:  # noqa: BLE001
            summary.error = redact(f"writing {AUDIT_DATASET}.{AUDIT_TABLE} failed: {first_line(exc)}", *secrets)
        if dest.replaces_every_run and summary.error is None:
            _register_with_spark(settings, summary)
    except LuckinError as exc:
        summary.error = redact(exc.one_line(), *secrets)
    finally:
        if "close" in pool_holder:
            pool_holder["close"]()
        sampler.__exit__()
        summary.peak_rss_mb = sampler.peak_mb
        bar.stop()
        dest.close()
    if verify and summary.error is None:
        summary.verify_problems = verify_extract(settings, schemas=selected or None,
                                                 console=wide_console() if progress else None)
    summary.duration_seconds = summary.duration_seconds or (time.time() - started)
    if progress or summary.error:
        summary.print(wide_console(stderr=True))
    return summary


def _start_redis(summary: ExtractSummary, redis_source, dest: Destination, bar: Progress,
                 secrets: tuple[str, ...]) -> threading.Thread:
    from pipelines.redis_estate import snapshot_to_warehouse

    def _redis() -> None:
        try:
            summary.redis = snapshot_to_warehouse(redis_source, dest, summary.run_id)
        except Exception as exc:  # noqa: BLE001
            summary.redis = RedisRun("failed", error=redact(first_line(exc), *secrets))
        bar.redis_done()

    thread = threading.Thread(target=_redis, name="luckin-redis", daemon=True)
    thread.start()
    return thread


def _register_with_spark(settings: Settings, summary: ExtractSummary) -> None:
    """Spark's metastore learns the landed tables (locally; a cluster's own metastore is
    registered by the cluster's job, README: The Spark target)."""
    from pipelines.spark_landing import register_with_spark

    if settings.warehouse.method != "session":
        log.warning("spark: method %s - register the landed tables on the cluster", settings.warehouse.method)
        return
    try:
        register_with_spark(settings.warehouse)
    except LuckinError as exc:
        summary.error = exc.one_line()


def _count_live_rows(summary: ExtractSummary, dest: Destination) -> None:
    """Live rows (not marked deleted) in the warehouse after the load, for every table of the run."""
    landed = dest.landed_columns(sorted({t.schema for t in summary.tables}))
    countable = [(t.schema, t.table) for t in summary.tables
                 if t.status in ("loaded", "unchanged") and t.table in landed.get(t.schema, {})]
    live = {k for k in countable if DELETED_AT in landed[k[0]][k[1]]}
    counts = dest.count_rows(countable, live=live)
    for t in summary.tables:
        t.rows_in_warehouse = counts.get((t.schema, t.table), t.rows_in_warehouse)


__all__ = ["ExtractError", "ExtractSummary", "run_extract", "verify_extract"]
