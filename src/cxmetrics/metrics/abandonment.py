"""Abandonment rate: contacts abandoned in the queue / contacts offered to the queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from pydantic import field_validator

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import RatioState
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics._calls import CallParams
from cxmetrics.registry import register
from cxmetrics.stats import wilson_interval
from cxmetrics.tables.inputs import call_columns

__all__ = ["AbandonmentParams", "AbandonmentRate", "abandonment_rate"]


class AbandonmentParams(CallParams):
    """Parameters of :class:`AbandonmentRate`.

    Parameters
    ----------
    short_abandon : timedelta, optional
        Abandons whose wait is at most this long are *short abandons* (a wrong
        number, a caller who changed their mind) and are dropped from both the
        numerator and the denominator. ``None`` (the default) keeps every abandon.
        Numbers are read as seconds.
    """

    short_abandon: timedelta | None = None

    @field_validator("short_abandon")
    @classmethod
    def _not_negative(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < timedelta(0):
            raise InvalidParameterError("short_abandon must be a duration of zero or more")
        return value


def _abandonment_update(items: Any, params: AbandonmentParams) -> RatioState:
    columns = call_columns(items, owner="abandonment_rate").only(
        channel=params.channel, inbound=True
    )
    counted = columns.abandoned
    offered = len(columns)
    if params.short_abandon is not None:
        short = columns.abandoned & (columns.wait <= params.short_abandon.total_seconds())
        counted = counted & ~short
        offered -= int(short.sum())
    return RatioState(numerator=int(counted.sum()), denominator=offered)


def _abandonment_compute(state: RatioState, params: AbandonmentParams) -> MetricResult:
    return MetricResult(
        value=safe_ratio(
            state.numerator, state.denominator, params.zero_division, "abandonment_rate"
        ),
        n=state.denominator,
        unit="ratio",
        interval=wilson_interval(state.numerator, state.denominator, params.confidence),
        confidence=params.confidence,
        details={"abandoned": state.numerator},
    )


def abandonment_rate(
    items: Any,
    *,
    short_abandon: timedelta | float | None = None,
    channel: str | None = None,
    zero_division: ZeroDivision = "warn",
) -> float:
    r"""Share of inbound contacts offered to the queue that hung up before an answer.

    .. math:: \text{abandonment} = \frac{\text{abandoned} - \text{short abandons}}{\text{offered} - \text{short abandons}}

    Only the contacts you pass are offered: leave out IVR/self-service abandons and
    callbacks if they never reached an agent queue (the usual convention).
    Outbound contacts are ignored.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    short_abandon : timedelta or float, optional
        Drop abandons that waited at most this long from numerator and
        denominator (e.g. 5 s). ``None`` keeps all.
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float
        In [0, 1]; lower is better.

    See Also
    --------
    AbandonmentRate : mergeable class with a Wilson interval.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=at, wait=3, abandoned=True), Call(at=at, wait=40, abandoned=True),
    ...          Call(at=at, wait=5, talk=60), Call(at=at, wait=9, talk=60)]
    >>> abandonment_rate(calls)
    0.5
    >>> round(abandonment_rate(calls, short_abandon=5), 4)
    0.3333
    """
    metric = AbandonmentRate(
        short_abandon=short_abandon, channel=channel, zero_division=zero_division
    )
    metric.update(items)
    return float(metric.compute().value)


@register
class AbandonmentRate(Metric[RatioState, AbandonmentParams]):
    """Abandonment rate, mergeable, with a Wilson interval.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``AbandonmentRate.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    short_abandon : timedelta, optional
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> metric = AbandonmentRate(short_abandon=5)
    >>> metric.update([Call(at=at, wait=2, abandoned=True), Call(at=at, wait=60, abandoned=True),
    ...                Call(at=at, wait=5, talk=30)])
    >>> metric.compute().value, metric.compute().n
    (0.5, 2)
    """

    name: ClassVar[str] = "abandonment_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "calls"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = AbandonmentParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _abandonment_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _abandonment_compute(state, params)
