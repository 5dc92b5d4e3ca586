"""The ``cxmetrics`` command line: KPI reports from the shell.

``cxmetrics report --sample`` prints the report of the bundled sample data set;
``cxmetrics report tickets.parquet surveys.csv --period week --by channel`` the
report of your own files (the library's own schema, see :mod:`cxmetrics.io`).
Errors a shell user can fix (a missing file, a bad column or row, an unknown
metric, a bad option) print one line on stderr and exit with status 2;
``--debug`` shows the traceback instead.

Each subcommand lives in its own module (``cxmetrics.cli.report``…) with an
``add_parser(commands)`` that registers it and sets the function that runs it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cxmetrics._version import __version__
from cxmetrics.cli import plan, report
from cxmetrics.cli._common import one_line
from cxmetrics.cli._memory import tune_for_large_inputs
from cxmetrics.core.local_time import zone_named
from cxmetrics.exceptions import CXMetricsError

__all__ = ["main"]

# The subcommands, in the order ``cxmetrics --help`` lists them.
_SUBCOMMANDS = (report, plan)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxmetrics", description="Customer-support KPIs from the command line."
    )
    parser.add_argument("--version", action="version", version=f"cxmetrics {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for subcommand in _SUBCOMMANDS:
        subcommand.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Without ``argv`` (run as the program: the arguments are the process's own),
    the process's memory allocation is first tuned for large inputs
    (:mod:`cxmetrics.cli._memory`); with ``argv`` (called from Python) nothing
    process-wide changes.

    Examples
    --------
    >>> main(["report", "--sample", "--metrics", "nps", "--format", "csv"])  # doctest: +ELLIPSIS
    metric,period,value,n,unit,low,high,change,significant,p_value
    nps,all,...
    0
    """
    tuned = argv is None and bool(tune_for_large_inputs())
    args = _parser().parse_args(argv)
    args.tuned = tuned  # whether this process's allocation was tuned (see above)
    try:
        _check_zones(args)
        status: int = args.run(args)
        return status
    except BrokenPipeError:
        # The reader went away (``cxmetrics report ... | head``): not an error. Point
        # stdout at devnull so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CXMetricsError, ValueError, OSError, KeyboardInterrupt) as exc:
        if getattr(args, "debug", False):
            raise
        print(f"cxmetrics: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: still one line, the traceback with --debug
        if getattr(args, "debug", False):
            raise
        print(
            f"cxmetrics: error: internal error ({type(exc).__name__}: {one_line(exc)}); "
            "rerun with --debug for the traceback and please report it",
            file=sys.stderr,
        )
        return 2


def _check_zones(args: argparse.Namespace) -> None:
    """Refuse an unknown ``--timezone`` / ``--input-timezone`` before any work, used or not."""
    for option in ("timezone", "input_timezone"):
        value = getattr(args, option, None)
        if value is not None:
            zone_named(value, "--" + option.replace("_", "-"))
