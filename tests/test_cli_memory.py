"""The program tunes its memory allocation; a call from Python leaves the process alone."""

from __future__ import annotations

import subprocess
import sys

from cxmetrics.cli import main

try:
    from numpy._core import multiarray
except ImportError:  # numpy 1.x
    from numpy.core import multiarray  # type: ignore[no-redef]

_PROBE = """
import sys
try:
    from numpy._core import multiarray
except ImportError:  # numpy 1.x
    from numpy.core import multiarray
from cxmetrics.cli import main
sys.argv = ["cxmetrics", "report", "--sample", "--metrics", "nps", "--format", "csv"]
status = main()
print(status, multiarray._set_madvise_hugepage(True))
"""


def test_program_turns_numpy_huge_pages_off() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    )
    # The CSV report, then the exit status and the huge-page flag it had left.
    assert done.stdout.splitlines()[-1] == "0 False"
    assert done.stdout.startswith("metric,period,value")


def test_a_call_from_python_changes_nothing_process_wide(capsys: object) -> None:
    before = multiarray._set_madvise_hugepage(True)
    multiarray._set_madvise_hugepage(before)
    assert main(["report", "--sample", "--metrics", "nps", "--format", "csv"]) == 0
    now = multiarray._set_madvise_hugepage(before)
    assert now == before


def test_freed_memory_goes_back_to_the_system_for_a_streamed_report() -> None:
    from cxmetrics.cli._memory import return_freed_memory

    # On glibc the defaults are restored (and the call is harmless anywhere else).
    assert return_freed_memory() is sys.platform.startswith("linux")
