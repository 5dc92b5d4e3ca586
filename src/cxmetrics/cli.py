"""The ``cxmetrics`` command line: KPI reports from the shell.

``cxmetrics report --sample`` prints the report of the bundled sample data set.
Errors a shell user can fix (an unknown metric, a bad option) print one line on
stderr and exit with status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cxmetrics._version import __version__
from cxmetrics.exceptions import CXMetricsError

__all__ = ["main"]

FORMATS = ("table", "md", "html", "json", "csv")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxmetrics", description="Customer-support KPIs from the command line."
    )
    parser.add_argument("--version", action="version", version=f"cxmetrics {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    rep = commands.add_parser("report", help="print a KPI report")
    rep.add_argument("--sample", action="store_true", help="use the bundled sample data set")
    rep.add_argument("--metrics", help="comma-separated metric names (default: all that apply)")
    rep.add_argument("--period", choices=("day", "week", "month", "quarter", "year"))
    rep.add_argument("--timezone", default="UTC", help="IANA timezone periods are cut in")
    rep.add_argument("--format", choices=FORMATS, default="table")
    rep.add_argument("--output", type=Path, help="write to this file instead of stdout")
    rep.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["report", "--sample", "--metrics", "nps", "--format", "csv"])  # doctest: +ELLIPSIS
    metric,period,value,n,unit,low,high,change,significant
    nps,all,...
    0
    """
    args = _parser().parse_args(argv)
    try:
        return _report(args)
    except (CXMetricsError, ValueError, OSError) as exc:
        if args.debug:
            raise
        print(f"cxmetrics: error: {exc}", file=sys.stderr)
        return 2


def _report(args: argparse.Namespace) -> int:
    from cxmetrics.report import report

    if not args.sample:
        raise CXMetricsError("no data given: use --sample for the bundled sample data set")
    from cxmetrics.datasets import load_sample

    sample = load_sample()
    result = report(
        tickets=sample.tickets,
        surveys=sample.surveys,
        calls=sample.calls,
        customers=sample.customers,
        metrics=args.metrics.split(",") if args.metrics else None,
        period=args.period,
        timezone=args.timezone,
    )
    render = {
        "table": result.to_text,
        "md": result.to_markdown,
        "html": result.to_html,
        "json": result.to_json,
        "csv": result.to_csv,
    }[args.format]
    text = render()
    if args.output is not None:
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        print(text.rstrip("\n"))
    return 0
