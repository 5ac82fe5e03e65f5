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


def cap_malloc_arenas(arenas: int = 2) -> None:
    """Fewer glibc malloc arenas (default: 8 per core): each reader thread otherwise keeps its own
    arena of freed connectorx and Parquet buffers, ~100 MB of resident memory that no one uses.
    Must run before the threads start; a no-op where glibc is not the allocator."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def prepare_extract_process() -> None:
    """dlt's settings, fewer malloc arenas, Arrow's jemalloc pool and the lazy modules imported:
    before the extract's threads start, in the run's process and in each extract worker."""
    quiet_dlt()
    cap_malloc_arenas()
    # The extract allocates and frees one chunk's Arrow buffers after another on several threads.
    # Peak of `luckin extract --full-refresh`, alternating rounds: scale 1, 654-719 MB with
    # mimalloc against 578-604 MB with jemalloc; scale 3, 719-721 MB against 638-742 MB (two of
    # three rounds 638-639), at the same speed.
    use_arrow_pool("jemalloc")
    preload_modules()


def preload_modules() -> None:
    """Import what dlt and the readers import lazily, before threads race to import it half-way
    ("partially initialized module 'pandas'")."""
    for name in ("pandas", "pyarrow.parquet", "pyarrow.csv", "pyarrow.compute", "connectorx", "duckdb",
                 "psycopg2", "dlt.common.libs.pyarrow", "dlt.common.libs.pandas", "dlt.extract.extractors",
                 "dlt.normalize", "dlt.load", "dlt.destinations.impl.duckdb.duck",
                 "dlt.destinations.impl.postgres.postgres", "redis", "pymysql"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue
