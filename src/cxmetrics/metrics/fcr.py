"""First-contact resolution (FCR) rate of tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision
from cxmetrics.core.state import RatioState
from cxmetrics.definitions import Definitions
from cxmetrics.metrics._tickets import TicketParams, ratio_result, resolved_share, ticket_options
from cxmetrics.registry import register

__all__ = ["FCR", "fcr_rate"]


def _fcr_update(tickets: Any, params: TicketParams) -> RatioState:
    return resolved_share(tickets, "fcr", params)


def _fcr_compute(state: RatioState, params: TicketParams) -> MetricResult:
    return ratio_result(state, params, "fcr", rule=params.definitions.fcr_rule)


def fcr_rate(
    tickets: Any,
    *,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
    period: tuple[datetime, datetime] | None = None,
) -> float:
    r"""First-contact resolution: the share of resolved tickets resolved on first contact.

    .. math:: \mathrm{FCR} = \frac{|\{t \text{ resolved} : \mathrm{rule}(t)\}|}{|\{t \text{ resolved}\}|}

    What "first contact" means is ``definitions.fcr_rule``: exactly one public agent
    reply (default, Zendesk one-touch), at most one (Zendesk's older formula), one
    or more replies without pending, on-hold or reopen (Zendesk messaging), no
    customer follow-up (Freshdesk), solved once with one replying agent
    (Intercom), or no other ticket from the same customer within
    ``repeat_contact_days`` (contact centres). The denominator is the resolved
    tickets (solved or closed now); unresolved ones count neither way. Higher is
    better.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    definitions : Definitions or str, default="default"
    window : (datetime, datetime), optional
        Only tickets created in ``[start, end)`` (or, with
        ``attribute_to="event"``, resolved in it) count.
    zero_division : {"warn", "raise"} or float, default="warn"
        Value without resolved tickets.

    Returns
    -------
    float
        In [0, 1].

    Notes
    -----
    ``"repeat_contact"`` looks across tickets: keep each customer's tickets in one
    partition (or batch) for it to be exact.

    See Also
    --------
    FCR : the mergeable class, whose result carries the Wilson interval.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> reply = lambda m: Message(at=t0 + timedelta(minutes=m), author="agent")
    >>> tickets = [Ticket(id=1, created_at=t0, status="solved", interactions=[reply(5)]),
    ...            Ticket(id=2, created_at=t0, status="solved", interactions=[reply(5), reply(9)]),
    ...            Ticket(id=3, created_at=t0, interactions=[reply(5)])]
    >>> fcr_rate(tickets)       # 1 of the 2 resolved tickets needed a single reply
    0.5
    >>> fcr_rate(tickets, definitions="freshdesk")   # no customer follow-up on either
    1.0
    """
    metric = FCR(
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
class FCR(Metric[RatioState, TicketParams]):
    """First-contact resolution rate, mergeable, with a Wilson interval; see :func:`fcr_rate`.

    Examples
    --------
    >>> FCR(definitions="freshdesk").params.definitions.fcr_rule
    'no_customer_follow_up'
    """

    name: ClassVar[str] = "fcr"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = TicketParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _fcr_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _fcr_compute(state, params)
