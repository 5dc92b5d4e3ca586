"""Interactions per ticket: customer messages and agent replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import numpy as np

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import MeanState
from cxmetrics.definitions import Definitions
from cxmetrics.metrics._tickets import TicketParams, in_period, ticket_options
from cxmetrics.registry import register
from cxmetrics.stats import t_interval
from cxmetrics.tickets.measure import measured

__all__ = ["InteractionsPerTicket", "interactions_per_ticket"]


def _interactions_update(tickets: Any, params: TicketParams) -> MeanState:
    table = measured(tickets, None, params.definitions)
    scope = in_period(np.asarray(table["created_at"], dtype=np.float64), params.bounds)
    counts = np.asarray(table["replies"]) + np.asarray(table["customer_messages"])
    return MeanState.of(counts[scope])


def _interactions_compute(state: MeanState, params: TicketParams) -> MetricResult:
    return MetricResult(
        safe_ratio(state.total, state.count, params.zero_division, "interactions_per_ticket"),
        state.count,
        "count",
        t_interval(state.total, state.total_squares, state.count, params.confidence),
        params.confidence,
    )


def interactions_per_ticket(
    tickets: Any,
    *,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
    period: tuple[datetime, datetime] | None = None,
) -> float:
    r"""Mean number of customer messages and agent replies per ticket.

    .. math:: \frac{1}{|T|} \sum_{t \in T} (\mathrm{replies}_t + \mathrm{customer\_messages}_t)

    Replies follow ``definitions`` (public human agent messages and answered calls
    by default); internal notes, bots and automated messages are not interactions
    unless the definitions count them as replies. Every ticket counts, including
    those without any interaction (0). Lower is better.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    definitions : Definitions or str, default="default"
    window : (datetime, datetime), optional
        Tickets created in ``[start, end)``.
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id=1, created_at=t0, interactions=[Message(at=t0, author="customer"),
    ...     Message(at=t0, author="agent"), Message(at=t0, author="agent", public=False)])
    >>> interactions_per_ticket([ticket, Ticket(id=2, created_at=t0)])
    1.0
    """
    metric = InteractionsPerTicket(
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
class InteractionsPerTicket(Metric[MeanState, TicketParams]):
    """Interactions per ticket, mergeable, with a t-interval; see :func:`interactions_per_ticket`.

    Examples
    --------
    >>> InteractionsPerTicket().unit
    'count'
    """

    name: ClassVar[str] = "interactions_per_ticket"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    state_type = MeanState
    Params = TicketParams

    @staticmethod
    def _update(items: Any, params: Any) -> MeanState:
        return _interactions_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _interactions_compute(state, params)
