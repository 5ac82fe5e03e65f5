"""Giving freed memory back to the system, for the long runs that make and drop big arrays."""

from __future__ import annotations

_LIBC = None
_POOL_SET_BY_US: str | None = None  # the ARROW_DEFAULT_MEMORY_POOL this process set itself


def release_free_memory() -> None:
    """Give freed heap pages back to the system (glibc `malloc_trim`). glibc keeps freed small
    blocks resident for later allocations: buffers of a chunk read (the extract), the day-by-day
    pieces of the simulated world once they are joined (the simulator). Those later allocations
    are big arrays that glibc maps afresh, so the kept pages would only add to the peak.
    A no-op where glibc is not the allocator."""
    global _LIBC
    try:
        if _LIBC is None:
            import ctypes

            _LIBC = ctypes.CDLL("libc.so.6")
        if _LIBC:
            _LIBC.malloc_trim(0)
    except (OSError, AttributeError):
        _LIBC = False


def use_arrow_pool(kind: str) -> None:
    """Arrow's memory pool for this process: "jemalloc" or "system" in place of Arrow's default
    (mimalloc in pyarrow 26), which keeps freed pages for reuse, per thread: a long run that
    frees big buffers then holds them as well as what it allocates next. Each caller says why
    it picks its pool. An operator's ARROW_DEFAULT_MEMORY_POOL is left alone; a pyarrow built
    without the pool keeps its default.

    Called before pyarrow is imported, it sets ARROW_DEFAULT_MEMORY_POOL, which Arrow reads once,
    at import: then Arrow's own C++ code uses the pool too (the Parquet writer's encoders take
    that default, not the Python calls' pool). After the import only the pool of pyarrow's
    Python calls can still change."""
    import os
    import sys

    global _POOL_SET_BY_US
    operator_pool = os.environ.get("ARROW_DEFAULT_MEMORY_POOL")
    if operator_pool and operator_pool != _POOL_SET_BY_US:
        return
    if "pyarrow" not in sys.modules:
        os.environ["ARROW_DEFAULT_MEMORY_POOL"] = _POOL_SET_BY_US = kind
        return
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool() if kind == "jemalloc" else pa.system_memory_pool())
    except (NotImplementedError, pa.ArrowNotImplementedError):
        pass
