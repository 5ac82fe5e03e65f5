"""Giving freed memory back to the system, for the long runs that make and drop big arrays."""

from __future__ import annotations

_LIBC = None


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


def release_arrow_memory_at_once() -> None:
    """Arrow's buffers from the system allocator for this process, whose big blocks go back to
    the system as soon as they are freed. Arrow's default (mimalloc) keeps freed pages for
    reuse: a simulator append held the old world's columns, read from its checkpoint, beside
    the new ones joined from them. An operator's ARROW_DEFAULT_MEMORY_POOL is left alone."""
    import os

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
