"""``cxmetrics report``: the KPI report of the sample or of your own files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cxmetrics.cli._common import FORMATS, format_for, write_output
from cxmetrics.exceptions import CXMetricsError, MissingDependencyError

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` subcommand and its options to ``commands``."""
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
    rep.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute and write the report the parsed ``args`` ask for; return the exit status."""
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
    fmt = format_for(args.format, args.output)
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
    write_output(render(), args.output)
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
