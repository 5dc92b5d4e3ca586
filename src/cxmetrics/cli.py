"""The ``cxmetrics`` command line: KPI reports from the shell.

``cxmetrics report --sample`` prints the report of the bundled sample data set;
``cxmetrics report tickets.parquet surveys.csv --period week --by channel`` the
report of your own files (the library's own schema, see :mod:`cxmetrics.io`).
Errors a shell user can fix (a missing file, a bad column or row, an unknown
metric, a bad option) print one line on stderr and exit with status 2;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cxmetrics._version import __version__
from cxmetrics.exceptions import CXMetricsError, MissingDependencyError, RecordValidationError

__all__ = ["main"]

FORMATS = ("table", "md", "html", "json", "csv")
_SUFFIX_FORMATS = {".md": "md", ".html": "html", ".htm": "html", ".json": "json", ".csv": "csv"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxmetrics", description="Customer-support KPIs from the command line."
    )
    parser.add_argument("--version", action="version", version=f"cxmetrics {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    rep = commands.add_parser(
        "report",
        help="print a KPI report",
        description="Compute every KPI the data can feed, per period and segment.",
    )
    rep.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILES",
        help="data files named after their table (tickets.csv, interactions.parquet, "
        "surveys.jsonl…) or folders holding them",
    )
    rep.add_argument("--sample", action="store_true", help="use the bundled sample data set")
    rep.add_argument("--metrics", help="comma-separated metric names (default: all that apply)")
    rep.add_argument("--period", choices=("day", "week", "month", "quarter", "year"))
    rep.add_argument("--by", help="comma-separated fields to segment by (channel, group…)")
    rep.add_argument("--timezone", default="UTC", help="IANA timezone periods are cut in")
    rep.add_argument("--calendar", type=Path, help="business-hours calendar (TOML file)")
    rep.add_argument("--sla", type=Path, help="SLA policy (TOML file): adds SLA compliance")
    rep.add_argument(
        "--input-timezone", help="IANA timezone of naive timestamps in the files (else an error)"
    )
    rep.add_argument(
        "--errors",
        choices=("raise", "collect"),
        default="raise",
        help="bad rows: stop (raise, default) or leave them out and say so (collect)",
    )
    rep.add_argument("--format", choices=FORMATS, help="output format (default: table)")
    rep.add_argument("--output", type=Path, help="write to this file instead of stdout")
    rep.add_argument(
        "--no-charts", action="store_true", help="HTML without charts (charts need matplotlib)"
    )
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
    except BrokenPipeError:
        # The reader went away (``cxmetrics report ... | head``): not an error. Point
        # stdout at devnull so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CXMetricsError, ValueError, OSError, KeyboardInterrupt) as exc:
        if args.debug:
            raise
        print(f"cxmetrics: error: {_one_line(exc)}", file=sys.stderr)
        return 2


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, FileNotFoundError) and exc.filename is not None:
        return f"no such file: {exc.filename!r}"
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if isinstance(exc, RecordValidationError) and len(lines) > 1:
        more = len(exc.errors) - 1
        tail = f" (and {more} more problem(s); --errors collect leaves bad rows out)"
        return f"{lines[0]} {lines[1]}{tail if more else ''}"
    return lines[0]


def _report(args: argparse.Namespace) -> int:
    from cxmetrics.reporting import report

    if args.sample and args.files:
        raise CXMetricsError("give data files or --sample, not both")
    if not args.sample and not args.files:
        raise CXMetricsError(
            "no data given: name your files (tickets.csv, surveys.parquet…) or use --sample "
            "for the bundled sample data set"
        )
    inputs = _load(args)
    calendar = None
    if args.calendar is not None:
        from cxmetrics.io.config import read_calendar

        calendar = read_calendar(args.calendar)
    sla = None
    if args.sla is not None:
        from cxmetrics.sla.config import read_sla

        sla = read_sla(args.sla)
    fmt = args.format
    if fmt is None:
        suffix = args.output.suffix.lower() if args.output is not None else ""
        fmt = _SUFFIX_FORMATS.get(suffix, "table")
    charts = fmt == "html" and not args.no_charts and _has_matplotlib()
    result = report(
        **inputs,
        metrics=[m.strip() for m in args.metrics.split(",")] if args.metrics else None,
        period=args.period,
        by=[b.strip() for b in args.by.split(",")] if args.by else None,
        timezone=args.timezone,
        calendar=calendar,
        sla=sla,
        charts=charts,
    )
    render = {
        "table": result.to_text,
        "md": result.to_markdown,
        "html": result.to_html,
        "json": result.to_json,
        "csv": result.to_csv,
    }[fmt]
    text = render()
    if args.output is not None:
        args.output.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    else:
        print(text.rstrip("\n"))
    return 0


def _load(args: argparse.Namespace) -> dict[str, Any]:
    if args.sample:
        from cxmetrics.datasets import load_sample

        sample = load_sample()
        return {
            "tickets": sample.tickets,
            "surveys": sample.surveys,
            "calls": sample.calls,
            "customers": sample.customers,
        }
    from cxmetrics.io.files import read_files

    data = read_files(args.files, timezone=args.input_timezone, errors=args.errors, progress=True)
    if data.errors:
        first = data.errors[0]
        print(
            f"cxmetrics: warning: {len(data.errors)} problem(s); the rows concerned are left "
            f"out (first: {first.get('file', '')} {first['field']}: {first['message']})",
            file=sys.stderr,
        )
    return data.inputs()


def _has_matplotlib() -> bool:
    from cxmetrics._optional import import_optional

    try:
        import_optional("matplotlib", extra="plot", feature="charts")
    except MissingDependencyError:
        print("cxmetrics: note: no charts (matplotlib is not installed)", file=sys.stderr)
        return False
    return True
