"""Unassigned time: from a ticket's creation to its first assignment to an agent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from cxmetrics.calendars import BusinessCalendar
from cxmetrics.core.base import ZeroDivision
from cxmetrics.definitions import Definitions
from cxmetrics.metrics._duration import (
    DurationParams,
    Durations,
    TicketDuration,
    measure,
    per_ticket_state,
)
from cxmetrics.metrics._tickets import ticket_options
from cxmetrics.registry import register

__all__ = ["UnassignedTime", "unassigned_time"]


def _unassigned_update(tickets: Any, params: DurationParams) -> Durations:
    return per_ticket_state(measure(tickets, params), "unassigned", "first_assigned_at", params)


def unassigned_time(
    tickets: Any,
    *,
    statistic: str = "mean",
    calendar: BusinessCalendar | None = None,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
) -> timedelta:
    r"""Time from a ticket's creation to its first assignment to an agent.

    .. math:: \operatorname{stat}_{t}\,(\text{first assigned}_t - \text{created}_t)

    dbt_zendesk's ``ticket_unassigned_duration_calendar_minutes`` (the
    ``unassigned`` column of :func:`~cxmetrics.tickets.ticket_metrics`). Tickets
    never assigned to an agent (or without an assignment history) are left out and
    counted in ``details["excluded"]``. With ``attribute_to="event"`` a value
    belongs to the window of the assignment.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    statistic : str, default="mean"
        ``"mean"``, ``"median"`` or a percentile such as ``"p90"``.
    calendar : BusinessCalendar, optional
        Measure in business time.
    definitions : Definitions or str, default="default"
    window : (datetime, datetime), optional
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Assignment, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=m, created_at=t0, assignments=[
    ...     Assignment(at=t0 + timedelta(minutes=m), agent_id="ann")]) for m in (5, 15)]
    >>> unassigned_time(tickets)
    datetime.timedelta(seconds=600)
    """
    metric = UnassignedTime(
        **ticket_options(
            definitions=definitions,
            window=window,
            period=None,
            zero_division=zero_division,
            confidence=confidence,
            statistic=statistic,
            calendar=calendar,
        )
    )
    metric.update(tickets)
    value: timedelta = metric.compute().value
    return value


@register
class UnassignedTime(TicketDuration):
    """Unassigned time, mergeable; see :func:`unassigned_time`.

    Examples
    --------
    >>> UnassignedTime(statistic="median").params.statistic
    'median'
    """

    name: ClassVar[str] = "unassigned_time"

    @staticmethod
    def _update(items: Any, params: Any) -> Durations:
        return _unassigned_update(items, params)
