"""Memory allocation of the ``cxmetrics`` process, tuned for large inputs.

A report of a million tickets makes and drops many arrays of tens of megabytes.
With the defaults, each of them is a fresh mapping of memory the kernel has to
zero page by page, and numpy asks for transparent huge pages on every array of
4 MiB or more (with the common ``madvise`` setting the kernel then zeroes 2 MiB
at each first touch): a third of the command line's CPU time went to system
time. Run as the program, the command line therefore

- turns numpy's huge-page advice off (``numpy`` documents the same switch as
  the ``NUMPY_MADVISE_HUGEPAGE=0`` environment variable), and
- on glibc, keeps freed memory in the process for reuse instead of unmapping
  it (``mallopt``: no ``mmap`` for large blocks, no trimming; the
  ``MALLOC_MMAP_MAX_`` and ``MALLOC_TRIM_THRESHOLD_`` environment variables).

Neither changes a result. Both are process-wide, so only the program does this
(``cxmetrics.cli.main()`` without arguments), never the library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Any

__all__ = ["return_freed_memory", "tune_for_large_inputs"]

# glibc's mallopt parameters (malloc.h) and their defaults.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_DEFAULT_TRIM_THRESHOLD = 128 * 1024
_DEFAULT_MMAP_MAX = 65536


def tune_for_large_inputs() -> list[str]:
    """Tune this process's memory allocation for large arrays; return what was changed.

    Process-wide and not undone: for the program only (no example runs it here,
    so as not to tune the process that runs the examples).
    """
    changed = []
    if _numpy_huge_pages_off():
        changed.append("numpy huge pages off")
    if _glibc_keeps_freed_memory():
        changed.append("glibc keeps freed memory")
    return changed


def _numpy_huge_pages_off() -> bool:
    try:  # numpy >= 2
        from numpy._core import multiarray
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import multiarray  # type: ignore[no-redef]
    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    if switch is None:  # pragma: no cover - a numpy without the switch
        return False
    switch(False)
    return True


def return_freed_memory() -> bool:
    """Undo the glibc part of :func:`tune_for_large_inputs`; return whether it applied.

    A streamed report holds one chunk at a time: memory kept for reuse would only
    raise its peak, so freed blocks go back to the system again (the glibc
    defaults) and what was kept so far is released.
    """
    functions = _allocator()
    if functions is None:
        return False
    mallopt, trim = functions
    restored = mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
    mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM_THRESHOLD)
    if trim is not None:
        trim(0)
    return bool(restored)


def _allocator() -> tuple[Any, Any] | None:
    """The C library's ``mallopt`` and ``malloc_trim`` (glibc), or ``None`` elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:  # pragma: no cover - no C library found
        return None
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - musl and others
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim.argtypes = [ctypes.c_size_t]
        trim.restype = ctypes.c_int
    return mallopt, trim


def _glibc_keeps_freed_memory() -> bool:
    functions = _allocator()
    if functions is None:
        return False
    mallopt = functions[0]
    # The largest trim threshold mallopt takes (an int): keep up to 2 GiB free.
    trimmed = mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    unmapped = mallopt(_M_MMAP_MAX, 0)
    return bool(trimmed and unmapped)
