"""``cxmetrics report``: the KPI report of the sample or of your own files."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cxmetrics.cli._common import FORMATS, format_for, write_output
from cxmetrics.cli._logs import read_log
from cxmetrics.cli._memory import return_freed_memory
from cxmetrics.exceptions import CXMetricsError, InvalidParameterError, MissingDependencyError

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
    rep.add_argument(
        "--timezone",
        help="IANA timezone periods are cut in (default: the --call-log mapping's timezone, "
        "the call center's clock; else UTC)",
    )
    rep.add_argument("--calendar", type=Path, help="business-hours calendar (TOML file)")
    rep.add_argument("--sla", type=Path, help="SLA policy (TOML file): adds SLA compliance")
    rep.add_argument(
        "--targets",
        type=Path,
        help="per-metric targets (TOML file, [targets] csat = 0.85): met or missed on the "
        "cards, lines on the charts, target_met in JSON and CSV",
    )
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
    rep.add_argument(
        "--charts",
        help="comma-separated metrics to chart (and durations, volume_by_hour); default: "
        "the most important metrics that have data",
    )
    rep.add_argument(
        "--statistic",
        default="mean",
        help="statistic of ticket durations: mean (default), median or a percentile (p90)",
    )
    rep.add_argument(
        "--quantiles",
        choices=("exact", "sketch"),
        default="exact",
        help="keep every duration (exact, default) or a quantile sketch per group: flat "
        "memory for a streamed report, medians and percentiles within the sketch's rank error",
    )
    rep.add_argument(
        "--columns",
        type=Path,
        help="TOML mapping of your column names, one table per file kind "
        '([tickets] created_at = "opened")',
    )
    rep.add_argument(
        "--event-log",
        type=Path,
        metavar="MAPPING",
        help="tickets from an event log: a TOML file naming the log (file = ...) and the "
        "parameters of read_event_log",
    )
    rep.add_argument(
        "--message-log",
        type=Path,
        metavar="MAPPING",
        help="tickets from a message log: a TOML file naming the log (file = ...) and the "
        "parameters of read_message_log",
    )
    rep.add_argument(
        "--call-log",
        type=Path,
        metavar="MAPPING",
        help="calls from a call-center log: a TOML file naming the log (file = ...) and the "
        "parameters of read_call_log (date and time-of-day columns, outcome map…)",
    )
    rep.add_argument(
        "--service-level-target",
        type=float,
        metavar="SECONDS",
        help="answer-time target of the service level (default 20 s)",
    )
    rep.add_argument("--churn-start", help="start of the churn and retention window (ISO date)")
    rep.add_argument("--churn-end", help="end of the churn and retention window (ISO date)")
    rep.add_argument("--as-of", help="evaluation instant of the backlog (ISO date or datetime)")
    rep.add_argument(
        "--chunk-tickets",
        type=int,
        metavar="N",
        help="stream a folder of own-schema Parquet files in chunks of about N tickets "
        "(whole customers), in bounded memory; automatic (chunks of "
        f"{STREAM_CHUNK:,}) when the folder's tickets.parquet has more than "
        f"{STREAM_ABOVE:,} rows. A streamed report has every row and total; it "
        "leaves out what reads every raw row (tag spikes, survey comments, the "
        "duration and hour-of-week charts) and says so on the page",
    )
    rep.add_argument("--debug", action="store_true", help="show tracebacks")
    rep.set_defaults(run=run)


STREAM_ABOVE = 2_000_000
"""Tickets above which a folder of own-schema Parquet files is streamed (about 6.6 GB in
memory read whole)."""
STREAM_CHUNK = 250_000
"""Tickets per chunk of an automatic streamed report."""


def run(args: argparse.Namespace) -> int:
    """Compute and write the report the parsed ``args`` ask for; return the exit status."""
    logs = any(log is not None for log in (args.event_log, args.message_log, args.call_log))
    if args.sample and (args.files or logs):
        raise CXMetricsError("give data files or --sample, not both")
    if not args.sample and not args.files and not logs:
        raise CXMetricsError(
            "no data given: name your files (tickets.csv, surveys.parquet…) or use --sample "
            "for the bundled sample data set"
        )
    streamed = _streamed_folder(args)
    inputs = {} if streamed is not None else _load(args)
    calendar = None
    if args.calendar is not None:
        from cxmetrics.io.config import read_calendar

        calendar = read_calendar(args.calendar)
    sla = None
    if args.sla is not None:
        from cxmetrics.sla.config import read_sla

        sla = read_sla(args.sla)
    targets = None
    if args.targets is not None:
        from cxmetrics.insight import read_targets

        targets = read_targets(args.targets)
    fmt = format_for(args.format, args.output)
    charts: bool | list[str] = fmt == "html" and not args.no_charts and _has_matplotlib()
    if charts and args.charts:
        charts = _names(args.charts)
    try:
        if streamed is not None:
            if args.tuned:  # a chunk at a time: memory kept for reuse only raises the peak
                return_freed_memory()
            result = _streamed_report(args, streamed, calendar, sla, charts, targets)
        else:
            result = _report(args, inputs, calendar, sla, charts, targets)
    except InvalidParameterError as exc:
        if "'window' parameter" in str(exc) or "'as_of' parameter" in str(exc):
            flags = "--churn-start and --churn-end" if "'window'" in str(exc) else "--as-of"
            raise InvalidParameterError(f"{exc} Give it with {flags}.") from None
        raise
    render = {
        "table": result.to_text,
        "md": result.to_markdown,
        "html": result.to_html,
        "json": result.to_json,
        "csv": result.to_csv,
    }[fmt]
    write_output(render(), args.output)
    return 0


def _report(
    args: argparse.Namespace,
    inputs: dict[str, Any],
    calendar: Any,
    sla: Any,
    charts: Any,
    targets: Any = None,
) -> Any:
    """The report the flags ask for."""
    from cxmetrics.reporting import report

    return report(**inputs, **_settings(args, calendar, sla, charts, targets))


def _settings(
    args: argparse.Namespace, calendar: Any, sla: Any, charts: Any, targets: Any
) -> dict[str, Any]:
    """The keywords of the report the flags ask for (its data aside)."""
    return {
        "metrics": [m.strip() for m in args.metrics.split(",")] if args.metrics else None,
        "period": args.period,
        "by": [b.strip() for b in args.by.split(",")] if args.by else None,
        "timezone": args.timezone or _log_zone(args) or "UTC",
        "calendar": calendar,
        "sla": sla,
        "params": _params(args),
        "statistic": args.statistic,
        "quantiles": args.quantiles,
        "charts": charts,
        "targets": targets,
    }


def _streamed_report(
    args: argparse.Namespace, folder: Path, calendar: Any, sla: Any, charts: Any, targets: Any
) -> Any:
    """The report of a folder of own-schema Parquet files, read in chunks of customers."""
    from cxmetrics.engines.stream import report_from_parquet

    return report_from_parquet(
        folder,
        chunk_tickets=args.chunk_tickets or STREAM_CHUNK,
        **_settings(args, calendar, sla, charts, targets),
    )


def _streamed_folder(args: argparse.Namespace) -> Path | None:
    """The folder to stream: ``--chunk-tickets``, or a large own-schema ``tickets.parquet``."""
    files: list[Path] = list(args.files or ())
    single = len(files) == 1 and files[0].is_dir()
    plain = not (args.sample or args.columns or args.event_log or args.message_log or args.call_log)
    plain = plain and args.errors == "raise" and args.input_timezone is None
    if args.chunk_tickets is not None:
        if args.chunk_tickets < 1:
            raise CXMetricsError(f"--chunk-tickets must be at least 1, got {args.chunk_tickets}")
        if len(files) == 1 and not files[0].exists():
            raise CXMetricsError(f"{files[0]}: no such folder")
        if not (single and plain):
            raise CXMetricsError(
                "--chunk-tickets streams one folder of own-schema Parquet files (as "
                "write_parquet writes them): name the folder alone, without --sample, "
                "--columns, --event-log, --message-log, --call-log, --errors collect or "
                "--input-timezone"
            )
        return files[0]
    if single and plain and (files[0] / "tickets.parquet").is_file():
        from cxmetrics._optional import import_optional

        parquet = import_optional("pyarrow.parquet", extra="dataframes", feature="Parquet")
        rows = parquet.ParquetFile(files[0] / "tickets.parquet").metadata.num_rows
        if rows > STREAM_ABOVE:
            print(
                f"cxmetrics: note: {rows:,} tickets: streaming the folder in chunks of "
                f"{STREAM_CHUNK:,} (--chunk-tickets to choose)",
                file=sys.stderr,
            )
            return files[0]
    return None


def _log_zone(args: argparse.Namespace) -> str | None:
    """The clock of a call log (its mapping's ``timezone``): a call center's weeks are local."""
    if args.call_log is None:
        return None
    from cxmetrics.io.config import read_toml

    zone = read_toml(args.call_log).get("timezone", args.input_timezone)
    return zone if isinstance(zone, str) else None


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


_WINDOW_METRICS = ("churn_rate", "retention_rate", "revenue_churn_rate")


def _params(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Metric parameters from the flags: service-level target, churn window, as-of."""
    params: dict[str, dict[str, Any]] = {}
    if args.service_level_target is not None:
        params["service_level"] = {"target": args.service_level_target}
    if (args.churn_start is None) != (args.churn_end is None):
        raise CXMetricsError("give both --churn-start and --churn-end")
    if args.churn_start is not None:
        window = (
            _instant(args.churn_start, "--churn-start"),
            _instant(args.churn_end, "--churn-end"),
        )
        for name in _WINDOW_METRICS:
            params[name] = {"window": window}
    if args.as_of is not None:
        params["backlog"] = {"as_of": _instant(args.as_of, "--as-of")}
    return params


def _instant(text: str, flag: str) -> datetime:
    """An ISO date or datetime; naive ones are UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CXMetricsError(f"{flag}: {text!r} is not an ISO date (2024-01-31)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _load(args: argparse.Namespace) -> dict[str, Any]:
    if args.sample:
        from cxmetrics.datasets import load_sample

        sample = load_sample()
        return {
            "tickets": sample.tickets,
            "surveys": sample.surveys,
            "calls": sample.calls,
            "customers": sample.customers,
            "survey_sends": sample.survey_sends,
        }
    from cxmetrics.io.files import read_files

    inputs: dict[str, Any] = {}
    if args.files:
        inputs = _read_files(args, read_files)
    for kind, mapping in (("event", args.event_log), ("message", args.message_log)):
        if mapping is not None:
            if "tickets" in inputs:
                raise CXMetricsError(
                    "tickets come from one source: a tickets file, --event-log or --message-log"
                )
            inputs["tickets"] = read_log(kind, mapping, args.input_timezone, args.errors)
    if args.call_log is not None:
        if "calls" in inputs:
            raise CXMetricsError("calls come from one source: a calls file or --call-log")
        inputs["calls"] = read_log("call", args.call_log, args.input_timezone, args.errors)
    return inputs


def _read_files(args: argparse.Namespace, read_files: Any) -> dict[str, Any]:
    columns = None
    if args.columns is not None:
        from cxmetrics.io.config import read_toml

        columns = read_toml(args.columns)
        if not all(isinstance(table, dict) for table in columns.values()):
            raise CXMetricsError(
                f"{args.columns.name}: one table per file kind, e.g. [tickets] with "
                'created_at = "opened"'
            )
    data = read_files(
        args.files, columns=columns, timezone=args.input_timezone, errors=args.errors,
        progress=True,
    )  # fmt: skip
    if data.errors:
        first = data.errors[0]
        print(
            f"cxmetrics: warning: {len(data.errors)} problem(s); the rows concerned are left "
            f"out (first: {first.get('file', '')} {first['field']}: {first['message']})",
            file=sys.stderr,
        )
    inputs: dict[str, Any] = data.inputs()
    return inputs


def _has_matplotlib() -> bool:
    from cxmetrics._optional import import_optional

    try:
        import_optional("matplotlib", extra="plot", feature="charts")
    except MissingDependencyError:
        print("cxmetrics: note: no charts (matplotlib is not installed)", file=sys.stderr)
        return False
    return True
