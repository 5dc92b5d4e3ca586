"""Revenue churn over a period: gross or net, as a share of the starting revenue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Literal, overload

import numpy as np
import numpy.typing as npt

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
    reactivation : bool, default=False
        With ``kind="net"``, also net the revenue of reactivated customers
        (ChartMogul's net MRR churn).
    """

    kind: Literal["gross", "net"] = "gross"
    reactivation: bool = False


# Vector layout: starting revenue, churned revenue, contraction, expansion, customers,
# reactivation revenue.
_REV_START, _REV_CHURNED, _REV_CONTRACTION, _REV_EXPANSION, _REV_CUSTOMERS, _REV_REACTIVATION = (
    range(6)
)
_WIDTH = 6


def reactivated(columns: Any, start: float, end: float) -> npt.NDArray[np.bool_]:
    """Lifetimes that begin in ``(start, end]`` after an earlier lifetime of the same customer ended.

    ChartMogul's reactivation: "a previously paying customer that had churned moves
    back onto a paid plan". A customer who comes back is a second ``Customer``
    record with the same ``id``, starting after the previous record ended; without
    ids nothing is a reactivation. All the records of a customer must be in the
    same batch (partition by customer).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.tables.inputs import customer_columns
    >>> day = lambda d: datetime(2024, 1, d, tzinfo=timezone.utc)
    >>> cols = customer_columns([Customer(id="a", since=day(1), until=day(5)),
    ...                          Customer(id="a", since=day(9)), Customer(id="b", since=day(9))],
    ...                         owner="doctest")
    >>> reactivated(cols, day(7).timestamp(), day(20).timestamp()).tolist()
    [False, True, False]
    """
    n = columns.since.size
    if columns.ids is None or n == 0:
        return np.zeros(n, dtype=bool)
    named = np.array([v is not None for v in columns.ids], dtype=bool)
    ids = np.where(named, columns.ids, "").astype(str)
    order = np.lexsort((columns.since, ids))
    since, until = columns.since[order], columns.until[order]
    same = np.r_[False, ids[order][1:] == ids[order][:-1]] & named[order]
    # Back after the customer's previous lifetime (the one starting just before) ended.
    ended_before = np.r_[False, until[:-1] <= since[1:]]
    back = same & ended_before & (since > start) & (since <= end)
    result = np.zeros(n, dtype=bool)
    result[order] = back
    return result


def _revenue_update(customers: Any, params: RevenueChurnParams) -> SegmentTallyState:
    columns = customer_columns(customers, owner="revenue_churn_rate")
    t0, t1 = params.bounds
    at_start = (columns.since <= t0) & (columns.until > t0)
    before = np.nan_to_num(columns.revenue_at(t0))
    after = np.nan_to_num(columns.revenue_at(t1))
    known = at_start & ~np.isnan(columns.revenue_at(t0))
    lost = known & (columns.until <= t1)
    kept = known & ~lost
    back = reactivated(columns, t0, t1)
    vectors = np.stack(
        [
            np.where(known, before, 0.0),
            np.where(lost, before, 0.0),
            np.where(kept, np.maximum(before - after, 0.0), 0.0),
            np.where(kept, np.maximum(after - before, 0.0), 0.0),
            known.astype(np.float64),
            np.where(back, np.nan_to_num(columns.revenue), 0.0),
        ],
        axis=1,
    )
    return tally(columns, vectors)


def _revenue_compute(state: SegmentTallyState, params: RevenueChurnParams) -> MetricResult:
    overall = state.as_dict().get(ALL, (0.0,) * _WIDTH)

    def ratio(vector: tuple[float, ...]) -> tuple[float, float]:
        lost = vector[_REV_CHURNED] + vector[_REV_CONTRACTION]
        if params.kind == "net":
            lost -= vector[_REV_EXPANSION]
            if params.reactivation:
                lost -= vector[_REV_REACTIVATION]
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
            "reactivation": overall[_REV_REACTIVATION],
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
    reactivation: bool = False,
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
    reactivation: bool = False,
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
    reactivation: bool = False,
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
    reactivation: bool = False,
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
    gross). With ``reactivation=True`` the net figure also subtracts the revenue
    of customers who come back during the period (a later ``Customer`` record
    with the same ``id``, starting in ``(start, end]`` after the earlier one
    ended): ChartMogul's net MRR churn, "(churn + contraction − expansion −
    reactivation) / MRR at start".

    Parameters
    ----------
    customers : iterable of Customer, or a table
        Records, or columns (dict, pandas, polars, Arrow) as in :func:`customer_columns`.
    window : (datetime, datetime)
        Timezone-aware bounds of the period; the end must not precede the start.
    start, end : datetime, optional
        The old form of ``window`` (deprecated: warns, goes in the next release).
    kind : {"gross", "net"}, default="gross"
    reactivation : bool, default=False
        Net the revenue of reactivated customers too (only with ``kind="net"``).
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
    >>> back = Customer(id=1, since=datetime(2024, 1, 25, tzinfo=timezone.utc), revenue=40)
    >>> revenue_churn_rate([*customers, back], window=(jan, feb), kind="net", reactivation=True)  # (150 - 100 - 40) / 400
    0.025
    """
    metric = RevenueChurn(
        window=period_window(window, start, end, "revenue_churn_rate"),
        kind=kind,
        zero_division=zero_division,
        reactivation=reactivation,
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
