"""Revenue churn over a period: gross or net, as a share of the starting revenue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Literal, overload

import numpy as np

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.metrics.customer_tally import (
    ALL,
    PeriodParams,
    SegmentTallyState,
    overall_or_by_segment,
    per_segment,
    period_window,
    tally,
)
from cxmetrics.models.customer import Customer
from cxmetrics.registry import register
from cxmetrics.tables.inputs import customer_columns

__all__ = ["RevenueChurn", "RevenueChurnParams", "revenue_churn_rate"]


class RevenueChurnParams(PeriodParams):
    """Parameters of :class:`RevenueChurn`.

    Parameters
    ----------
    kind : {"gross", "net"}, default="gross"
    """

    kind: Literal["gross", "net"] = "gross"


# Vector layout: starting revenue, churned revenue, contraction, expansion, customers.
_REV_START, _REV_CHURNED, _REV_CONTRACTION, _REV_EXPANSION, _REV_CUSTOMERS = range(5)


def _revenue_update(customers: Any, params: RevenueChurnParams) -> SegmentTallyState:
    columns = customer_columns(customers, owner="revenue_churn_rate")
    t0, t1 = params.bounds
    at_start = (columns.since <= t0) & (columns.until > t0)
    before = np.nan_to_num(columns.revenue_at(t0))
    after = np.nan_to_num(columns.revenue_at(t1))
    known = at_start & ~np.isnan(columns.revenue_at(t0))
    lost = known & (columns.until <= t1)
    kept = known & ~lost
    vectors = np.stack(
        [
            np.where(known, before, 0.0),
            np.where(lost, before, 0.0),
            np.where(kept, np.maximum(before - after, 0.0), 0.0),
            np.where(kept, np.maximum(after - before, 0.0), 0.0),
            known.astype(np.float64),
        ],
        axis=1,
    )
    return tally(columns, vectors)


def _revenue_compute(state: SegmentTallyState, params: RevenueChurnParams) -> MetricResult:
    overall = state.as_dict().get(ALL, (0.0,) * 5)

    def ratio(vector: tuple[float, ...]) -> tuple[float, float]:
        lost = vector[_REV_CHURNED] + vector[_REV_CONTRACTION]
        if params.kind == "net":
            lost -= vector[_REV_EXPANSION]
        return lost, vector[_REV_START]

    numerator, denominator = ratio(overall)
    return MetricResult(
        value=safe_ratio(numerator, denominator, params.zero_division, "revenue_churn_rate"),
        n=int(overall[_REV_CUSTOMERS]),
        unit="ratio",
        confidence=params.confidence,
        details={
            "starting_revenue": overall[_REV_START],
            "churned_revenue": overall[_REV_CHURNED],
            "contraction": overall[_REV_CONTRACTION],
            "expansion": overall[_REV_EXPANSION],
            "by_segment": per_segment(state, ratio, params.zero_division, "revenue_churn_rate"),
        },
    )


@overload
def revenue_churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    kind: Literal["gross", "net"] = "gross",
    by_segment: Literal[False] = False,
    zero_division: ZeroDivision = "warn",
) -> float: ...


@overload
def revenue_churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    kind: Literal["gross", "net"] = "gross",
    by_segment: Literal[True],
    zero_division: ZeroDivision = "warn",
) -> dict[str | None, float]: ...


@overload
def revenue_churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    kind: Literal["gross", "net"] = "gross",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]: ...


def revenue_churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    kind: Literal["gross", "net"] = "gross",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]:
    r"""Recurring revenue lost over ``[start, end]``, as a share of the starting revenue.

    .. math::
        \text{gross} = \frac{\text{churned} + \text{contraction}}{\text{revenue at start}},\qquad
        \text{net} = \frac{\text{churned} + \text{contraction} - \text{expansion}}{\text{revenue at start}}

    Over the customers active at ``start`` with a known revenue: *churned* is the
    starting revenue of those gone by ``end``; *contraction* and *expansion* are
    the decreases and increases (``Customer.revenue_changes``) of the others
    between ``start`` and ``end``. New customers are not counted. Net revenue
    churn is negative when expansion outweighs losses (NRR = 1 − net, GRR = 1 −
    gross).

    Parameters
    ----------
    customers : iterable of Customer, or a table
        Records, or columns (dict, pandas, polars, Arrow) as in :func:`customer_columns`.
    window : (datetime, datetime)
        Timezone-aware bounds of the period; the end must not precede the start.
    start, end : datetime, optional
        The old form of ``window`` (deprecated: warns, goes in the next release).
    kind : {"gross", "net"}, default="gross"
    by_segment : bool, default=False
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float or dict
        Gross in [0, 1]; net at most 1. Lower is better.

    See Also
    --------
    RevenueChurn : the mergeable class.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> old = datetime(2023, 1, 1, tzinfo=timezone.utc)
    >>> customers = [
    ...     Customer(id=1, since=old, revenue=100, until=datetime(2024, 1, 15, tzinfo=timezone.utc)),
    ...     Customer(id=2, since=old, revenue=100,
    ...              revenue_changes=[{"at": "2024-01-10T00:00:00Z", "revenue": 50}]),
    ...     Customer(id=3, since=old, revenue=200,
    ...              revenue_changes=[{"at": "2024-01-20T00:00:00Z", "revenue": 300}]),
    ... ]
    >>> revenue_churn_rate(customers, window=(jan, feb)), revenue_churn_rate(customers, window=(jan, feb), kind="net")
    (0.375, 0.125)
    """
    metric = RevenueChurn(
        window=period_window(window, start, end, "revenue_churn_rate"),
        kind=kind,
        zero_division=zero_division,
    )
    return overall_or_by_segment(metric, customers, by_segment)


@register
class RevenueChurn(Metric[SegmentTallyState, RevenueChurnParams]):
    """Gross or net revenue churn over a period, mergeable over disjoint partitions.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``RevenueChurn.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    window : (datetime, datetime)
    kind : {"gross", "net"}, default="gross"
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> metric = RevenueChurn(window=(jan, feb))
    >>> metric.update([Customer(id=1, since=jan, revenue=30, until=feb),
    ...                Customer(id=2, since=jan, revenue=90)])
    >>> metric.compute().value
    0.25
    """

    name: ClassVar[str] = "revenue_churn_rate"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "customers"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = None  # net churn is negative with expansion
    upper_bound: ClassVar[float | None] = 1.0
    state_type = SegmentTallyState
    Params = RevenueChurnParams

    @staticmethod
    def _update(items: Any, params: Any) -> SegmentTallyState:
        return _revenue_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _revenue_compute(state, params)
