"""Customer retention over a period: textbook CRR, or the cohort share kept.

The counts ``S``, ``N``, ``E`` and ``L_S`` are defined in
:mod:`~cxmetrics.metrics.customer_tally`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Literal, overload

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.metrics.customer_tally import (
    ALL,
    COUNTS,
    E,
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
from cxmetrics.tables.inputs import customer_columns

__all__ = ["Retention", "RetentionParams", "retention_rate"]


class RetentionParams(PeriodParams):
    """Parameters of :class:`Retention`.

    Parameters
    ----------
    method : {"crr", "cohort"}, default="crr"
        ``"crr"``: (E − N) / S; ``"cohort"``: (S − L_S) / S, the share of the
        starting customers still active at the end (= 1 − churn).
    """

    method: Literal["crr", "cohort"] = "crr"


def _retention_update(customers: Any, params: RetentionParams) -> SegmentTallyState:
    columns = customer_columns(customers, owner="retention_rate")
    return tally(columns, period_vectors(columns, params))


def _retention_compute(state: SegmentTallyState, params: RetentionParams) -> MetricResult:
    overall = state.as_dict().get(ALL, (0.0,) * COUNTS)

    def ratio(vector: tuple[float, ...]) -> tuple[float, float]:
        s, n, ls, _, e = vector[:COUNTS]
        return (e - n, s) if params.method == "crr" else (s - ls, s)

    numerator, denominator = ratio(overall)
    cohort = params.method == "cohort"
    return MetricResult(
        value=safe_ratio(numerator, denominator, params.zero_division, "retention_rate"),
        n=int(denominator),
        unit="ratio",
        interval=wilson_interval(numerator, denominator, params.confidence) if cohort else None,
        confidence=params.confidence,
        details={
            "start_customers": int(overall[S]),
            "new_customers": int(overall[N]),
            "end_customers": int(overall[E]),
            "by_segment": per_segment(state, ratio, params.zero_division, "retention_rate"),
        },
    )


@overload
def retention_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    method: Literal["crr", "cohort"] = "crr",
    by_segment: Literal[False] = False,
    zero_division: ZeroDivision = "warn",
) -> float: ...


@overload
def retention_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    method: Literal["crr", "cohort"] = "crr",
    by_segment: Literal[True],
    zero_division: ZeroDivision = "warn",
) -> dict[str | None, float]: ...


@overload
def retention_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    method: Literal["crr", "cohort"] = "crr",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]: ...


def retention_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    method: Literal["crr", "cohort"] = "crr",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]:
    r"""Customer retention rate over ``[start, end]``: :math:`(E - N) / S`.

    ``E`` customers active at ``end``, ``N`` acquired during the period, ``S``
    active at ``start`` (the textbook CRR). A new customer who leaves again within
    the period lowers ``E - N`` without being in ``S``, so CRR can be below
    :math:`1 - \text{churn}` (and, in extreme cases, below 0).
    ``method="cohort"`` gives :math:`(S - L_S) / S`, exactly ``1 - churn_rate``.

    Parameters
    ----------
    customers : iterable of Customer, or a table
        Records, or columns (dict, pandas, polars, Arrow) as in :func:`customer_columns`.
    window : (datetime, datetime)
        Timezone-aware bounds of the period; the end must not precede the start.
    start, end : datetime, optional
        The old form of ``window`` (deprecated: warns, goes in the next release).
    method : {"crr", "cohort"}, default="crr"
    by_segment : bool, default=False
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float or dict
        At most 1; higher is better.

    See Also
    --------
    Retention : the mergeable class.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> customers = [Customer(id=i, since=datetime(2023, 1, 1, tzinfo=timezone.utc)) for i in range(4)]
    >>> customers += [Customer(id=9, since=datetime(2024, 1, 5, tzinfo=timezone.utc)),
    ...               Customer(id=8, since=datetime(2023, 1, 1, tzinfo=timezone.utc),
    ...                        until=datetime(2024, 1, 9, tzinfo=timezone.utc))]
    >>> retention_rate(customers, window=(jan, feb))
    0.8
    """
    metric = Retention(
        window=period_window(window, start, end, "retention_rate"),
        method=method,
        zero_division=zero_division,
    )
    return overall_or_by_segment(metric, customers, by_segment)


@register
class Retention(Metric[SegmentTallyState, RetentionParams]):
    """Customer retention rate over a period, mergeable over disjoint partitions.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``Retention.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    window : (datetime, datetime)
    method : {"crr", "cohort"}, default="crr"
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> metric = Retention(window=(jan, feb))
    >>> metric.update([Customer(id=1, since=jan), Customer(id=2, since=jan, until=feb)])
    >>> metric.compute().value
    0.5
    """

    name: ClassVar[str] = "retention_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "customers"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = None  # CRR dips below 0 in extreme cases
    upper_bound: ClassVar[float | None] = 1.0
    state_type = SegmentTallyState
    Params = RetentionParams

    @staticmethod
    def _update(items: Any, params: Any) -> SegmentTallyState:
        return _retention_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _retention_compute(state, params)
