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
    from pipelines.runtime import preload_modules, quiet_dlt

    quiet_dlt()
    preload_modules()


def extract_normalize(job: WorkerJob) -> dict:
    """Run extract + normalize for the changed tables of one schema. Returns counters."""
    import dlt

    from pipelines.mysql_estate import RunStats, _root_message, mysql_schema_source, redact
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
        return {"error": redact(_root_message(exc), *secrets)}
    finally:
        reader.close()
    return {"rows": {t: n for (_, t), n in stats.rows.items()},
            "zero_dates": {t: zd for (_, t), zd in stats.zero_dates.items()},
            "pid": os.getpid()}


__all__ = ["WorkerJob", "extract_normalize", "init_worker"]
