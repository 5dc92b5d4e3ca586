"""Resolution time, requester wait time and resolution rate of tickets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import numpy as np

from cxmetrics.metrics._duration import DurationParams, DurationState, duration_result
from cxmetrics.metrics.base import Metric, MetricParams, MetricResult, safe_ratio
from cxmetrics.metrics.state import RatioState
from cxmetrics.registry import register
from cxmetrics.stats import wilson_interval
from cxmetrics.tickets.measures import ticket_metrics

__all__ = [
    "RequesterWaitTime",
    "ResolutionRate",
    "ResolutionTime",
    "requester_wait_time",
    "resolution_rate",
    "resolution_time",
]


def _resolution_update(tickets: Any, params: DurationParams) -> DurationState:
    table = ticket_metrics(tickets, params.calendar, params.definitions)
    events = params.definitions.resolution_events
    if events == "each":
        # Chatwoot: every solve is its own event, measured from creation.
        return DurationState.of(table.solve_seconds)
    column = "full_resolution" if events == "full" else "first_resolution"
    if params.calendar is not None:
        column += "_business"
    return DurationState.of(np.asarray(table[column], dtype=np.float64))


def _wait_update(tickets: Any, params: DurationParams) -> DurationState:
    table = ticket_metrics(tickets, params.calendar, params.definitions)
    column = "requester_wait_business" if params.calendar is not None else "requester_wait"
    return DurationState.of(np.asarray(table[column], dtype=np.float64))


def resolution_time(tickets: Any, **options: Any) -> timedelta:
    """Time from creation to resolution of resolved tickets.

    By default the full resolution time (to the latest solve of a ticket that is
    solved or closed now, Zendesk's definition); ``Definitions(resolution_events=
    "first")`` measures to the first solve, ``"each"`` counts every solve as its own
    event from creation (Chatwoot). Unresolved tickets are excluded and counted in
    ``details["excluded"]``. Pending and on-hold time are not subtracted (pausing
    belongs to SLA clocks). Same parameters as
    :func:`~cxmetrics.first_response_time`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> solved = lambda h: [StatusChange(at=t0 + timedelta(hours=h), status="solved")]
    >>> tickets = [Ticket(id=1, created_at=t0, status_changes=solved(2)),
    ...            Ticket(id=2, created_at=t0, status_changes=solved(6)), Ticket(id=3, created_at=t0)]
    >>> resolution_time(tickets)
    datetime.timedelta(seconds=14400)
    """
    metric = ResolutionTime(**options)
    metric.update(tickets)
    value: timedelta = metric.compute().value
    return value


def requester_wait_time(tickets: Any, **options: Any) -> timedelta:
    """Time resolved tickets spent waiting on the team: new, open and on-hold status.

    Zendesk's requester wait time (pending time is the agent's wait for the
    customer, excluded). Unresolved tickets are excluded. Same parameters as
    :func:`~cxmetrics.first_response_time`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> at = lambda h: t0 + timedelta(hours=h)
    >>> ticket = Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=at(1), status="pending"), StatusChange(at=at(5), status="open"),
    ...     StatusChange(at=at(6), status="solved")])
    >>> requester_wait_time([ticket])     # new 1 h + open 1 h; 4 h pending excluded
    datetime.timedelta(seconds=7200)
    """
    metric = RequesterWaitTime(**options)
    metric.update(tickets)
    value: timedelta = metric.compute().value
    return value


@register
class ResolutionTime(Metric[DurationState, DurationParams]):
    """Resolution time, mergeable; see :func:`resolution_time`.

    Examples
    --------
    >>> ResolutionTime(statistic="p90", definitions="chatwoot").params.definitions.resolution_events
    'each'
    """

    name: ClassVar[str] = "resolution_time"
    unit: ClassVar[str] = "seconds"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    state_type = DurationState
    Params = DurationParams

    @staticmethod
    def _update(items: Any, params: Any) -> DurationState:
        return _resolution_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return duration_result(state, params, "resolution_time")


@register
class RequesterWaitTime(Metric[DurationState, DurationParams]):
    """Requester wait time, mergeable; see :func:`requester_wait_time`.

    Examples
    --------
    >>> RequesterWaitTime().name
    'requester_wait_time'
    """

    name: ClassVar[str] = "requester_wait_time"
    unit: ClassVar[str] = "seconds"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    state_type = DurationState
    Params = DurationParams

    @staticmethod
    def _update(items: Any, params: Any) -> DurationState:
        return _wait_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return duration_result(state, params, "requester_wait_time")


def _rate_update(tickets: Any, params: MetricParams) -> RatioState:
    table = ticket_metrics(tickets)
    return RatioState(int(np.count_nonzero(table["resolved"])), len(table))


def _rate_compute(state: RatioState, params: MetricParams) -> MetricResult:
    return MetricResult(
        safe_ratio(state.numerator, state.denominator, params.zero_division, "resolution_rate"),
        state.denominator,
        "ratio",
        wilson_interval(state.numerator, state.denominator, params.confidence),
        params.confidence,
        {"resolved": state.numerator},
    )


def resolution_rate(tickets: Any, **options: Any) -> float:
    """Share of tickets that are resolved (solved or closed), in [0, 1].

    Per period (see the report), the denominator is the tickets created in the
    period and the numerator those of them resolved now.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> resolution_rate([Ticket(id=1, created_at=t0, status="solved"), Ticket(id=2, created_at=t0)])
    0.5
    """
    metric = ResolutionRate(**options)
    metric.update(tickets)
    return float(metric.compute().value)


@register
class ResolutionRate(Metric[RatioState, MetricParams]):
    """Resolution rate, mergeable, with a Wilson interval; see :func:`resolution_rate`.

    Examples
    --------
    >>> ResolutionRate().unit
    'ratio'
    """

    name: ClassVar[str] = "resolution_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _rate_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _rate_compute(state, params)
