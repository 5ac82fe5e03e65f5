"""`luckin extract`: load the whole source estate into the warehouse (the E and L of the project).

    run_extract(destination="duckdb", schemas=None, full_refresh=False, verify=False, progress=True)
    verify_extract(destination="duckdb") -> bool

Every MySQL schema of the catalog (`pipelines/mysql_estate/catalog.yml`) lands as a warehouse
schema of the same name, one dlt pipeline per schema, several at a time; a snapshot of every
Redis instance is appended to `redis_snapshots`; each run appends one row per table to
`luckin_audit.load_audit`. Errors that stop a run (source down, wrong password, warehouse
unreachable) are printed as one line naming the source and host, and the summary's `ok` is
False. Nothing here prints or logs a credential.

    python -m luckin.extract [--destination duckdb|postgres] [--schema NAME ...] [--full-refresh] [--verify]
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from rich.console import Console
from rich.table import Table

from luckin.core.contract import AUDIT_COLUMNS, AUDIT_DATASET, AUDIT_TABLE, REDIS_DATASET
from pipelines.destinations import Destination, DestinationError, resolve_destination
from pipelines.runtime import preload_modules, quiet_dlt
from pipelines.mysql_estate import (
    PIPELINE_PREFIX,
    RunStats,
    _root_message,
    TablePlan,
    TableRun,
    open_pipeline,
    plan_table,
    resource_states,
    run_schema,
)
from luckin.core.catalog import Catalog, load_catalog
from pipelines.mysql_estate.helpers import (
    EstateConnection,
    SourceError,
    _config_get,
    estate_from_config,
    redact,
)
from pipelines.mysql_estate.settings import CHUNK_ROWS, EXTRACT_PROCESSES, PIPELINE_WORKERS, READ_WORKERS
from pipelines.redis_estate import RedisRun
from pipelines.redis_estate.helpers import RedisSourceError

UTC = timezone.utc


_RUN_STARTED = [time.time()]


class ExtractError(RuntimeError):
    """A run could not start or finish; the message is one line without secrets."""


@dataclass
class ExtractSummary:
    run_id: str
    destination: str
    destination_location: str = ""
    source: str = ""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration_seconds: float = 0.0
    tables: list[TableRun] = field(default_factory=list)
    redis: RedisRun | None = None
    uncatalogued: list[str] = field(default_factory=list)
    error: str | None = None
    verified: bool | None = None
    peak_rss_mb: float | None = None

    @property
    def failures(self) -> list[TableRun]:
        return [t for t in self.tables if t.status in ("failed", "missing")]

    @property
    def ok(self) -> bool:
        redis_ok = self.redis is None or self.redis.status != "failed"
        return self.error is None and not self.failures and redis_ok and self.verified is not False

    @property
    def rows_extracted(self) -> int:
        return sum(t.rows_extracted for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.rows_extracted / self.duration_seconds if self.duration_seconds else 0.0

    def render(self) -> Table:
        """The end-of-run table: one line per schema, totals, Redis."""
        table = Table(title=f"luckin extract -> {self.destination} ({self.destination_location})",
                      caption=f"run {self.run_id} from {self.source}")
        for col, justify in (("schema", "left"), ("tables", "right"), ("loaded", "right"),
                             ("unchanged", "right"), ("rows extracted", "right"),
                             ("rows in warehouse", "right"), ("zero dates", "right"), ("seconds", "right")):
            table.add_column(col, justify=justify)
        by_schema: dict[str, list[TableRun]] = {}
        for t in self.tables:
            if t.status != "uncatalogued":
                by_schema.setdefault(t.schema, []).append(t)
        for schema, runs in by_schema.items():
            failed = [t for t in runs if t.status in ("failed", "missing")]
            name = f"[red]{schema}[/]" if failed else schema
            table.add_row(
                name, str(len(runs)), str(sum(t.status == "loaded" for t in runs)),
                str(sum(t.status == "unchanged" for t in runs)),
                f"{sum(t.rows_extracted for t in runs):,}",
                f"{sum(t.rows_in_warehouse or 0 for t in runs):,}",
                f"{sum(t.zero_dates_nulled for t in runs):,}",
                f"{max((t.seconds for t in runs), default=0):.1f}",
            )
        table.add_section()
        runs = [t for t in self.tables if t.status != "uncatalogued"]
        table.add_row(
            f"[bold]{len(by_schema)} schemas[/]", str(len(runs)), str(sum(t.status == "loaded" for t in runs)),
            str(sum(t.status == "unchanged" for t in runs)), f"[bold]{self.rows_extracted:,}[/]",
            f"{sum(t.rows_in_warehouse or 0 for t in runs):,}", f"{sum(t.zero_dates_nulled for t in runs):,}",
            f"[bold]{self.duration_seconds:.1f}[/]",
        )
        if self.redis is not None:
            r = self.redis
            label = "redis_snapshots" if r.status != "failed" else "[red]redis_snapshots[/]"
            table.add_row(label, str(len(r.rows)), "1" if r.status == "loaded" else "0", "",
                          f"{sum(r.rows.values()):,}", f"{r.instances} instances, {r.keys:,} keys",
                          f"{r.unknown_keys:,} unknown keys" if r.unknown_keys else "", f"{r.seconds:.1f}")
        return table

    def print(self, console: Console | None = None) -> None:
        console = console or _console()
        if self.error and not self.tables:
            console.print(f"[red]error:[/] {self.error}", soft_wrap=True, highlight=False)
            return
        console.print(self.render())
        rate = f"{self.rows_per_second:,.0f} rows/s" if self.rows_extracted else "no new rows"
        mem = f", peak memory {self.peak_rss_mb:,.0f} MB" if self.peak_rss_mb else ""
        console.print(f"{self.rows_extracted:,} rows in {self.duration_seconds:.1f} s ({rate}{mem})")
        for t in self.failures:
            console.print(f"[red]{t.status}:[/] {t.schema}.{t.table}: {t.error}", soft_wrap=True)
        if self.redis is not None and self.redis.error:
            console.print(f"[red]redis failed:[/] {self.redis.error}", soft_wrap=True)
        if self.uncatalogued:
            console.print(f"[yellow]not in the catalog (not extracted):[/] {', '.join(self.uncatalogued)}",
                          soft_wrap=True)
        if self.redis is not None and self.redis.unknown_keys:
            console.print(f"[yellow]redis keys matching no catalogued pattern:[/] {self.redis.unknown_keys:,}"
                          " (see redis_snapshots.key_patterns, pattern '<unknown>')")
        if self.error:
            console.print(f"[red]error:[/] {self.error}", soft_wrap=True, highlight=False)
        if self.verified is True:
            console.print("[green]verify: source and warehouse reconcile exactly[/]")
        elif self.verified is False:
            console.print("[red]verify: source and warehouse differ (see above)[/]")


# --------------------------------------------------------------------------- helpers
def _console(stderr: bool = False) -> Console:
    """A console at least 120 columns wide (the summary table is unreadable at 80)."""
    console = Console(stderr=stderr)
    return console if console.width >= 120 else Console(stderr=stderr, width=120)


def _new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _setting(key: str, default: int) -> int:
    value = _config_get(f"sources.mysql_estate.{key}")
    return int(value) if value not in (None, "") else default


class _LazyPool:
    """Hands out the process pool on first use (a run with nothing to extract starts none)."""

    def __init__(self, factory):
        self._factory = factory

    def submit(self, *args, **kwargs):
        return self._factory().submit(*args, **kwargs)


class _Progress:
    """Rows and schemas done, on stderr while the run goes (no-op when disabled)."""

    def __init__(self, enabled: bool, schemas: int, with_redis: bool):
        self.enabled = enabled
        self._lock = threading.Lock()
        if not enabled:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("[bold]{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.bar.start()
        self.schemas = self.bar.add_task("MySQL schemas", total=schemas)
        self.rows = self.bar.add_task("rows", total=0)
        self.redis = self.bar.add_task("Redis snapshot", total=1) if with_redis else None

    def add_expected(self, rows: int) -> None:
        if self.enabled:
            with self._lock:
                task = self.bar.tasks[self.rows]
                self.bar.update(self.rows, total=(task.total or 0) + rows)

    def rows_done(self, _schema: str, rows: int) -> None:
        if self.enabled:
            self.bar.advance(self.rows, rows)

    def schema_done(self) -> None:
        if self.enabled:
            self.bar.advance(self.schemas, 1)

    def redis_done(self) -> None:
        if self.enabled and self.redis is not None:
            self.bar.advance(self.redis, 1)

    def stop(self) -> None:
        if self.enabled:
            self.bar.stop()


# --------------------------------------------------------------------------- one schema
def _extract_one_schema(schema: str, catalog: Catalog, estate: EstateConnection, reflected: dict,
                        destination: Destination, existing: dict[str, set[str]], committed: int | None,
                        full_refresh: bool, chunk_rows: int, read_slots: threading.Semaphore,
                        stats: RunStats, progress: _Progress, workers_pool=None) -> list[TableRun]:
    entry = catalog.schemas[schema]
    started = time.time()
    runs: dict[str, TableRun] = {}
    for name, t in entry.tables.items():
        runs[name] = TableRun(schema, name, t.strategy, status="pending", started_at=started)
    secrets = (*estate.secrets, *destination.secrets)
    reader = estate.reader(schema)
    try:
        source_tables = reflected.get(schema, {})
        log = logging.getLogger("luckin.extract")
        t0 = time.perf_counter()
        pipeline, recovery = open_pipeline(schema, destination, committed, list(entry.tables),
                                           schema in existing)
        t_open = time.perf_counter() - t0
        if recovery:
            logging.getLogger("luckin.extract").warning("%s: recovered from an unfinished run (%s)",
                                                        schema, recovery.get("reason"))
        states = resource_states(pipeline, schema)
        in_warehouse = existing.get(schema, set()) if not recovery else destination.existing_tables([schema]).get(schema, set())
        plans: list[TablePlan] = []
        for name, t in entry.tables.items():
            run = runs[name]
            if name not in source_tables:
                run.status, run.error = "missing", f"catalogued table {schema}.{name} is not in the source"
                continue
            first_load = full_refresh or not states.get(name, {}).get("loaded") or name not in in_warehouse
            try:
                plan = plan_table(reader, t, source_tables[name], states.get(name, {}), first_load, chunk_rows)
            except SourceError as exc:
                run.status, run.error = "failed", redact(str(exc), *secrets)
                continue
            run.rows_in_source = plan.rows_in_source
            run.disposition = plan.disposition if plan.changed else None
            run.cursor_value = plan.new_state.get("cursor")
            plans.append(plan)
        progress.add_expected(sum(p.rows_expected for p in plans if p.changed))
        t_plan = time.perf_counter() - t0 - t_open
        load_id = None
        if any(p.changed for p in plans):
            try:
                if workers_pool is not None:
                    load_id = _extract_in_worker(workers_pool, schema, plans, estate, destination, stats)
                else:
                    load_id = run_schema(pipeline, schema, plans, reader, read_slots, stats,
                                         destination.loader_file_format, secrets)
            except SourceError as exc:
                for p in plans:
                    if p.changed:
                        runs[p.name].status, runs[p.name].error = "failed", redact(str(exc), *secrets)
        for p in plans:
            run = runs[p.name]
            if run.status == "failed":
                continue
            if p.changed:
                run.status, run.load_id = "loaded", load_id
                run.rows_extracted = stats.rows.get((schema, p.name), 0)
                zd = stats.zero_dates.get((schema, p.name), {})
                run.zero_dates_by_column = dict(zd)
                run.zero_dates_nulled = sum(zd.values())
            else:
                run.status = "unchanged"
        log.debug("%s: start %.1fs, open %.2fs, plan %.2fs, extract+load %.2fs", schema,
                  started - _RUN_STARTED[0], t_open, t_plan, time.perf_counter() - t0 - t_open - t_plan)
    except (SourceError, DestinationError) as exc:
        for run in runs.values():
            if run.status == "pending":
                run.status, run.error = "failed", redact(str(exc), *secrets)
    except Exception as exc:  # noqa: BLE001 - one schema failing must not hide the others
        msg = redact(f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
                     *secrets)
        for run in runs.values():
            if run.status in ("pending", "loaded"):
                run.status, run.error = "failed", msg
    finally:
        reader.close()
    elapsed = time.time() - started
    for run in runs.values():
        run.seconds = elapsed
        if run.status == "pending":
            run.status = "unchanged"
    progress.schema_done()
    return list(runs.values())


def _extract_in_worker(pool, schema: str, plans: list[TablePlan], estate: EstateConnection,
                       destination: Destination, stats: RunStats) -> str | None:
    """Extract + normalize in a worker process (pipelines.mysql_estate.worker), load here."""
    from pipelines.mysql_estate.worker import WorkerJob, extract_normalize
    from pipelines.recovery import make_pipeline

    job = WorkerJob(schema, [p for p in plans if p.changed], estate, destination.kind, destination.target,
                    str(destination.pipelines_dir), destination.loader_file_format,
                    _setting("read_workers", READ_WORKERS))
    result = pool.submit(extract_normalize, job).result()
    if result.get("error"):
        raise SourceError(result["error"])
    for table, n in result["rows"].items():
        stats.record(schema, table, 0, result["zero_dates"].get(table, {}))
        with stats._lock:
            stats.rows[(schema, table)] = n
    pipeline = make_pipeline(PIPELINE_PREFIX + schema, schema, destination)  # attach: reads the worker's files
    try:
        info = pipeline.load()
    except Exception as exc:  # noqa: BLE001
        raise SourceError(redact(_root_message(exc), *estate.secrets, *destination.secrets)) from None
    return info.loads_ids[-1] if info and info.loads_ids else None


class _MemorySampler:
    """Peak resident memory of this process and its worker processes together (psutil)."""

    def __init__(self, interval: float = 0.25):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True, name="luckin-rss")

    def _run(self, interval: float) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            try:
                total = me.memory_info().rss + sum(
                    c.memory_info().rss for c in me.children(recursive=True) if c.is_running())
            except psutil.Error:
                total = 0
            self.peak = max(self.peak, total)
            self._stop.wait(interval)

    def __enter__(self) -> "_MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


def _worker_pool(processes: int, progress: "_Progress"):
    """A pool of extract processes (forkserver: clean children, modules imported once), and the
    thread that forwards their row counts to the progress bar."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["pipelines.mysql_estate.worker", "pipelines.runtime"])
    queue = ctx.Queue()
    from pipelines.mysql_estate.worker import init_worker

    pool = ProcessPoolExecutor(max_workers=processes, mp_context=ctx, initializer=init_worker,
                               initargs=(queue,))

    def forward() -> None:
        while True:
            item = queue.get()
            if item is None:
                return
            progress.rows_done(*item)

    thread = threading.Thread(target=forward, daemon=True, name="luckin-progress")
    thread.start()

    def close() -> None:
        pool.shutdown(wait=True, cancel_futures=True)
        queue.put(None)
        thread.join(timeout=2)
        queue.close()

    return pool, close


# --------------------------------------------------------------------------- audit
def _audit_rows(summary: ExtractSummary, source_location: str) -> list[dict]:
    import json

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
                "load_id": None, "cursor_value": r.snapshot_id, "zero_dates_by_column": None,
                "source_location": r.location, "destination": summary.destination, "error": r.error,
            })
    return rows




def _write_audit(destination: Destination, rows: list[dict]) -> None:
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


# --------------------------------------------------------------------------- the run
def _select_schemas(catalog: Catalog, schemas: list[str] | None) -> tuple[list[str], bool]:
    """Catalogued MySQL schemas to run, and whether the Redis snapshot runs too."""
    if not schemas:
        return list(catalog.schemas), True
    unknown = [s for s in schemas if s not in catalog.schemas and s != REDIS_DATASET]
    if unknown:
        raise ExtractError(f"unknown schema(s) {', '.join(unknown)}: not in {catalog.path or 'the catalog'}"
                           f" (known: {len(catalog.schemas)} schemas, plus {REDIS_DATASET})")
    return [s for s in schemas if s != REDIS_DATASET], REDIS_DATASET in schemas


def run_extract(destination: str = "duckdb", schemas: list[str] | None = None, full_refresh: bool = False,
                verify: bool = False, progress: bool = True) -> ExtractSummary:
    """Extract the estate into the warehouse; see the module docstring.

    Returns an ExtractSummary; `summary.ok` is False when anything failed (the CLI exits 1).
    Never raises for source or warehouse trouble: the one-line reason is printed and in
    `summary.error`.
    """
    started = time.time()
    _RUN_STARTED[0] = started
    summary = ExtractSummary(run_id=_new_run_id(), destination=destination)
    console = Console(stderr=True)
    quiet_dlt()
    preload_modules()
    secrets: tuple[str, ...] = ()
    try:
        catalog = load_catalog()
        selected, with_redis = _select_schemas(catalog, schemas)
        dest = resolve_destination(destination)
        summary.destination_location = dest.location
        secrets = dest.secrets
        dest.ensure_exists()
        estate = estate_from_config() if selected else None
        redis_source = None
        if with_redis:
            from pipelines.redis_estate import redis_from_config

            redis_source = redis_from_config()
            secrets = (*secrets, *redis_source.secrets)
        if estate is not None:
            secrets = (*secrets, *estate.secrets)
            estate.check()
            summary.source = estate.describe()
            present = estate.schemas_present()
            missing_schemas = [s for s in selected if s not in present]
            reflected = estate.reflect([s for s in selected if s in present])
            for s in sorted(present - set(catalog.schemas)):
                if catalog.is_estate_schema(s) and not schemas:
                    summary.uncatalogued.append(f"{s}.*")
            for s in selected:
                for t in sorted(set(reflected.get(s, {})) - set(catalog.schemas[s].tables)):
                    summary.uncatalogued.append(f"{s}.{t}")
                    summary.tables.append(TableRun(s, t, "-", status="uncatalogued",
                                                   rows_in_source=None, error="not in the catalog"))
        else:
            missing_schemas, reflected = [], {}
        if redis_source is not None:
            redis_source.check()
            summary.source = ", ".join(x for x in (summary.source, redis_source.describe()) if x)
    except (ExtractError, SourceError, RedisSourceError, DestinationError) as exc:
        summary.error = redact(str(exc), *secrets)
        summary.duration_seconds = time.time() - started
        console.print(f"[red]error:[/] {summary.error}", soft_wrap=True, highlight=False)
        return summary

    chunk_rows = _setting("chunk_rows", CHUNK_ROWS)
    read_slots = threading.Semaphore(_setting("read_workers", READ_WORKERS))
    processes = _setting("extract_processes", EXTRACT_PROCESSES)
    workers = _setting("pipeline_workers", processes + 1 if processes else PIPELINE_WORKERS)
    bar = _Progress(progress, len(selected), redis_source is not None)
    stats = RunStats(on_rows=bar.rows_done)
    sampler = _MemorySampler().__enter__()
    pool_holder: dict = {}
    pool_lock = threading.Lock()

    def worker_pool():
        """The extract process pool, created when a first schema has something to extract."""
        if not processes:
            return None
        with pool_lock:
            if "pool" not in pool_holder:
                pool_holder["pool"], pool_holder["close"] = _worker_pool(processes, bar)
            return pool_holder["pool"]

    try:
        existing = dest.existing_tables()
        committed = dest.committed_state_versions(selected, existing)
        for s in missing_schemas:
            for t, entry in catalog.schemas[s].tables.items():
                summary.tables.append(TableRun(s, t, entry.strategy, status="missing",
                                               error=f"schema {s} is not in the source ({estate.describe()})"))
        todo = [s for s in selected if s not in missing_schemas]
        # biggest first, so that the long tables do not start last
        todo.sort(key=lambda s: -sum(_estimate(reflected.get(s, {})).values()))
        redis_thread = None
        if redis_source is not None:
            from pipelines.redis_estate import snapshot_to_warehouse

            def _redis() -> None:
                try:
                    summary.redis = snapshot_to_warehouse(redis_source, dest, summary.run_id)
                except Exception as exc:  # noqa: BLE001
                    summary.redis = RedisRun("failed", error=redact(str(exc).splitlines()[0], *secrets))
                bar.redis_done()

            redis_thread = threading.Thread(target=_redis, name="luckin-redis", daemon=True)
            redis_thread.start()
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="luckin-extract") as pool:
            futures = [pool.submit(_extract_one_schema, s, catalog, estate, reflected, dest, existing,
                                   committed.get(s), full_refresh, chunk_rows, read_slots, stats, bar,
                                   _LazyPool(worker_pool) if processes else None)
                       for s in todo]
            for fut in as_completed(futures):
                summary.tables.extend(fut.result())
        if redis_thread is not None:
            redis_thread.join()
        # rows in the warehouse after the load, for every table of the run
        existing = dest.existing_tables()
        countable = [(t.schema, t.table) for t in summary.tables
                     if t.status in ("loaded", "unchanged") and t.table in existing.get(t.schema, set())]
        counts = dest.count_rows(countable)
        for t in summary.tables:
            t.rows_in_warehouse = counts.get((t.schema, t.table), t.rows_in_warehouse)
        order = {s: i for i, s in enumerate(catalog.schemas)}
        summary.tables.sort(key=lambda t: (order.get(t.schema, 1e9), t.table))
        summary.duration_seconds = time.time() - started
        try:
            _write_audit(dest, _audit_rows(summary, estate.describe() if estate else ""))
        except Exception as exc:  # noqa: BLE001
            summary.error = redact(f"writing {AUDIT_DATASET}.{AUDIT_TABLE} failed: {str(exc).splitlines()[0]}",
                                   *secrets)
    except (SourceError, DestinationError) as exc:
        summary.error = redact(str(exc), *secrets)
    finally:
        if "close" in pool_holder:
            pool_holder["close"]()
        sampler.__exit__()
        summary.peak_rss_mb = sampler.peak_mb
        bar.stop()
        dest.close()
    if verify and summary.error is None:
        summary.verified = verify_extract(destination, schemas=selected or None,
                                          console=_console() if progress else None)
    summary.duration_seconds = summary.duration_seconds or (time.time() - started)
    if progress or summary.error:
        summary.print(_console(stderr=bool(summary.error)))
    return summary


def _estimate(tables: dict) -> dict[str, int]:
    return {name: t.rows_estimate for name, t in tables.items()}


# --------------------------------------------------------------------------- reconciliation
@dataclass
class Reconciliation:
    schema: str
    table: str
    rows_in_source: int | None
    rows_in_warehouse: int | None
    duplicate_keys: int = 0
    problem: str | None = None


def reconcile(destination: str = "duckdb", schemas: list[str] | None = None) -> list[Reconciliation]:
    """Source COUNT(*) vs warehouse COUNT(*), and duplicated primary keys, for every catalogued table."""
    catalog = load_catalog()
    selected = [s for s in (schemas or catalog.schemas) if s != REDIS_DATASET]
    estate = estate_from_config()
    estate.check()
    dest = resolve_destination(destination)
    out: list[Reconciliation] = []
    try:
        present = estate.schemas_present()
        reflected = estate.reflect([s for s in selected if s in present])
        existing = dest.existing_tables()
        for s in selected:
            reader = estate.reader(s) if s in present else None
            try:
                for name, entry in catalog.schemas[s].tables.items():
                    rec = Reconciliation(s, name, None, None)
                    out.append(rec)
                    if reader is None or name not in reflected.get(s, {}):
                        rec.problem = "not in the source"
                        continue
                    rec.rows_in_source = int(reader.scalar_row(f"SELECT COUNT(*) FROM {reader.quote(name)}")[0])
                    if name not in existing.get(s, set()):
                        rec.problem = "not in the warehouse"
                        continue
                    pk = ", ".join(f'"{c}"' for c in entry.primary_key)
                    rec.rows_in_warehouse = int(dest.query(f'SELECT COUNT(*) FROM "{s}"."{name}"')[0][0])
                    if pk:
                        rec.duplicate_keys = int(dest.query(
                            f'SELECT COUNT(*) FROM (SELECT {pk} FROM "{s}"."{name}" GROUP BY {pk}'
                            " HAVING COUNT(*) > 1) AS d")[0][0])
                    if rec.rows_in_source != rec.rows_in_warehouse:
                        rec.problem = f"{rec.rows_in_source - rec.rows_in_warehouse:+,} rows in the source"
                    elif rec.duplicate_keys:
                        rec.problem = f"{rec.duplicate_keys:,} duplicated keys in the warehouse"
            finally:
                if reader is not None:
                    reader.close()
    finally:
        dest.close()
    return out


def verify_extract(destination: str = "duckdb", schemas: list[str] | None = None,
                   console: Console | None = None) -> bool:
    """Reconcile source and warehouse; True when every catalogued table matches exactly.

    Prints the mismatches (or a one-line error) to `console` when given.
    """
    try:
        results = reconcile(destination, schemas)
    except (SourceError, DestinationError) as exc:
        if console is not None:
            console.print(f"[red]verify failed:[/] {exc}", soft_wrap=True, highlight=False)
        return False
    bad = [r for r in results if r.problem]
    if console is not None:
        if bad:
            table = Table(title=f"verify: {len(bad)} of {len(results)} tables differ")
            for col in ("schema", "table", "rows in source", "rows in warehouse", "problem"):
                table.add_column(col)
            for r in bad:
                table.add_row(r.schema, r.table, _fmt(r.rows_in_source), _fmt(r.rows_in_warehouse), r.problem)
            console.print(table)
        else:
            total = sum(r.rows_in_source or 0 for r in results)
            console.print(f"verify: {len(results)} tables, {total:,} rows: source and warehouse match")
    return not bad


def _fmt(n: Any) -> str:
    return "-" if n is None else f"{n:,}"


# --------------------------------------------------------------------------- python -m luckin.extract
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m luckin.extract", description=__doc__.splitlines()[0])
    parser.add_argument("--destination", default="duckdb", choices=("duckdb", "postgres"))
    parser.add_argument("--schema", action="append", dest="schemas", help="only this schema (repeatable)")
    parser.add_argument("--full-refresh", action="store_true")
    parser.add_argument("--verify", action="store_true", help="reconcile after the load; exit 1 on a mismatch")
    parser.add_argument("--verify-only", action="store_true", help="only reconcile, do not extract")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.verify_only:
        return 0 if verify_extract(args.destination, args.schemas, console=_console()) else 1
    summary = run_extract(args.destination, args.schemas, args.full_refresh, args.verify, not args.no_progress)
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
