"""Ticket volume per period, in a timezone, and by hour of day and weekday."""

from __future__ import annotations

from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from pydantic import field_validator

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision
from cxmetrics.core.local_time import local_seconds
from cxmetrics.core.periods import period_index, period_labels
from cxmetrics.core.state import CountsState
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics.channel_mix import count_result
from cxmetrics.registry import register
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = ["TicketVolume", "VolumeParams", "ticket_volume"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _periods_spanned(labels: list[str], period: str) -> int | None:
    """Number of periods from the first label to the last, empty ones included."""
    if not labels:
        return None
    first, last = min(labels), max(labels)
    return period_index(last, period) - period_index(first, period) + 1


class VolumeParams(MetricParams):
    """Parameters of :class:`TicketVolume`."""

    period: str = "day"
    timezone: str = "UTC"

    @field_validator("period")
    @classmethod
    def _check_period(cls, period: str) -> str:
        if period not in ("day", "week", "month", "quarter", "year", "hour_weekday"):
            raise InvalidParameterError(
                "one of 'day', 'week', 'month', 'quarter', 'year', 'hour_weekday'"
            )
        return period

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, timezone: str) -> str:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidParameterError("an IANA timezone name such as 'Europe/Paris'") from None
        return timezone


_HOUR_WEEKDAY_LABELS = np.array(
    [f"{day} {hour:02d}h" for day in _WEEKDAYS for hour in range(24)], dtype=object
)
"""Labels of the 168 weekday x hour slots, Monday 00h first."""


def _volume_labels(created: Any, params: VolumeParams) -> Any:
    if params.period != "hour_weekday":
        return period_labels(created, params.period, params.timezone)
    local = local_seconds(created, params.timezone)
    days = np.floor(local / 86400.0)
    weekday = ((days + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday; Monday = 0
    hour = ((local - days * 86400.0) // 3600.0).astype(np.int64)
    return _HOUR_WEEKDAY_LABELS[weekday * 24 + hour]


_WEEK = "week "
"""Prefix of the ISO-week tallies kept beside the hour x weekday counts (for averages)."""


def _volume_update(tickets: Any, params: VolumeParams) -> CountsState:
    batch = as_ticket_batch(tickets)
    if len(batch) == 0:
        return CountsState()
    labels, counts = np.unique(_volume_labels(batch.created_at, params), return_counts=True)
    tally = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    if params.period == "hour_weekday":
        # The weeks the tickets fall in, so that merged states still know the span.
        weeks, per_week = np.unique(
            period_labels(batch.created_at, "week", params.timezone), return_counts=True
        )
        tally.update({_WEEK + w: c for w, c in zip(weeks.tolist(), per_week.tolist(), strict=True)})
    return CountsState.of(tally)


def _volume_compute(state: CountsState, params: VolumeParams) -> MetricResult:
    everything = state.as_dict()
    counts = {k: v for k, v in everything.items() if not k.startswith(_WEEK)}
    weeks = [k[len(_WEEK) :] for k in everything if k.startswith(_WEEK)]
    result = count_result(CountsState.of(counts), params, "ticket_volume", share=False)
    mean: float | dict[str, float]
    if params.period == "hour_weekday":
        order = {day: i for i, day in enumerate(_WEEKDAYS)}
        counts = dict(sorted(counts.items(), key=lambda kv: (order[kv[0][:3]], kv[0][4:])))
        spanned = _periods_spanned(weeks, "week")
        # Each weekday-hour slot occurs once a week: its average is its count per week.
        mean = {k: v / spanned for k, v in counts.items()} if spanned else {}
    else:
        spanned = _periods_spanned(list(counts), params.period)
        mean = sum(counts.values()) / spanned if spanned else float("nan")
    value = counts if counts else result.value
    details = {"mean_per_period": mean, "periods": spanned, "timezone": params.timezone}
    return MetricResult(value, result.n, "count", None, params.confidence, details)


def ticket_volume(
    tickets: Any,
    *,
    period: str = "day",
    timezone: str = "UTC",
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
) -> dict[str, int]:
    """Tickets created per period (day, ISO week, month, quarter, year) in a timezone.

    ``period="hour_weekday"`` counts by local weekday and hour (``"Mon 09h"``, in
    weekday order), for arrival heatmaps. The class result's
    ``details["mean_per_period"]`` is the average per period from the first period
    with tickets to the last, empty periods included (``details["periods"]``);
    for ``"hour_weekday"`` it maps each slot to its average per week over the ISO
    weeks from the first ticket's to the last's (a slot occurs once a week).

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    period : {"day", "week", "month", "quarter", "year", "hour_weekday"}, default="day"
        Weeks are ISO weeks (Monday to Sunday).
    timezone : str, default="UTC"
        IANA timezone the periods are local to.
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> days = [datetime(2024, 3, d, 12, tzinfo=timezone.utc) for d in (4, 4, 5, 12)]
    >>> tickets = [Ticket(id=i, created_at=d) for i, d in enumerate(days)]
    >>> ticket_volume(tickets, period="week")
    {'2024-W10': 3, '2024-W11': 1}
    >>> metric = TicketVolume(period="day")
    >>> metric.update(tickets)
    >>> metric.compute().details["mean_per_period"]    # 4 tickets over 9 days
    0.4444444444444444
    """
    metric = TicketVolume(
        period=period, timezone=timezone, zero_division=zero_division, confidence=confidence
    )
    metric.update(tickets)
    value: dict[str, int] = metric.compute().value
    return value


@register
class TicketVolume(Metric[CountsState, VolumeParams]):
    """Ticket volume per period, mergeable; see :func:`ticket_volume`.

    Examples
    --------
    >>> TicketVolume(period="month", timezone="Europe/Paris").params.period
    'month'
    """

    name: ClassVar[str] = "ticket_volume"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = None
    state_type = CountsState
    Params = VolumeParams

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        return _volume_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _volume_compute(state, params)
