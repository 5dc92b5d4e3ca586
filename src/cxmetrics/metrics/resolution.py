"""Resolution time, requester wait time and resolution rate of tickets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

import numpy as np

from cxmetrics.calendars import BusinessCalendar
from cxmetrics.core.base import Metric, MetricResult, ZeroDivision
from cxmetrics.core.state import RatioState
from cxmetrics.definitions import Definitions
from cxmetrics.metrics._duration import (
    DurationParams,
    Durations,
    DurationState,
    TicketDuration,
    measure,
    per_ticket_state,
)
from cxmetrics.metrics._tickets import TicketParams, in_period, ratio_result, ticket_options
from cxmetrics.models.ticket import TICKET_STATUSES
from cxmetrics.registry import register
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tickets.backlog import resolved_at_instants
from cxmetrics.tickets.measure import measured

_RESOLVED = np.array([TICKET_STATUSES.index("solved"), TICKET_STATUSES.index("closed")])

__all__ = [
    "RequesterWaitTime",
    "ResolutionRate",
    "ResolutionTime",
    "requester_wait_time",
    "resolution_rate",
    "resolution_time",
]


def _resolution_update(tickets: Any, params: DurationParams) -> Durations:
    table = measure(tickets, params)
    events = params.definitions.resolution_events
    if events == "each":
        # Chatwoot: every solve is its own event, measured from creation.
        solves = table.solves
        column = "seconds_business" if params.calendar is not None else "seconds"
        return DurationState.select(
            np.asarray(solves[column], dtype=np.float64),
            np.asarray(solves["ticket"], dtype=np.int64),
            np.asarray(table["created_at"], dtype=np.float64),
            np.asarray(solves["at"], dtype=np.float64),
            params,
        )
    if events == "first":
        return per_ticket_state(table, "first_resolution", "first_resolved_at", params)
    return per_ticket_state(table, "full_resolution", "resolved_at", params)


def _requester_wait_update(tickets: Any, params: DurationParams) -> Durations:
    return per_ticket_state(measure(tickets, params), "requester_wait", "resolved_at", params)


def resolution_time(
    tickets: Any,
    *,
    statistic: str = "mean",
    quantiles: Literal["exact", "sketch"] = "exact",
    calendar: BusinessCalendar | None = None,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
    period: tuple[datetime, datetime] | None = None,
) -> timedelta:
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
    metric = ResolutionTime(
        **ticket_options(
            definitions=definitions,
            window=window,
            period=period,
            zero_division=zero_division,
            confidence=confidence,
            statistic=statistic,
            quantiles=quantiles,
            calendar=calendar,
        )
    )
    metric.update(tickets)
    value: timedelta = metric.compute().value
    return value


def requester_wait_time(
    tickets: Any,
    *,
    statistic: str = "mean",
    quantiles: Literal["exact", "sketch"] = "exact",
    calendar: BusinessCalendar | None = None,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
    period: tuple[datetime, datetime] | None = None,
) -> timedelta:
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
    metric = RequesterWaitTime(
        **ticket_options(
            definitions=definitions,
            window=window,
            period=period,
            zero_division=zero_division,
            confidence=confidence,
            statistic=statistic,
            quantiles=quantiles,
            calendar=calendar,
        )
    )
    metric.update(tickets)
    value: timedelta = metric.compute().value
    return value


@register
class ResolutionTime(TicketDuration):
    """Resolution time, mergeable; see :func:`resolution_time`.

    Examples
    --------
    >>> ResolutionTime(statistic="p90", definitions="chatwoot").params.definitions.resolution_events
    'each'
    """

    name: ClassVar[str] = "resolution_time"

    @staticmethod
    def _update(items: Any, params: Any) -> Durations:
        return _resolution_update(items, params)


@register
class RequesterWaitTime(TicketDuration):
    """Requester wait time, mergeable; see :func:`requester_wait_time`.

    Examples
    --------
    >>> RequesterWaitTime().name
    'requester_wait_time'
    """

    name: ClassVar[str] = "requester_wait_time"

    @staticmethod
    def _update(items: Any, params: Any) -> Durations:
        return _requester_wait_update(items, params)


def _resolution_rate_update(tickets: Any, params: TicketParams) -> RatioState:
    batch = as_ticket_batch(tickets)
    bounds = params.bounds
    if bounds is None:
        resolved = np.isin(batch.status, _RESOLVED)
        return RatioState(int(np.count_nonzero(resolved)), len(batch))
    start, end = bounds
    if not params.by_event:
        # Created in the period; resolved: solved or closed at its end.
        created = in_period(batch.created_at, bounds)
        resolved_at_end = resolved_at_instants(batch, np.array([end]))[:, 0]
        return RatioState(int(np.count_nonzero(created & resolved_at_end)), int(created.sum()))
    # Event: the tickets open at some time in the period (created before its end and
    # not resolved at its start); resolved: solved during it.
    table = measured(tickets, None, params.definitions)
    resolved_at_start = resolved_at_instants(batch, np.array([start]))[:, 0]
    workload = (batch.created_at < end) & ~resolved_at_start
    solve_in = in_period(np.asarray(table.solves["at"], dtype=np.float64), bounds)
    ticket = np.asarray(table.solves["ticket"], dtype=np.int64)
    solved_in = np.bincount(ticket[solve_in], minlength=len(batch)) > 0
    return RatioState(int(np.count_nonzero(workload & solved_in)), int(workload.sum()))


def _resolution_rate_compute(state: RatioState, params: TicketParams) -> MetricResult:
    return ratio_result(state, params, "resolution_rate", resolved=state.numerator)


def resolution_rate(
    tickets: Any,
    *,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
    period: tuple[datetime, datetime] | None = None,
) -> float:
    """Share of tickets that are resolved (solved or closed), in [0, 1].

    With a ``period`` and ``attribute_to="created"``: the tickets created in the
    period that are resolved at its end, over those created in it; with
    ``attribute_to="event"``: the tickets solved during the period, over those open
    at some time in it (created before its end, unresolved at its start).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> resolution_rate([Ticket(id=1, created_at=t0, status="solved"), Ticket(id=2, created_at=t0)])
    0.5
    """
    metric = ResolutionRate(
        **ticket_options(
            definitions=definitions,
            window=window,
            period=period,
            zero_division=zero_division,
            confidence=confidence,
        )
    )
    metric.update(tickets)
    return float(metric.compute().value)


@register
class ResolutionRate(Metric[RatioState, TicketParams]):
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
    Params = TicketParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _resolution_rate_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _resolution_rate_compute(state, params)
