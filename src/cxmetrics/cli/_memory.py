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

__all__ = ["tune_for_large_inputs"]

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4


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


def _glibc_keeps_freed_memory() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:  # pragma: no cover - no C library found
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - musl and others
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # The largest trim threshold mallopt takes (an int): keep up to 2 GiB free.
    trimmed = mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    unmapped = mallopt(_M_MMAP_MAX, 0)
    return bool(trimmed and unmapped)
