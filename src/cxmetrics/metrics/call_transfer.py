"""Call transfer rate: contacts transferred out / contacts handled."""

from __future__ import annotations

from typing import Any, ClassVar

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import RatioState
from cxmetrics.metrics._calls import CallParams
from cxmetrics.registry import register
from cxmetrics.stats import wilson_interval
from cxmetrics.tables.inputs import call_columns

__all__ = ["CallTransferRate", "call_transfer_rate"]


def _transfer_update(items: Any, params: CallParams) -> RatioState:
    columns = call_columns(items, owner="call_transfer_rate").only(channel=params.channel)
    handled = columns.answered
    return RatioState(
        numerator=int((columns.transferred & handled).sum()), denominator=int(handled.sum())
    )


def _transfer_compute(state: RatioState, params: CallParams) -> MetricResult:
    return MetricResult(
        value=safe_ratio(
            state.numerator, state.denominator, params.zero_division, "call_transfer_rate"
        ),
        n=state.denominator,
        unit="ratio",
        interval=wilson_interval(state.numerator, state.denominator, params.confidence),
        confidence=params.confidence,
        details={"transferred": state.numerator},
    )


def call_transfer_rate(
    items: Any, *, channel: str | None = None, zero_division: ZeroDivision = "warn"
) -> float:
    r"""Share of handled live contacts that were transferred to another agent or queue.

    .. math:: \text{transfer rate} = \frac{\text{handled contacts transferred out}}{\text{handled contacts}}

    A consult that returns to the first agent is not a transfer (Amazon Connect
    counts them apart); mark only real transfers ``transferred=True``. Abandoned
    contacts are not handled and are excluded. For tickets moved between agents or
    groups, see the ticket ``transfer_rate``.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float
        In [0, 1]; lower is better.

    See Also
    --------
    CallTransferRate : mergeable class with a Wilson interval.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=at, talk=60, transferred=True), Call(at=at, talk=60),
    ...          Call(at=at, talk=60), Call(at=at, talk=60), Call(at=at, abandoned=True)]
    >>> call_transfer_rate(calls)
    0.25
    """
    metric = CallTransferRate(channel=channel, zero_division=zero_division)
    metric.update(items)
    return float(metric.compute().value)


@register
class CallTransferRate(Metric[RatioState, CallParams]):
    """Transfer rate of live contacts, mergeable, with a Wilson interval.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``CallTransferRate.Params``: the
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
    >>> metric = CallTransferRate()
    >>> metric.update([Call(at=at, talk=9, transferred=True), Call(at=at, talk=9)])
    >>> metric.compute().value
    0.5
    """

    name: ClassVar[str] = "call_transfer_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "calls"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = CallParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _transfer_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _transfer_compute(state, params)
