"""First, next and average response time of tickets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

import numpy as np

from cxmetrics.calendars import BusinessCalendar
from cxmetrics.core.base import ZeroDivision
from cxmetrics.definitions import Definitions
from cxmetrics.metrics._duration import (
    DurationParams,
    Durations,
    DurationState,
    TicketDuration,
    measure,
    per_ticket_state,
)
from cxmetrics.metrics._tickets import ticket_options
from cxmetrics.registry import register

__all__ = [
    "AverageResponseTime",
    "FirstResponseTime",
    "NextResponseTime",
    "average_response_time",
    "first_response_time",
    "next_response_time",
]


def _first_response_update(tickets: Any, params: DurationParams) -> Durations:
    return per_ticket_state(measure(tickets, params), "first_reply", "first_reply_at", params)


def _exchanges_update(tickets: Any, params: DurationParams, *, include_first: bool) -> Durations:
    table = measure(tickets, params)
    exchanges = table.exchanges
    keep = np.ones(len(exchanges), dtype=bool) if include_first else ~exchanges["first"]
    column = "seconds_business" if params.calendar is not None else "seconds"
    return DurationState.select(
        np.asarray(exchanges[column], dtype=np.float64)[keep],
        np.asarray(exchanges["ticket"], dtype=np.int64)[keep],
        np.asarray(table["created_at"], dtype=np.float64),
        np.asarray(exchanges["replied_at"], dtype=np.float64)[keep],
        params,
    )


def _next_response_update(tickets: Any, params: DurationParams) -> Durations:
    return _exchanges_update(tickets, params, include_first=False)


def _average_response_update(tickets: Any, params: DurationParams) -> Durations:
    return _exchanges_update(tickets, params, include_first=True)


def first_response_time(
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
        ``"mean"``, ``"median"``, ``"max"`` (the longest), ``"min"`` or a percentile
        such as ``"p90"``.
    quantiles : {"exact", "sketch"}, default="exact"
        ``"sketch"``: medians and percentiles from a mergeable KLL sketch, within
        1.33% of rank (see :mod:`cxmetrics.core.sketch`); bounded memory.
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
    metric = FirstResponseTime(
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


def next_response_time(
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
    metric = NextResponseTime(
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


def average_response_time(
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
    metric = AverageResponseTime(
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
class FirstResponseTime(TicketDuration):
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
    def _update(items: Any, params: Any) -> Durations:
        return _first_response_update(items, params)


@register
class NextResponseTime(TicketDuration):
    """Next response time, mergeable; see :func:`next_response_time`.

    Examples
    --------
    >>> NextResponseTime(statistic="median").params.statistic
    'median'
    """

    name: ClassVar[str] = "next_response_time"

    @staticmethod
    def _update(items: Any, params: Any) -> Durations:
        return _next_response_update(items, params)


@register
class AverageResponseTime(TicketDuration):
    """Response time over every exchange, mergeable; see :func:`average_response_time`.

    Examples
    --------
    >>> AverageResponseTime().params.statistic
    'mean'
    """

    name: ClassVar[str] = "average_response_time"

    @staticmethod
    def _update(items: Any, params: Any) -> Durations:
        return _average_response_update(items, params)
