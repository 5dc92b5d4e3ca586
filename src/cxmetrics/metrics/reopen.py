"""Reopen rate of tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import numpy as np

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision
from cxmetrics.core.state import RatioState
from cxmetrics.definitions import Definitions
from cxmetrics.metrics._tickets import TicketParams, in_period, ratio_result, ticket_options
from cxmetrics.registry import register
from cxmetrics.tickets.measure import measured

__all__ = ["ReopenRate", "reopen_rate"]


def _reopen_update(tickets: Any, params: TicketParams) -> RatioState:
    table = measured(tickets, None, params.definitions)
    solved = np.asarray(table["solves"]) > 0
    instants = table["first_resolved_at"] if params.by_event else table["created_at"]
    scope = solved & in_period(np.asarray(instants, dtype=np.float64), params.bounds)
    reopened = np.asarray(table["reopens"]) > 0
    return RatioState(int(np.count_nonzero(scope & reopened)), int(np.count_nonzero(scope)))


def _reopen_compute(state: RatioState, params: TicketParams) -> MetricResult:
    return ratio_result(state, params, "reopen_rate")


def reopen_rate(
    tickets: Any,
    *,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
    period: tuple[datetime, datetime] | None = None,
) -> float:
    r"""Share of tickets solved at least once that were reopened (solved → unsolved).

    .. math:: \frac{|\{t : \mathrm{reopens}_t > 0\}|}{|\{t : \mathrm{solves}_t > 0\}|}

    A reopen is a status change from ``solved`` back to new, open, pending or
    on-hold (a closed ticket is final: a follow-up is a new ticket). Tickets never
    solved count neither way. With ``attribute_to="event"`` and a ``period``, a
    ticket belongs to the period of its first solve. Lower is better.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    definitions : Definitions or str, default="default"
    window : (datetime, datetime), optional
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> at = lambda h: t0 + timedelta(hours=h)
    >>> reopened = Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=at(1), status="solved"), StatusChange(at=at(2), status="open"),
    ...     StatusChange(at=at(3), status="solved")])
    >>> once = Ticket(id=2, created_at=t0, status_changes=[StatusChange(at=at(1), status="solved")])
    >>> reopen_rate([reopened, once, Ticket(id=3, created_at=t0)])
    0.5
    """
    metric = ReopenRate(
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
class ReopenRate(Metric[RatioState, TicketParams]):
    """Reopen rate, mergeable, with a Wilson interval; see :func:`reopen_rate`.

    Examples
    --------
    >>> ReopenRate().higher_is_better
    False
    """

    name: ClassVar[str] = "reopen_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = TicketParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _reopen_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _reopen_compute(state, params)
