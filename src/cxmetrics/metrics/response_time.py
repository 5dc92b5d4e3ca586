"""First, next and average response time of tickets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import numpy as np

from cxmetrics.metrics._duration import DurationParams, DurationState, duration_result
from cxmetrics.metrics.base import Metric, MetricResult
from cxmetrics.registry import register
from cxmetrics.tickets.measures import ticket_metrics

__all__ = [
    "AverageResponseTime",
    "FirstResponseTime",
    "NextResponseTime",
    "average_response_time",
    "first_response_time",
    "next_response_time",
]


def _first_update(tickets: Any, params: DurationParams) -> DurationState:
    table = ticket_metrics(tickets, params.calendar, params.definitions)
    column = "first_reply_business" if params.calendar is not None else "first_reply"
    return DurationState.of(np.asarray(table[column], dtype=np.float64))


def _exchanges_update(
    tickets: Any, params: DurationParams, *, include_first: bool
) -> DurationState:
    table = ticket_metrics(tickets, params.calendar, params.definitions)
    keep = np.ones(len(table.exchanges), dtype=bool) if include_first else ~table.exchanges.first
    return DurationState.of(table.exchange_seconds[keep])


def first_response_time(tickets: Any, **options: Any) -> timedelta:
    r"""Time from a ticket's creation to its first reply.

    .. math:: \mathrm{FRT} = \operatorname{stat}_{t}\,(\text{first reply}_t - \text{created}_t)

    A reply is a public, human, non-automated agent message (or an answered call),
    as :class:`~cxmetrics.Definitions` say; for tickets opened by an agent the
    default (Zendesk) rule takes the second reply. Tickets without a reply yet are
    left out and counted in the result's ``details["excluded"]``.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    statistic : str, default="mean"
        ``"mean"``, ``"median"`` or a percentile such as ``"p90"``.
    calendar : BusinessCalendar, optional
        Measure in business time.
    definitions : Definitions or str, default="default"
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    timedelta

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=i, created_at=t0, interactions=[
    ...     Message(at=t0 + timedelta(minutes=m), author="agent")]) for i, m in enumerate([10, 20, 90])]
    >>> first_response_time(tickets), first_response_time(tickets, statistic="median")
    (datetime.timedelta(seconds=2400), datetime.timedelta(seconds=1200))
    """
    metric = FirstResponseTime(**options)
    metric.update(tickets)
    value: timedelta = metric.compute().value
    return value


def next_response_time(tickets: Any, **options: Any) -> timedelta:
    """Time to each reply after the first, from the oldest unanswered customer message.

    Every customer→agent exchange after a ticket's first one counts once: a run of
    customer messages is measured from its oldest message to the agent's next reply.
    Same parameters as :func:`first_response_time`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> at = lambda m: t0 + timedelta(minutes=m)
    >>> ticket = Ticket(id=1, created_at=t0, interactions=[
    ...     Message(at=at(0), author="customer"), Message(at=at(10), author="agent"),
    ...     Message(at=at(60), author="customer"), Message(at=at(70), author="customer"),
    ...     Message(at=at(100), author="agent")])
    >>> next_response_time([ticket])     # from the customer's message at minute 60
    datetime.timedelta(seconds=2400)
    """
    metric = NextResponseTime(**options)
    metric.update(tickets)
    value: timedelta = metric.compute().value
    return value


def average_response_time(tickets: Any, **options: Any) -> timedelta:
    """Time to every reply (first included), from the oldest unanswered customer message.

    Same parameters as :func:`first_response_time`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> at = lambda m: t0 + timedelta(minutes=m)
    >>> ticket = Ticket(id=1, created_at=t0, interactions=[
    ...     Message(at=at(0), author="customer"), Message(at=at(10), author="agent"),
    ...     Message(at=at(60), author="customer"), Message(at=at(100), author="agent")])
    >>> average_response_time([ticket])   # (10 + 40) / 2 minutes
    datetime.timedelta(seconds=1500)
    """
    metric = AverageResponseTime(**options)
    metric.update(tickets)
    value: timedelta = metric.compute().value
    return value


class _Duration(Metric[DurationState, DurationParams]):
    unit: ClassVar[str] = "seconds"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = None
    state_type = DurationState
    Params = DurationParams

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return duration_result(state, params, "duration")


@register
class FirstResponseTime(_Duration):
    """First response time, mergeable; see :func:`first_response_time`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> metric = FirstResponseTime(statistic="p90")
    >>> metric.update([Ticket(id=1, created_at=t0), Ticket(id=2, created_at=t0, interactions=[
    ...     Message(at=t0 + timedelta(minutes=5), author="agent")])])
    >>> result = metric.compute()
    >>> result.value, result.n, result.details["excluded"]
    (datetime.timedelta(seconds=300), 1, 1)
    """

    name: ClassVar[str] = "first_response_time"

    @staticmethod
    def _update(items: Any, params: Any) -> DurationState:
        return _first_update(items, params)


@register
class NextResponseTime(_Duration):
    """Next response time, mergeable; see :func:`next_response_time`.

    Examples
    --------
    >>> NextResponseTime(statistic="median").params.statistic
    'median'
    """

    name: ClassVar[str] = "next_response_time"

    @staticmethod
    def _update(items: Any, params: Any) -> DurationState:
        return _exchanges_update(items, params, include_first=False)


@register
class AverageResponseTime(_Duration):
    """Response time over every exchange, mergeable; see :func:`average_response_time`.

    Examples
    --------
    >>> AverageResponseTime().params.statistic
    'mean'
    """

    name: ClassVar[str] = "average_response_time"

    @staticmethod
    def _update(items: Any, params: Any) -> DurationState:
        return _exchanges_update(items, params, include_first=True)
