"""The share of tickets answered within a time, in one line, without an SLA policy."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from pydantic import field_validator

from cxmetrics.calendars import BusinessCalendar
from cxmetrics.core.base import Metric, MetricResult, ZeroDivision
from cxmetrics.core.state import RatioState
from cxmetrics.definitions import Definitions
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics._duration import DurationParams, DurationState, measure, per_ticket_state
from cxmetrics.metrics._tickets import ratio_result, ticket_options
from cxmetrics.registry import register

__all__ = ["AnsweredWithin", "answered_within"]


class WithinParams(DurationParams):
    """Parameters of :class:`AnsweredWithin`: ``within`` and those of the durations."""

    within: timedelta = timedelta(hours=1)

    @field_validator("within")
    @classmethod
    def _positive(cls, within: timedelta) -> timedelta:
        if within <= timedelta(0):
            raise InvalidParameterError("a positive duration")
        return within


def _update(tickets: Any, params: WithinParams) -> RatioState:
    # A share needs every value, never a sketch of them.
    exact = params.model_copy(update={"quantiles": "exact"})
    state = per_ticket_state(measure(tickets, exact), "first_reply", "first_reply_at", exact)
    assert isinstance(state, DurationState)
    met = int((state.values <= params.within.total_seconds()).sum())
    return RatioState(numerator=met, denominator=int(state.values.size))


def answered_within(
    tickets: Any,
    *,
    within: timedelta,
    calendar: BusinessCalendar | None = None,
    definitions: Definitions | str = "default",
    window: tuple[datetime, datetime] | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
) -> float:
    r"""Share of the answered tickets whose first reply came within ``within``.

    .. math:: \frac{|\{t : \text{first reply time}(t) \le \text{within}\}|}{|\{t : t \text{ has a first reply}\}|}

    The one-line version of a first-reply SLA target with no policy, priorities or
    pauses: tickets with no reply yet are left out (an SLA evaluation counts those
    already late as breached; see :func:`cxmetrics.sla_compliance_rate`).

    Parameters
    ----------
    tickets : tickets
    within : timedelta
        The time a first reply must come within (at most, inclusive).
    calendar : BusinessCalendar, optional
        Measure in business time of this calendar.
    definitions : Definitions or str, default="default"
    window : (datetime, datetime), optional
        Only first replies attributed to ``[start, end)``.
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=i, created_at=t0, interactions=[
    ...     Message(at=t0 + timedelta(minutes=m), author="agent")]) for i, m in enumerate([5, 50, 90])]
    >>> answered_within(tickets, within=timedelta(hours=1))
    0.6666666666666666
    """
    options = ticket_options(
        definitions=definitions, window=window, period=None, zero_division=zero_division,
        confidence=confidence, calendar=calendar, within=within,
    )  # fmt: skip
    metric = AnsweredWithin(**options)
    metric.update(tickets)
    return float(metric.compute().value)


@register
class AnsweredWithin(Metric[RatioState, WithinParams]):
    """Share of answered tickets with a first reply within ``within``; see :func:`answered_within`.

    Examples
    --------
    >>> AnsweredWithin(within=timedelta(hours=4)).params.within
    datetime.timedelta(seconds=14400)
    """

    name: ClassVar[str] = "answered_within"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = WithinParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return ratio_result(state, params, "answered_within", within=params.within)
