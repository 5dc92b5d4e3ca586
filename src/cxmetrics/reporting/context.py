"""What a reader needs to know before the numbers: the report's header.

:class:`ReportContext` holds the data range, the timezone periods are cut in, the
calendar durations are measured in, the SLA policy and its targets, the
definitions preset and the statistic of the durations. The page prints it first;
charts draw the SLA and service-level targets from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from cxmetrics.insight.targets import Target
from cxmetrics.registry import get_metric
from cxmetrics.tables.schema import RecordTable
from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = ["ReportContext", "context_of", "data_range"]


@dataclass(frozen=True)
class ReportContext:
    """The settings and extent of a report, as the header states them.

    Attributes
    ----------
    start_at, end_at : datetime or None
        First and last instant of the data (ticket creation, survey response,
        call arrival), UTC.
    timezone : str
        IANA timezone of the periods.
    period : str or None
        The period granularity (``None``: the whole data).
    calendar : str
        ``"calendar time"`` or a description of the business calendar.
    sla : str or None
        The SLA policy's name (``None``: no policy given).
    targets : dict of str to float
        Targets in seconds drawn on charts: ``first_response_time`` and
        ``resolution_time`` from the SLA policy (default priority), ``service_level``
        as the answer-time target.
    definitions : str
        The definitions preset.
    statistic : str
        The statistic of ticket durations (``"mean"``, ``"median"``, ``"p90"``…).
    goals : tuple of Target
        The metric targets of ``report(targets=...)``: met or missed on the
        cards, drawn on the trend charts.

    Examples
    --------
    >>> ReportContext(timezone="Europe/Paris").describe()[:2]
    [('Data', 'no dated rows'), ('Periods', 'whole data, Europe/Paris')]
    """

    start_at: datetime | None = None
    end_at: datetime | None = None
    timezone: str = "UTC"
    period: str | None = None
    calendar: str = "calendar time (24/7)"
    sla: str | None = None
    targets: dict[str, float] = field(default_factory=dict)
    definitions: str = "default"
    statistic: str = "mean"
    goals: tuple[Target, ...] = ()

    def describe(self) -> list[tuple[str, str]]:
        """The header lines, ``(label, text)``."""
        if self.start_at is None or self.end_at is None:
            extent = "no dated rows"
        else:
            extent = f"{self.start_at:%Y-%m-%d} to {self.end_at:%Y-%m-%d} (UTC)"
        sla = self.sla or "none given"
        if self.sla and self.targets:
            sla += " (" + ", ".join(
                f"{name.replace('_', ' ')} within {_hours(seconds)}"
                for name, seconds in self.targets.items()
                if name != "service_level"
            ) + ")"  # fmt: skip
        return [
            ("Data", extent),
            ("Periods", f"{self.period or 'whole data'}, {self.timezone}"),
            ("Durations", f"{self.statistic} ({_STATISTIC_NOTE.get(self.statistic, 'quantile')}), "
                          f"in {self.calendar}"),
            ("SLA policy", sla),
            ("Definitions", f"preset {self.definitions!r}"),
            *([("Targets", ", ".join(_goal(t) for t in self.goals))] if self.goals else []),
        ]  # fmt: skip


_STATISTIC_NOTE = {"mean": "average; heavy tails pull it up", "median": "half the tickets faster"}


def _goal(target: Target) -> str:
    sign = "≥" if target.direction == "at_least" else "≤"
    value = target.value
    if isinstance(value, timedelta):
        shown = _hours(value.total_seconds())
    elif get_metric(target.metric).unit == "ratio":
        shown = f"{100 * value:g}%"
    else:
        shown = f"{value:g}"
    return f"{target.metric.replace('_', ' ')} {sign} {shown}"


def _hours(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:g} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:g} h"
    return f"{seconds / 86400:g} days"


def context_of(
    inputs: dict[str, Any],
    *,
    period: str | None,
    timezone_name: str,
    calendar: Any,
    sla: Any,
    params: dict[str, dict[str, Any]],
    statistic: str,
    goals: tuple[Target, ...] = (),
    extent: tuple[float, float] | None = None,
) -> ReportContext:
    """The context of a report over ``inputs`` with these settings.

    ``extent``: the data range (first and last instant, epoch seconds) when the
    inputs are not at hand (a partitioned report merges the parts' ranges).
    """
    low, high = data_range(inputs) if extent is None else extent
    definitions = "default"
    for options in params.values():
        chosen = options.get("definitions")
        if isinstance(chosen, str):
            definitions = chosen
    return ReportContext(
        start_at=None if math.isinf(low) else datetime.fromtimestamp(low, timezone.utc),
        end_at=None if math.isinf(high) else datetime.fromtimestamp(high, timezone.utc),
        timezone=timezone_name,
        period=period,
        calendar=_calendar_text(calendar),
        sla=getattr(sla, "name", None) or (None if sla is None else type(sla).__name__),
        targets=_targets(sla, params),
        definitions=definitions,
        statistic=statistic,
        goals=goals,
    )


def data_range(inputs: dict[str, Any]) -> tuple[float, float]:
    """First and last instant of the inputs (epoch seconds; ``(inf, -inf)``: none).

    Ticket creation, survey response, call arrival…: the ranges of two parts of
    the data merge by min and max.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> low, high = data_range({"tickets": generate(20, seed=1).tickets})
    >>> low < high
    True
    """
    low, high = math.inf, -math.inf
    for instants in _instants(inputs):
        finite = instants[np.isfinite(instants)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return low, high


def _instants(inputs: dict[str, Any]) -> list[np.ndarray[Any, Any]]:
    out = []
    tickets = inputs.get("tickets")
    if isinstance(tickets, TicketBatch):
        out.append(np.asarray(tickets.created_at, dtype=float))
    for kind, column in (
        ("surveys", "responded_at"),
        ("calls", "at"),
        ("staff_surveys", "responded_at"),
        ("qa_evaluations", "evaluated_at"),
        ("callbacks", "requested_at"),
    ):
        table = inputs.get(kind)
        if isinstance(table, RecordTable) and table.get(column) is not None:
            out.append(np.asarray(table[column], dtype=float))
    return out


def _calendar_text(calendar: Any) -> str:
    if calendar is None:
        return "calendar time (24/7)"
    hours = getattr(calendar, "hours", None)
    shown = ", ".join(f"{day} {span}" for day, span in dict(hours or {}).items())
    return f"business hours of {getattr(calendar, 'timezone', '?')}" + (
        f" ({shown})" if shown else ""
    )


_SLA_METRICS = {"first_reply": "first_response_time", "resolution": "resolution_time"}


def _targets(sla: Any, params: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Target lines: the SLA's default-priority targets, the service-level answer time."""
    out: dict[str, float] = {}
    for target in getattr(sla, "targets", ()) or ():
        name = _SLA_METRICS.get(str(getattr(target, "metric", "")))
        if name and getattr(target, "priority", None) is None and name not in out:
            within = target.within
            out[name] = float(
                within.total_seconds() if hasattr(within, "total_seconds") else within
            )
    answer = params.get("service_level", {}).get("target")
    if answer is not None:
        out["service_level"] = float(
            answer.total_seconds() if hasattr(answer, "total_seconds") else answer
        )
    return out
