"""Customer churn over a period: the share of the starting customers lost.

The counts ``S``, ``N``, ``E``, ``L_S`` and ``L_N`` are defined in
:mod:`~cxmetrics.metrics.customer_tally`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Literal, overload

import numpy as np

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.metrics.customer_tally import (
    ALL,
    COUNTS,
    L_N,
    L_S,
    E,
    FloatArray,
    N,
    PeriodParams,
    S,
    SegmentTallyState,
    overall_or_by_segment,
    per_segment,
    period_vectors,
    period_window,
    tally,
)
from cxmetrics.models.customer import Customer
from cxmetrics.registry import register
from cxmetrics.stats import wilson_interval
from cxmetrics.tables.customers import CustomerColumns
from cxmetrics.tables.inputs import customer_columns

__all__ = ["Churn", "ChurnDenominator", "ChurnParams", "churn_rate"]

ChurnDenominator = Literal["start", "start_all_lost", "start_plus_new", "average", "daily_sum"]
"""How churn is normalised (see :func:`churn_rate`)."""

_DAY = 86400.0


class ChurnParams(PeriodParams):
    """Parameters of :class:`Churn`.

    Parameters
    ----------
    denominator : {"start", "start_all_lost", "start_plus_new", "average", "daily_sum"}, default="start"
        See :func:`churn_rate`.
    """

    denominator: ChurnDenominator = "start"


def _daily_flags(columns: CustomerColumns, params: PeriodParams) -> FloatArray:
    """Per customer: first and last day it is active at the day's start, and the day lost."""
    t0, t1 = params.bounds
    days = max(1, math.ceil((t1 - t0) / _DAY))
    starts = t0 + _DAY * np.arange(days)
    ends = np.minimum(starts + _DAY, t1)
    since, until = columns.since, columns.until
    first = np.searchsorted(starts, since, side="left").astype(np.float64)
    last = np.searchsorted(starts, until, side="left").astype(np.float64) - 1.0
    lost_day = np.searchsorted(ends, until, side="left").astype(np.float64)
    # Lost on day d: active at its start (first <= d <= last) and gone by its end.
    lost_day = np.where((until <= t1) & (lost_day >= first) & (lost_day <= last), lost_day, -1.0)
    return np.stack([first, last, lost_day, np.full(since.size, float(days))])


def _churn_update(customers: Any, params: ChurnParams) -> SegmentTallyState:
    columns = customer_columns(customers, owner="churn_rate")
    daily = _daily_flags(columns, params) if params.denominator == "daily_sum" else None
    return tally(columns, period_vectors(columns, params), daily)


def _churn_ratio(vector: tuple[float, ...], denominator: str) -> tuple[float, float]:
    s, n, ls, ln, e = vector[:COUNTS]
    if denominator == "start":
        return ls, s
    if denominator == "start_all_lost":
        return ls + ln, s
    if denominator == "start_plus_new":
        return ls + ln, s + n
    if denominator == "average":
        return ls + ln, (s + e) / 2.0
    days = (len(vector) - COUNTS) // 2
    active = np.asarray(vector[COUNTS : COUNTS + days])
    lost = np.asarray(vector[COUNTS + days :])
    seen = active > 0
    if not seen.any():
        return 0.0, 0.0
    return float((lost[seen] / active[seen]).sum()), 1.0


def _churn_compute(state: SegmentTallyState, params: ChurnParams) -> MetricResult:
    overall = state.as_dict().get(ALL, (0.0,) * COUNTS)

    def ratio(vector: tuple[float, ...]) -> tuple[float, float]:
        return _churn_ratio(vector, params.denominator)

    numerator, denominator = ratio(overall)
    value = safe_ratio(numerator, denominator, params.zero_division, "churn_rate")
    interval = None
    if params.denominator in ("start", "start_plus_new"):
        interval = wilson_interval(numerator, denominator, params.confidence)
    return MetricResult(
        value=value,
        n=int(
            overall[S] + (0 if params.denominator in ("start", "start_all_lost") else overall[N])
        ),
        unit="ratio",
        interval=interval,
        confidence=params.confidence,
        details={
            "start_customers": int(overall[S]),
            "new_customers": int(overall[N]),
            "lost_from_start": int(overall[L_S]),
            "lost_new": int(overall[L_N]),
            "end_customers": int(overall[E]),
            "by_segment": per_segment(state, ratio, params.zero_division, "churn_rate"),
        },
    )


@overload
def churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    denominator: ChurnDenominator = "start",
    by_segment: Literal[False] = False,
    zero_division: ZeroDivision = "warn",
) -> float: ...


@overload
def churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    denominator: ChurnDenominator = "start",
    by_segment: Literal[True],
    zero_division: ZeroDivision = "warn",
) -> dict[str | None, float]: ...


@overload
def churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    denominator: ChurnDenominator = "start",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]: ...


def churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    denominator: ChurnDenominator = "start",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]:
    r"""Share of customers lost during the period ``[start, end]``.

    .. math:: \text{churn} = \frac{L_S}{S}

    ``S`` customers active at ``start``, ``L_S`` of them gone by ``end``: the
    share of the starting customers lost (customers acquired and lost within the
    period, ``L_N``, are not counted). Tools divide differently:

    ======================  ==============================================  ==================================
    ``denominator``         formula                                         used by
    ======================  ==============================================  ==================================
    ``"start"`` (default)   :math:`L_S / S`                                 cohort churn, ChartMogul "Standard"
    ``"start_all_lost"``    :math:`(L_S + L_N) / S`                         every loss over the start
    ``"start_plus_new"``    :math:`(L_S + L_N) / (S + N)`                   Stripe Billing (30 days)
    ``"average"``           :math:`(L_S + L_N) / ((S + E) / 2)`             average-customers variant
    ``"daily_sum"``         :math:`\sum_d \text{lost}_d / \text{active}_d`  ChartMogul "Shopify" (B2C)
    ======================  ==============================================  ==================================

    Parameters
    ----------
    customers : iterable of Customer, or a table
        Records, or columns (dict, pandas, polars, Arrow) as in :func:`customer_columns`.
    window : (datetime, datetime)
        Timezone-aware bounds of the period; the end must not precede the start.
    start, end : datetime, optional
        The old form of ``window`` (deprecated: warns, goes in the next release).
    denominator : {"start", "start_all_lost", "start_plus_new", "average", "daily_sum"}, default="start"
    by_segment : bool, default=False
        Return ``{segment: churn}`` (``None`` for customers without a segment).
    zero_division : {"warn", "raise"} or float, default="warn"
        Value without customers at the start.

    Returns
    -------
    float or dict
        In [0, 1] (``"start_all_lost"`` and ``"daily_sum"`` can exceed 1); lower is better.

    Raises
    ------
    InvalidParameterError
        For a naive ``start``/``end`` or an ``end`` before ``start``.

    See Also
    --------
    Churn : the mergeable class (details hold S, N, E and the losses).
    retention_rate, revenue_churn_rate

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> customers = [
    ...     Customer(id=1, since=datetime(2023, 5, 1, tzinfo=timezone.utc)),
    ...     Customer(id=2, since=datetime(2023, 6, 1, tzinfo=timezone.utc),
    ...              until=datetime(2024, 1, 20, tzinfo=timezone.utc)),
    ...     Customer(id=3, since=datetime(2023, 7, 1, tzinfo=timezone.utc)),
    ...     Customer(id=4, since=datetime(2023, 8, 1, tzinfo=timezone.utc)),
    ...     Customer(id=5, since=datetime(2024, 1, 10, tzinfo=timezone.utc)),
    ... ]
    >>> churn_rate(customers, window=(jan, feb))
    0.25
    >>> churn_rate(customers, window=(jan, feb), denominator="start_plus_new")
    0.2
    """
    metric = Churn(
        window=period_window(window, start, end, "churn_rate"),
        denominator=denominator,
        zero_division=zero_division,
    )
    return overall_or_by_segment(metric, customers, by_segment)


@register
class Churn(Metric[SegmentTallyState, ChurnParams]):
    """Customer churn over a period, mergeable over disjoint customer partitions.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``Churn.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    window : (datetime, datetime)
    denominator : {"start", "start_all_lost", "start_plus_new", "average", "daily_sum"}, default="start"
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> metric = Churn(window=(jan, feb))
    >>> metric.update([Customer(id=1, since=jan, segment="pro"),
    ...                Customer(id=2, since=jan, until=feb, segment="free")])
    >>> result = metric.compute()
    >>> result.value, result.details["by_segment"]
    (0.5, {'free': 1.0, 'pro': 0.0})
    """

    name: ClassVar[str] = "churn_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "customers"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = None  # "start_all_lost" and "daily_sum" can exceed 1
    state_type = SegmentTallyState
    Params = ChurnParams

    @staticmethod
    def _update(items: Any, params: Any) -> SegmentTallyState:
        return _churn_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _churn_compute(state, params)
