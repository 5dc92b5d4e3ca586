"""Two-touch resolution rate: resolved tickets solved with exactly two replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision
from cxmetrics.core.state import RatioState
from cxmetrics.definitions import Definitions
from cxmetrics.metrics._tickets import TicketParams, ratio_result, resolved_share, ticket_options
from cxmetrics.registry import register

__all__ = ["TwoTouchRate", "two_touch_rate"]


def _two_touch_update(tickets: Any, params: TicketParams) -> RatioState:
    return resolved_share(tickets, "two_touch", params)


def _two_touch_compute(state: RatioState, params: TicketParams) -> MetricResult:
    return ratio_result(state, params, "two_touch_rate")


def two_touch_rate(
    tickets: Any,
    *,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
) -> float:
    r"""Share of resolved tickets resolved with exactly two public agent replies.

    .. math:: \frac{|\{t \text{ resolved} : \mathrm{replies}_t = 2\}|}{|\{t \text{ resolved}\}|}

    dbt_zendesk's ``is_two_touch_resolution`` over its resolved tickets (the
    ``two_touch`` column of :func:`~cxmetrics.tickets.ticket_metrics`); replies
    follow the definitions. With ``attribute_to="event"`` and a ``window``, a ticket
    belongs to the window of its latest solve.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    definitions : Definitions or str, default="default"
    window : (datetime, datetime), optional
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import Message, StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> def solved(ident, replies):
    ...     return Ticket(id=ident, created_at=t0, interactions=[
    ...         Message(at=t0 + timedelta(minutes=m + 1), author="agent") for m in range(replies)],
    ...         status_changes=[StatusChange(at=t0 + timedelta(hours=1), status="solved")])
    >>> two_touch_rate([solved(1, 1), solved(2, 2), solved(3, 2), solved(4, 3)])
    0.5
    """
    metric = TwoTouchRate(
        **ticket_options(
            definitions=definitions,
            window=window,
            period=None,
            zero_division=zero_division,
            confidence=confidence,
        )
    )
    metric.update(tickets)
    return float(metric.compute().value)


@register
class TwoTouchRate(Metric[RatioState, TicketParams]):
    """Two-touch resolution rate, mergeable, with a Wilson interval; see :func:`two_touch_rate`.

    Examples
    --------
    >>> TwoTouchRate().higher_is_better is None
    True
    """

    name: ClassVar[str] = "two_touch_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = None  # fewer touches than one is not better
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = TicketParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _two_touch_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _two_touch_compute(state, params)
