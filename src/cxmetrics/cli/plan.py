"""``cxmetrics plan``: forecast contacts from history files and staff every interval."""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from cxmetrics.cli._common import FORMATS, format_for, write_output
from cxmetrics.exceptions import CXMetricsError, InvalidParameterError

__all__ = ["add_parser", "parse_target", "run"]

_TARGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*$")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``plan`` subcommand and its options to ``commands``."""
    cmd = commands.add_parser(
        "plan",
        help="forecast contacts and the agents every interval needs",
        description="Forecast contacts per interval from history and staff every interval "
        "with Erlang C or A: the forecast with its band, agents per interval, agent-hours, FTE.",
    )
    cmd.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILES",
        help="history files named after their table (calls.csv, interactions.parquet, "
        "tickets.jsonl…) or folders holding them",
    )
    cmd.add_argument("--sample", action="store_true", help="use the bundled sample data set")
    cmd.add_argument("--interval", default="30min", help="interval length (default 30min)")
    cmd.add_argument("--horizon", default="14D", help="how far ahead (default 14D)")
    cmd.add_argument(
        "--method",
        choices=("auto", "seasonal_naive", "weekly_mean", "holt_winters"),
        default="auto",
    )
    cmd.add_argument("--level", type=float, default=0.8, help="prediction-interval coverage")
    cmd.add_argument(
        "--target", default="80/20s", help="service level as PERCENT/SECONDS (default 80/20s)"
    )
    cmd.add_argument("--model", choices=("erlang_c", "erlang_a"), default="erlang_c")
    cmd.add_argument("--aht", type=float, help="AHT in seconds (default: from the history)")
    cmd.add_argument(
        "--patience", type=float, help="Erlang A mean patience in seconds (default: estimated)"
    )
    cmd.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time off-phone")
    cmd.add_argument("--max-occupancy", type=float, help="occupancy cap in (0, 1]")
    cmd.add_argument("--fractional", action="store_true", help="fractional agents")
    cmd.add_argument("--fte-hours", type=float, default=40.0, help="paid hours per FTE a week")
    cmd.add_argument(
        "--tickets-per-agent-hour",
        type=float,
        help="tickets (not calls): solve rate of one agent; projects the backlog instead",
    )
    cmd.add_argument("--agents", type=float, default=1.0, help="tickets: agents scheduled")
    cmd.add_argument("--backlog", type=float, default=0.0, help="tickets: open tickets now")
    cmd.add_argument(
        "--resolution-target", help="tickets: time every ticket should be solved in (e.g. 2D)"
    )
    cmd.add_argument("--calendar", type=Path, help="opening hours and holidays (TOML file)")
    cmd.add_argument("--timezone", help="IANA timezone of the intervals (without a calendar)")
    cmd.add_argument("--as-of", help="forecast start, ISO 8601 with offset (default: data end)")
    cmd.add_argument(
        "--input-timezone", help="IANA timezone of naive timestamps in the files (else an error)"
    )
    cmd.add_argument("--format", choices=FORMATS, help="output format (default: table)")
    cmd.add_argument("--output", type=Path, help="write to this file instead of stdout")
    cmd.add_argument("--debug", action="store_true", help="show tracebacks")
    cmd.set_defaults(run=run)


def parse_target(text: str) -> tuple[float, float]:
    """``"80/20s"`` → ``(0.8, 20.0)``: the service-level share and its answer time in seconds.

    Examples
    --------
    >>> parse_target("80/20s"), parse_target("90%/15")
    ((0.8, 20.0), (0.9, 15.0))
    """
    match = _TARGET.match(text)
    if match is None:
        raise InvalidParameterError(
            f"--target must look like 80/20s (percent answered / seconds). Got {text!r} instead."
        )
    return float(match.group(1)) / 100.0, float(match.group(2))


def run(args: argparse.Namespace) -> int:
    """Forecast, staff and write the plan the parsed ``args`` ask for; return the exit status."""
    from cxmetrics.planning import forecast_volume, staffing_plan
    from cxmetrics.planning.render import render_plan

    service_level, target = parse_target(args.target)
    items, contacts = _load(args)
    calendar = None
    if args.calendar is not None:
        from cxmetrics.io.config import read_calendar

        calendar = read_calendar(args.calendar)
    # Tickets arrive around the clock; the calendar says when agents solve them.
    arrivals_calendar = calendar if contacts == "calls" else None
    zone = args.timezone
    if arrivals_calendar is None and calendar is not None:
        zone = zone or calendar.timezone
    forecast = forecast_volume(
        items,
        interval=args.interval,
        horizon=args.horizon,
        method=args.method,
        level=args.level,
        calendar=arrivals_calendar,
        timezone=zone,
        as_of=_as_of(args.as_of),
        contacts=contacts,
    )
    settings = {
        "interval": args.interval,
        "horizon": args.horizon,
        "target": args.target,
        "model": args.model,
        "shrinkage": args.shrinkage,
        "contacts": contacts,
    }
    fmt = format_for(args.format, args.output)
    if contacts == "tickets":
        write_output(_backlog(args, forecast, calendar, settings, fmt), args.output)
        return 0
    plan = staffing_plan(
        forecast,
        aht=args.aht,
        history=items,
        service_level=service_level,
        target=target,
        model=args.model,
        patience=args.patience,
        shrinkage=args.shrinkage,
        max_occupancy=args.max_occupancy,
        fractional=args.fractional,
        hours_per_fte=args.fte_hours,
    )
    write_output(render_plan(forecast, plan, fmt=fmt, settings=settings), args.output)
    return 0


def _backlog(
    args: argparse.Namespace,
    forecast: Any,
    calendar: Any,
    settings: dict[str, Any],
    fmt: str,
) -> str:
    """Tickets wait in a backlog, not a queue: project it instead of an Erlang plan."""
    from cxmetrics.planning import project_backlog
    from cxmetrics.planning._grid import duration_seconds
    from cxmetrics.planning.render import render_backlog

    if args.tickets_per_agent_hour is None:
        raise CXMetricsError(
            "the files hold tickets, not calls: give --tickets-per-agent-hour (and --agents, "
            "--backlog, --resolution-target) to project the backlog"
        )
    target = None
    if args.resolution_target is not None:
        target = duration_seconds(args.resolution_target, "resolution_target", "cxmetrics plan")
    projection = project_backlog(
        forecast,
        agents=args.agents,
        tickets_per_agent_hour=args.tickets_per_agent_hour,
        backlog=args.backlog,
        calendar=calendar,
        shrinkage=args.shrinkage,
        resolution_target=target,
    )
    settings = {**settings, "tickets_per_agent_hour": args.tickets_per_agent_hour}
    return render_backlog(forecast, projection, fmt=fmt, settings=settings)


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidParameterError(f"--as-of must be ISO 8601. Got {text!r} instead.") from exc
    if value.tzinfo is None:
        raise InvalidParameterError(
            f"--as-of needs a UTC offset, e.g. {text}+00:00. Got {text!r} instead."
        )
    return value


def _load(args: argparse.Namespace) -> tuple[Any, Literal["calls", "tickets"]]:
    """The contacts to forecast: calls when the data hold them, else tickets."""
    if args.sample and args.files:
        raise CXMetricsError("give history files or --sample, not both")
    if args.sample:
        from cxmetrics.datasets import load_sample

        return load_sample().calls, "calls"
    if not args.files:
        raise CXMetricsError(
            "no data given: name your history files (calls.csv, tickets.parquet…) or use "
            "--sample for the bundled sample data set"
        )
    from cxmetrics.io.files import read_files

    data = read_files(args.files, timezone=args.input_timezone, errors="raise", progress=True)
    inputs = data.inputs()
    if inputs.get("calls") is not None:
        return inputs["calls"], "calls"
    if inputs.get("tickets") is not None:
        return inputs["tickets"], "tickets"
    raise CXMetricsError("nothing to forecast: the files hold neither calls nor tickets")
