"""Ticket transfer rate: tickets that passed through more than one agent or group."""

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

__all__ = ["TransferRate", "transfer_rate"]


def _transfer_update(tickets: Any, params: TicketParams) -> RatioState:
    table = measured(tickets, None, params.definitions)
    assignees = np.asarray(table["assignee_stations"])
    groups = np.asarray(table["group_stations"])
    # Transfers have no single event: a ticket belongs to its creation's period.
    scope = in_period(np.asarray(table["created_at"], dtype=np.float64), params.bounds)
    assigned = ((assignees > 0) | (groups > 0)) & scope
    moved = ((assignees > 1) | (groups > 1)) & scope
    return RatioState(int(np.count_nonzero(moved)), int(np.count_nonzero(assigned)))


def _transfer_compute(state: RatioState, params: TicketParams) -> MetricResult:
    return ratio_result(state, params, "transfer_rate")


def transfer_rate(
    tickets: Any,
    *,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
    period: tuple[datetime, datetime] | None = None,
) -> float:
    r"""Share of assigned tickets that passed through more than one agent or group.

    .. math:: \frac{|\{t : \mathrm{assignee\_stations}_t > 1 \lor \mathrm{group\_stations}_t > 1\}|}
              {|\{t \text{ ever assigned}\}|}

    Stations are runs of the same agent (group) in the assignment history: A → B →
    A is three stations. Zendesk's "reassigned tickets" are assignee stations > 1;
    groups count too. Tickets never assigned are not in the denominator. Lower is
    better. Transfers of calls are :func:`~cxmetrics.aht`'s business, not this one.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    window : (datetime, datetime), optional
        Tickets created in ``[start, end)`` (always by creation).
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Assignment, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> moved = Ticket(id=1, created_at=t0, assignments=[
    ...     Assignment(at=t0, group="billing"), Assignment(at=t0, group="technical")])
    >>> stayed = Ticket(id=2, created_at=t0, group="billing")
    >>> transfer_rate([moved, stayed, Ticket(id=3, created_at=t0)])
    0.5
    """
    metric = TransferRate(
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
class TransferRate(Metric[RatioState, TicketParams]):
    """Ticket transfer rate, mergeable, with a Wilson interval; see :func:`transfer_rate`.

    Examples
    --------
    >>> TransferRate().name
    'transfer_rate'
    """

    name: ClassVar[str] = "transfer_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = TicketParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _transfer_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _transfer_compute(state, params)
