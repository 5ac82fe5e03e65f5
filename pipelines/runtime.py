"""Process-wide settings the extract needs before any pipeline runs (also in worker processes)."""

from __future__ import annotations

import importlib
import logging

from luckin.core.memory import use_arrow_pool


class _HintNoise(logging.Filter):
    """dlt warns that an Arrow string column is hinted as json (our hint, on purpose)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "several column hints were different" not in record.getMessage()


def quiet_dlt() -> None:
    """Filter one benign dlt warning; add `_dlt_load_id` to Arrow tables at extract time."""
    logger = logging.getLogger("dlt")
    if not any(isinstance(f, _HintNoise) for f in logger.filters):
        logger.addFilter(_HintNoise())
    import dlt

    dlt.config["normalize.parquet_normalizer.add_dlt_load_id"] = True  # one constant column
    dlt.config["normalize.parquet_normalizer.add_dlt_id"] = False  # ours is added while reading
    # Load files stay on local disk for seconds: gzip (dlt's default for CSV/JSONL) cost Postgres
    # loads most of their time in Python's GzipFile, compressing then decompressing every row.
    dlt.config["data_writer.disable_compression"] = True


def tune_malloc(arenas: int = 2, mmap_threshold: int = 256 * 1024) -> None:
    """glibc's allocator for the readers' threads. Fewer arenas (default: 8 per core): each
    reader thread otherwise keeps its own arena of freed connectorx and Parquet buffers, ~100 MB
    of resident memory that no one uses. A fixed mmap threshold: glibc raises its own (up to
    32 MB) each time a big block is freed, after which chunk-sized buffers come from the arenas
    and stay there; above the threshold each buffer is mapped and given back as it is freed.
    Must run before the threads start; a no-op where glibc is not the allocator."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
        libc.mallopt(-3, mmap_threshold)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def prepare_extract_process(destination: str | None = None) -> None:
    """dlt's settings, glibc's allocator, Arrow's jemalloc pool and the lazy modules imported:
    before the extract's threads start, in the run's process and in each extract worker."""
    quiet_dlt()
    tune_malloc()
    # The extract allocates and frees one chunk's Arrow buffers after another on several threads.
    # The command line picks the pool before pyarrow is imported, so that the Parquet writer's
    # C++ encoders use it too; here it is too late for them, and reaches the Python calls of the
    # demo and the Python API. Measured: pipelines/README.md, Performance.
    use_arrow_pool("jemalloc")
    _return_freed_arrow_pages()
    preload_modules(destination)


def _return_freed_arrow_pages() -> None:
    """jemalloc keeps freed pages for a second before giving them back: one chunk's buffers
    were still held while the next chunk's were made."""
    import pyarrow as pa

    try:
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, pa.ArrowNotImplementedError):
        pass


def preload_modules(destination: str | None = None) -> None:
    """Import what dlt and the readers import lazily, before threads race to import it half-way
    ("partially initialized module 'pandas'"). The Postgres client only where the run loads into
    Postgres (or `destination`, the warehouse's kind, is not known): psycopg2 and libpq add ~5 MB
    to a DuckDB run's peak, which never uses them."""
    postgres = ("psycopg2", "dlt.destinations.impl.postgres.postgres") if destination in (None, "postgres") else ()
    for name in ("pandas", "pyarrow.parquet", "pyarrow.csv", "pyarrow.compute", "connectorx", "duckdb",
                 "dlt.common.libs.pyarrow", "dlt.common.libs.pandas", "dlt.extract.extractors",
                 "dlt.normalize", "dlt.load", "dlt.destinations.impl.duckdb.duck",
                 *postgres, "redis", "pymysql"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue
