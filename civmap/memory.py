"""How an app process asks the C allocators to give memory back.

An app process builds frames of tens of megabytes after every change of the data (a status
change every few seconds, in the weeks before an assessment) and drops the older ones.
With glibc's defaults the freed memory mostly stays with the process. glibc raises its
mmap threshold after each large block is freed, up to 32 MB, so later frames come from
heaps that fragment. It also gives each thread (each Streamlit session runs in one) an
arena of its own. pyarrow's pool (pandas' text columns) keeps what it freed for a while.
At ten times the demo city, with twenty users, a process then grew by about 300 MB a minute
(``bench/load.py``).

``release_freed_memory`` fixes the mmap threshold (blocks of 128 KB and more are
mapped and unmapped on their own), caps the arenas at two per process, and moves pyarrow
to the system allocator, whose freed blocks go back the same way. It is the same as
starting the process with ``MALLOC_MMAP_THRESHOLD_=131072 MALLOC_ARENA_MAX=2
ARROW_DEFAULT_MEMORY_POOL=system``, which a service manager may set instead. Where the C
library is not glibc (macOS, musl), nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

__all__ = ["release_freed_memory", "trim"]

_LOG = logging.getLogger(__name__)
# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
_MMAP_THRESHOLD = 128 * 1024
_done = False


def _glibc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_freed_memory() -> None:
    """Set the allocators up to return freed memory (once per process; harmless again)."""
    global _done
    if _done:
        return
    _done = True
    libc = _glibc()
    if libc is not None:
        for option, value in ((_M_MMAP_THRESHOLD, _MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, _MMAP_THRESHOLD),
                              (_M_ARENA_MAX, 2)):
            if libc.mallopt(option, value) != 1:
                _LOG.info("mallopt(%s, %s) was refused; memory use is unchanged", option, value)
    try:
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    except ImportError:  # pragma: no cover - pandas without pyarrow
        pass


def trim() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``), after a
    process dropped a data version's caches."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
