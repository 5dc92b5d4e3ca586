"""Average speed of answer (ASA): mean queue wait of the answered inbound contacts."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any, ClassVar

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, undefined
from cxmetrics.core.state import MeanState
from cxmetrics.metrics._calls import CallParams
from cxmetrics.registry import register
from cxmetrics.stats import t_interval
from cxmetrics.tables.inputs import call_columns

__all__ = ["AverageSpeedOfAnswer", "average_speed_of_answer", "longest_wait"]


def _asa_update(items: Any, params: CallParams) -> MeanState:
    columns = call_columns(items, owner="average_speed_of_answer")
    columns = columns.only(channel=params.channel, inbound=True)
    return MeanState.of(columns.wait[columns.answered])


def _asa_compute(state: MeanState, params: CallParams) -> MetricResult:
    if state.count == 0:
        nan = undefined(params.zero_division, "average_speed_of_answer", "no answered contact")
        value: Any = nan if math.isnan(nan) else timedelta(seconds=nan)
        return MetricResult(value, n=0, unit="seconds", confidence=params.confidence)
    low, high = t_interval(state.total, state.total_squares, state.count, params.confidence)
    return MetricResult(
        value=timedelta(seconds=state.total / state.count),
        n=state.count,
        unit="seconds",
        interval=None
        if math.isnan(low)
        else (timedelta(seconds=max(0.0, low)), timedelta(seconds=high)),
        confidence=params.confidence,
    )


def average_speed_of_answer(
    items: Any, *, channel: str | None = None, zero_division: ZeroDivision = "warn"
) -> timedelta | float:
    r"""Average speed of answer: the mean queue wait of answered inbound contacts.

    .. math:: \mathrm{ASA} = \frac{\sum_{\text{answered}} \mathrm{wait}}{\text{answered contacts}}

    Abandoned contacts are excluded (their wait is not a speed of answer) and so are
    outbound contacts.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    channel : str, optional
        Keep one channel.
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    timedelta
        Lower is better; ``nan`` without answered contacts.

    See Also
    --------
    AverageSpeedOfAnswer : mergeable class with a t-interval.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=at, wait=10, talk=60), Call(at=at, wait=30, talk=60),
    ...          Call(at=at, wait=90, abandoned=True)]
    >>> average_speed_of_answer(calls)
    datetime.timedelta(seconds=20)
    """
    metric = AverageSpeedOfAnswer(channel=channel, zero_division=zero_division)
    metric.update(items)
    value: timedelta | float = metric.compute().value
    return value


@register
class AverageSpeedOfAnswer(Metric[MeanState, CallParams]):
    """Average speed of answer, mergeable, with a t-interval.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``AverageSpeedOfAnswer.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> metric = AverageSpeedOfAnswer()
    >>> metric.update([Call(at=at, wait=10, talk=5), Call(at=at, wait=30, talk=5)])
    >>> metric.compute().value.total_seconds()
    20.0
    """

    name: ClassVar[str] = "average_speed_of_answer"
    unit: ClassVar[str] = "seconds"
    input_kind: ClassVar[str] = "calls"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = None
    state_type = MeanState
    Params = CallParams

    @staticmethod
    def _update(items: Any, params: Any) -> MeanState:
        return _asa_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _asa_compute(state, params)


def longest_wait(
    items: Any,
    *,
    channel: str | None = None,
    abandoned: bool = True,
    zero_division: ZeroDivision = "warn",
) -> timedelta | float:
    """The longest queue wait of the inbound contacts (the ``max`` of the waits).

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    channel : str, optional
        Only the contacts of this channel.
    abandoned : bool, default=True
        Count the waits of callers who hung up in the queue too (the longest a
        customer waited); False: only answered contacts (the slowest answer).
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Call
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=t0, wait=timedelta(seconds=40), talk=timedelta(minutes=3)),
    ...          Call(at=t0, wait=timedelta(seconds=300), abandoned=True)]
    >>> longest_wait(calls), longest_wait(calls, abandoned=False)
    (datetime.timedelta(seconds=300), datetime.timedelta(seconds=40))
    """
    columns = call_columns(items, owner="longest_wait").only(channel=channel, inbound=True)
    waits = columns.wait if abandoned else columns.wait[columns.answered]
    if waits.size == 0:
        nan = undefined(zero_division, "longest_wait", "no inbound contact")
        return nan if math.isnan(nan) else timedelta(seconds=nan)
    return timedelta(seconds=float(waits.max()))
