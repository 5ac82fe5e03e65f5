"""Extract and normalize one schema in a worker process; the parent process loads.

Why processes: on a full extract most of the CPU goes to Python work that holds the GIL
(dlt's per-run bookkeeping for 60 small schemas, Arrow and Parquet glue for the big ones), so
threads alone use one core. A pool of worker processes runs `pipeline.extract()` and
`pipeline.normalize()` (source reads, Arrow casts, Parquet files: no warehouse connection),
and the parent runs `pipeline.load()`, the only step that writes to the warehouse. This keeps
DuckDB single-writer (one process holds the file) and Postgres unchanged.

The load package, its schema and the new state are files in the pipeline's working folder:
the parent attaches to the same pipeline after the worker returns and loads them. If the
parent is killed, the workers are killed too (PR_SET_PDEATHSIG), and the next run's recovery
(pipelines.recovery) discards whatever a worker left half-written.
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass

_PROGRESS = None  # multiprocessing queue of (schema, rows) for the parent's progress bar


@dataclass
class WorkerJob:
    schema: str
    plans: list  # TablePlan
    estate: object  # helpers.EstateConnection
    destination_kind: str
    destination_target: str
    pipelines_dir: str
    loader_file_format: str
    read_workers: int


def init_worker(progress_queue) -> None:
    """Process pool initializer: die with the parent, quiet dlt, remember the progress queue."""
    global _PROGRESS
    _PROGRESS = progress_queue
    try:  # Linux: SIGKILL this worker when its parent dies (a kill -9 of the run)
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:  # noqa: BLE001 - other platforms: the pool shuts down with the parent
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from pipelines.runtime import prepare_extract_process

    prepare_extract_process()


def extract_normalize(job: WorkerJob) -> dict:
    """Run extract + normalize for the changed tables of one schema. Returns counters."""
    import dlt

    from luckin.core.errors import redact
    from pipelines.mysql_estate import RunStats, mysql_schema_source, root_message
    from pipelines.mysql_estate.settings import SOURCE_NAME

    def on_rows(schema: str, rows: int) -> None:
        if _PROGRESS is not None:
            _PROGRESS.put((schema, rows))

    stats = RunStats(on_rows=on_rows)
    if job.destination_kind == "duckdb":
        destination = dlt.destinations.duckdb(job.destination_target)  # never opened here
    else:
        destination = dlt.destinations.postgres(credentials=job.destination_target)
    pipeline = dlt.pipeline(pipeline_name=f"{SOURCE_NAME}__{job.schema}", destination=destination,
                            dataset_name=job.schema, pipelines_dir=job.pipelines_dir, progress=None)
    reader = job.estate.reader(job.schema)
    secrets = tuple(s for s in (getattr(job.estate, "password", None),) if s)
    try:
        source = mysql_schema_source(job.schema, job.plans, reader, threading.Semaphore(job.read_workers), stats)
        pipeline.extract(source, loader_file_format=job.loader_file_format)
        pipeline.normalize()
    except Exception as exc:  # noqa: BLE001 - returned to the parent as one line
        return {"error": redact(root_message(exc), *secrets)}
    finally:
        reader.close()
    return {"rows": {t: n for (_, t), n in stats.rows.items()},
            "zero_dates": {t: zd for (_, t), zd in stats.zero_dates.items()},
            "pid": os.getpid()}


def extract_in_worker(pool, schema: str, plans: list, estate, destination, stats, read_workers: int) -> str | None:
    """Extract + normalize in a worker process (pipelines.mysql_estate.worker), load here."""
    from luckin.core.errors import SourceError, redact
    from pipelines.mysql_estate import PIPELINE_PREFIX, root_message
    from pipelines.recovery import make_pipeline

    job = WorkerJob(schema, [p for p in plans if p.changed], estate, destination.kind, destination.target,
                    str(destination.pipelines_dir), destination.loader_file_format,
                    read_workers)
    result = pool.submit(extract_normalize, job).result()
    if result.get("error"):
        raise SourceError(result["error"])
    for table, n in result["rows"].items():  # added: a second load of the run counts on top of the first
        stats.record(schema, table, n, result["zero_dates"].get(table, {}), progress=False)
    pipeline = make_pipeline(PIPELINE_PREFIX + schema, schema, destination)  # attach: reads the worker's files
    try:
        info = pipeline.load()
    except Exception as exc:  # noqa: BLE001
        raise SourceError(redact(root_message(exc), *estate.secrets, *destination.secrets)) from None
    return info.loads_ids[-1] if info and info.loads_ids else None


def worker_pool(processes: int, on_rows):
    """A pool of extract processes (forkserver: clean children, modules imported once), and the
    thread that forwards their row counts to the progress bar."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["pipelines.mysql_estate.worker", "pipelines.runtime"])
    queue = ctx.Queue()
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=ctx, initializer=init_worker,
                               initargs=(queue,))

    def forward() -> None:
        while True:
            item = queue.get()
            if item is None:
                return
            on_rows(*item)

    thread = threading.Thread(target=forward, daemon=True, name="luckin-progress")
    thread.start()

    def close() -> None:
        pool.shutdown(wait=True, cancel_futures=True)
        queue.put(None)
        thread.join(timeout=2)
        queue.close()

    return pool, close


__all__ = ["WorkerJob", "extract_in_worker", "extract_normalize", "init_worker", "worker_pool"]
