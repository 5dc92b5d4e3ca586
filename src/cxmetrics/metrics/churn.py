"""Churn and retention over a period: customer churn, retention, revenue churn, lifetime.

A customer is *active* at instant ``t`` when ``since <= t < until``. For a period
``[start, end]``:

- ``S``: active at ``start``; ``N``: new, ``start < since <= end``;
  ``E``: active at ``end``;
- ``L_S``: lost among ``S`` (``until <= end``); ``L_N``: new customers lost again
  within the period.

So ``E = S - L_S + N - L_N``. Every state here counts *customers*: merging two
states assumes the partitions hold disjoint customers (a customer in two
partitions is counted twice).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal, overload

import numpy as np
import numpy.typing as npt
from pydantic import ValidationInfo, field_validator
from typing_extensions import Self

from cxmetrics.core.base import (
    Metric,
    MetricParams,
    MetricResult,
    ZeroDivision,
    safe_ratio,
    undefined,
)
from cxmetrics.core.state import State
from cxmetrics.models.customer import Customer
from cxmetrics.registry import register
from cxmetrics.stats import wilson_interval
from cxmetrics.tables.customers import CustomerColumns
from cxmetrics.tables.inputs import customer_columns

__all__ = [
    "Churn",
    "ChurnDenominator",
    "ChurnParams",
    "CustomerColumns",
    "CustomerLifetime",
    "LifetimeParams",
    "Retention",
    "RetentionParams",
    "RevenueChurn",
    "RevenueChurnParams",
    "SegmentTallyState",
    "average_customer_lifetime",
    "churn_rate",
    "customer_columns",
    "retention_rate",
    "revenue_churn_rate",
]

ChurnDenominator = Literal["start", "start_all_lost", "start_plus_new", "average", "daily_sum"]
"""How churn is normalised (see :func:`churn_rate`)."""

FloatArray = npt.NDArray[np.float64]
_DAY = 86400.0
ALL = "__all__"
"""Key of the all-customers tally in a :class:`SegmentTallyState`."""


# --- state --------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentTallyState(State):
    """Vectors of sums per segment (plus the all-customers tally under :data:`ALL`).

    Each metric fixes the meaning and length of the vector. Merging adds the
    vectors of equal keys; the empty state is the identity. Counts of customers:
    merging assumes disjoint partitions.
    """

    tallies: tuple[tuple[str, tuple[float, ...]], ...] = ()

    def merge(self, other: Self) -> Self:
        """Add the tallies of both states key by key.

        Examples
        --------
        >>> a = SegmentTallyState((("x", (1.0, 2.0)),))
        >>> a.merge(SegmentTallyState((("x", (1.0, 0.0)), ("y", (3.0, 3.0))))).as_dict()
        {'x': (2.0, 2.0), 'y': (3.0, 3.0)}
        """
        self._check_same_type(other)
        merged = dict(self.tallies)
        for key, values in other.tallies:
            mine = merged.get(key)
            merged[key] = (
                values if mine is None else tuple(a + b for a, b in zip(mine, values, strict=True))
            )
        return type(self)(tuple(sorted(merged.items())))

    def as_dict(self) -> dict[str, tuple[float, ...]]:
        """Return ``{segment: vector}``."""
        return dict(self.tallies)

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON-able data."""
        return {"kind": type(self).__name__, "tallies": {k: list(v) for k, v in self.tallies}}

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Rebuild a state written by :meth:`to_dict`."""
        return cls(tuple(sorted((k, tuple(v)) for k, v in data["tallies"].items())))


def _tally(
    columns: CustomerColumns, vectors: FloatArray, daily: FloatArray | None = None
) -> SegmentTallyState:
    """Sum per-customer vectors per segment and overall.

    ``daily`` (optional) holds, per customer, the first and last day it is active at
    the start of the day, and the day it is lost, as indices that keep memory
    O(customers + days): see :func:`_daily_flags`.
    """
    if vectors.shape[0] == 0:
        return SegmentTallyState()
    names, codes = np.unique(columns.segment.astype(str), return_inverse=True)
    codes = codes.reshape(-1)
    sums = np.zeros((names.size, vectors.shape[1]))
    np.add.at(sums, codes, vectors)
    if daily is not None:
        sums = np.concatenate([sums, _per_day(daily, codes, names.size)], axis=1)
    tallies = {str(name): tuple(float(v) for v in sums[i]) for i, name in enumerate(names)}
    tallies[ALL] = tuple(float(v) for v in sums.sum(axis=0))
    return SegmentTallyState(tuple(sorted(tallies.items())))


def _per_day(daily: FloatArray, codes: Any, groups: int) -> FloatArray:
    first, last, lost_day, days = daily[0], daily[1], daily[2], int(daily[3][0])
    # Active at the start of days first..last: +1 at first, -1 after last, cumulated.
    steps = np.zeros((groups, days + 1))
    spans = first <= last
    np.add.at(steps, (codes[spans], first[spans].astype(np.int64)), 1.0)
    np.add.at(steps, (codes[spans], (last[spans] + 1).astype(np.int64)), -1.0)
    active = np.cumsum(steps, axis=1)[:, :days]
    lost = np.zeros((groups, days))
    leaving = lost_day >= 0
    np.add.at(lost, (codes[leaving], lost_day[leaving].astype(np.int64)), 1.0)
    return np.concatenate([active, lost], axis=1)


# --- parameters ----------------------------------------------------------------------


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"timezone-aware; {value.isoformat()} is naive: attach the zone, e.g. "
            "value.replace(tzinfo=timezone.utc) or ZoneInfo('Europe/Paris')"
        )
    return value


class PeriodParams(MetricParams):
    """A period ``[start, end]`` of aware datetimes.

    Parameters
    ----------
    start, end : datetime
        Timezone-aware instants; ``end`` must not precede ``start``.
    """

    start: datetime
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return _require_aware(value)

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start")
        if start is not None and value < start:
            raise ValueError(
                f"at or after start ({start.isoformat()}): the period ends at "
                f"{value.isoformat()}, before it starts"
            )
        return value

    @property
    def bounds(self) -> tuple[float, float]:
        """``(start, end)`` as epoch seconds."""
        return self.start.timestamp(), self.end.timestamp()


class ChurnParams(PeriodParams):
    """Parameters of :class:`Churn`.

    Parameters
    ----------
    denominator : {"start", "start_all_lost", "start_plus_new", "average", "daily_sum"}, default="start"
        See :func:`churn_rate`.
    """

    denominator: ChurnDenominator = "start"


class RetentionParams(PeriodParams):
    """Parameters of :class:`Retention`.

    Parameters
    ----------
    method : {"crr", "cohort"}, default="crr"
        ``"crr"``: (E − N) / S; ``"cohort"``: (S − L_S) / S, the share of the
        starting customers still active at the end (= 1 − churn).
    """

    method: Literal["crr", "cohort"] = "crr"


class RevenueChurnParams(PeriodParams):
    """Parameters of :class:`RevenueChurn`.

    Parameters
    ----------
    kind : {"gross", "net"}, default="gross"
    """

    kind: Literal["gross", "net"] = "gross"


# --- churn counts ----------------------------------------------------------------------

# Vector layout of the churn state.
_S, _N, _LS, _LN, _E = range(5)
_COUNTS = 5


def _period_vectors(columns: CustomerColumns, params: PeriodParams) -> FloatArray:
    t0, t1 = params.bounds
    since, until = columns.since, columns.until
    at_start = (since <= t0) & (until > t0)
    new = (since > t0) & (since <= t1)
    gone = until <= t1
    at_end = (since <= t1) & (until > t1)
    vectors = np.stack([at_start, new, at_start & gone, new & gone, at_end], axis=1).astype(
        np.float64
    )
    return vectors


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
    return _tally(columns, _period_vectors(columns, params), daily)


def _churn_ratio(vector: tuple[float, ...], denominator: str) -> tuple[float, float]:
    s, n, ls, ln, e = vector[:_COUNTS]
    if denominator == "start":
        return ls, s
    if denominator == "start_all_lost":
        return ls + ln, s
    if denominator == "start_plus_new":
        return ls + ln, s + n
    if denominator == "average":
        return ls + ln, (s + e) / 2.0
    days = (len(vector) - _COUNTS) // 2
    active = np.asarray(vector[_COUNTS : _COUNTS + days])
    lost = np.asarray(vector[_COUNTS + days :])
    seen = active > 0
    if not seen.any():
        return 0.0, 0.0
    return float((lost[seen] / active[seen]).sum()), 1.0


def _per_segment(
    state: SegmentTallyState, ratio: Any, zero_division: ZeroDivision, name: str
) -> dict[str | None, float]:
    values: dict[str | None, float] = {}
    for key, vector in state.tallies:
        if key == ALL:
            continue
        numerator, denominator = ratio(vector)
        values[key or None] = (
            numerator / denominator if denominator else undefined(zero_division, name, "empty")
        )
    return values


def _churn_compute(state: SegmentTallyState, params: ChurnParams) -> MetricResult:
    overall = state.as_dict().get(ALL, (0.0,) * _COUNTS)

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
            overall[_S] + (0 if params.denominator in ("start", "start_all_lost") else overall[_N])
        ),
        unit="ratio",
        interval=interval,
        confidence=params.confidence,
        details={
            "start_customers": int(overall[_S]),
            "new_customers": int(overall[_N]),
            "lost_from_start": int(overall[_LS]),
            "lost_new": int(overall[_LN]),
            "end_customers": int(overall[_E]),
            "by_segment": _per_segment(state, ratio, params.zero_division, "churn_rate"),
        },
    )


def _overall_or_by_segment(
    metric: Metric[Any, Any], customers: Any, by_segment: bool
) -> float | dict[str | None, float]:
    """Feed ``customers`` to ``metric``: the overall rate, or one rate per segment."""
    metric.update(customers)
    result = metric.compute()
    if by_segment:
        segments: dict[str | None, float] = result.details["by_segment"]
        return segments
    return float(result.value)


@overload
def churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    denominator: ChurnDenominator = "start",
    by_segment: Literal[False] = False,
    zero_division: ZeroDivision = "warn",
) -> float: ...


@overload
def churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    denominator: ChurnDenominator = "start",
    by_segment: Literal[True],
    zero_division: ZeroDivision = "warn",
) -> dict[str | None, float]: ...


@overload
def churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    denominator: ChurnDenominator = "start",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]: ...


def churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
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
    ``"start"`` (default)   :math:`L_S / S`                                 cohort churn, ``1 - retention``
    ``"start_all_lost"``    :math:`(L_S + L_N) / S`                         ChartMogul "Standard" (B2B)
    ``"start_plus_new"``    :math:`(L_S + L_N) / (S + N)`                   Stripe Billing (30 days)
    ``"average"``           :math:`(L_S + L_N) / ((S + E) / 2)`             average-customers variant
    ``"daily_sum"``         :math:`\sum_d \text{lost}_d / \text{active}_d`  ChartMogul "Shopify" (B2C)
    ======================  ==============================================  ==================================

    Parameters
    ----------
    customers : iterable of Customer, or a table
        Records, or columns (dict, pandas, polars, Arrow) as in :func:`customer_columns`.
    start, end : datetime
        Timezone-aware bounds of the period; ``end`` must not precede ``start``.
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
    >>> churn_rate(customers, jan, feb)
    0.25
    >>> churn_rate(customers, jan, feb, denominator="start_plus_new")
    0.2
    """
    metric = Churn(start=start, end=end, denominator=denominator, zero_division=zero_division)
    return _overall_or_by_segment(metric, customers, by_segment)


@register
class Churn(Metric[SegmentTallyState, ChurnParams]):
    """Customer churn over a period, mergeable over disjoint customer partitions.

    Parameters
    ----------
    start, end : datetime
    denominator : {"start", "start_all_lost", "start_plus_new", "average", "daily_sum"}, default="start"
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> metric = Churn(start=jan, end=feb)
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


# --- retention ----------------------------------------------------------------------------


def _retention_update(customers: Any, params: RetentionParams) -> SegmentTallyState:
    columns = customer_columns(customers, owner="retention_rate")
    return _tally(columns, _period_vectors(columns, params))


def _retention_compute(state: SegmentTallyState, params: RetentionParams) -> MetricResult:
    overall = state.as_dict().get(ALL, (0.0,) * _COUNTS)

    def ratio(vector: tuple[float, ...]) -> tuple[float, float]:
        s, n, ls, _, e = vector[:_COUNTS]
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
            "start_customers": int(overall[_S]),
            "new_customers": int(overall[_N]),
            "end_customers": int(overall[_E]),
            "by_segment": _per_segment(state, ratio, params.zero_division, "retention_rate"),
        },
    )


@overload
def retention_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    method: Literal["crr", "cohort"] = "crr",
    by_segment: Literal[False] = False,
    zero_division: ZeroDivision = "warn",
) -> float: ...


@overload
def retention_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    method: Literal["crr", "cohort"] = "crr",
    by_segment: Literal[True],
    zero_division: ZeroDivision = "warn",
) -> dict[str | None, float]: ...


@overload
def retention_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    method: Literal["crr", "cohort"] = "crr",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]: ...


def retention_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
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
    start, end : datetime
        Timezone-aware; ``end`` must not precede ``start``.
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
    >>> retention_rate(customers, jan, feb)
    0.8
    """
    metric = Retention(start=start, end=end, method=method, zero_division=zero_division)
    return _overall_or_by_segment(metric, customers, by_segment)


@register
class Retention(Metric[SegmentTallyState, RetentionParams]):
    """Customer retention rate over a period, mergeable over disjoint partitions.

    Parameters
    ----------
    start, end : datetime
    method : {"crr", "cohort"}, default="crr"
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> metric = Retention(start=jan, end=feb)
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


# --- revenue churn --------------------------------------------------------------------------

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
    return _tally(columns, vectors)


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
            "by_segment": _per_segment(state, ratio, params.zero_division, "revenue_churn_rate"),
        },
    )


@overload
def revenue_churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    kind: Literal["gross", "net"] = "gross",
    by_segment: Literal[False] = False,
    zero_division: ZeroDivision = "warn",
) -> float: ...


@overload
def revenue_churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    kind: Literal["gross", "net"] = "gross",
    by_segment: Literal[True],
    zero_division: ZeroDivision = "warn",
) -> dict[str | None, float]: ...


@overload
def revenue_churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
    kind: Literal["gross", "net"] = "gross",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> float | dict[str | None, float]: ...


def revenue_churn_rate(
    customers: Iterable[Customer] | Any,
    start: datetime,
    end: datetime,
    *,
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
    start, end : datetime
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
    >>> revenue_churn_rate(customers, jan, feb), revenue_churn_rate(customers, jan, feb, kind="net")
    (0.375, 0.125)
    """
    metric = RevenueChurn(start=start, end=end, kind=kind, zero_division=zero_division)
    return _overall_or_by_segment(metric, customers, by_segment)


@register
class RevenueChurn(Metric[SegmentTallyState, RevenueChurnParams]):
    """Gross or net revenue churn over a period, mergeable over disjoint partitions.

    Parameters
    ----------
    start, end : datetime
    kind : {"gross", "net"}, default="gross"
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> metric = RevenueChurn(start=jan, end=feb)
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


# --- lifetime --------------------------------------------------------------------------------


class LifetimeParams(MetricParams):
    """Parameters of :class:`CustomerLifetime`.

    Parameters
    ----------
    as_of : datetime
        Timezone-aware instant the data was taken; later events are ignored.
    method : {"exposure", "churned"}, default="exposure"
        ``"exposure"``: total observed customer time / customers lost (the
        maximum-likelihood mean lifetime under a constant churn rate; uses the
        customers still active too). ``"churned"``: the mean lifetime of the
        customers already gone (biased low: long lifetimes are not over yet).
    """

    as_of: datetime
    method: Literal["exposure", "churned"] = "exposure"

    @field_validator("as_of")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return _require_aware(value)


def _lifetime_update(customers: Any, params: LifetimeParams) -> SegmentTallyState:
    columns = customer_columns(customers, owner="average_customer_lifetime")
    now = params.as_of.timestamp()
    seen = columns.since <= now
    gone = seen & (columns.until <= now)
    exposure = np.where(seen, np.minimum(columns.until, now) - columns.since, 0.0)
    vectors = np.stack(
        [exposure, gone, np.where(gone, columns.until - columns.since, 0.0), seen], axis=1
    ).astype(np.float64)
    return _tally(columns, vectors)


def _lifetime_compute(state: SegmentTallyState, params: LifetimeParams) -> MetricResult:
    overall = state.as_dict().get(ALL, (0.0,) * 4)

    def ratio(vector: tuple[float, ...]) -> tuple[float, float]:
        exposure, gone, lifetimes, _ = vector
        return (exposure if params.method == "exposure" else lifetimes), gone

    def as_duration(numerator: float, denominator: float, name: str) -> Any:
        if denominator == 0:
            value = undefined(params.zero_division, name, "no customer has left yet")
            return value if math.isnan(value) else timedelta(seconds=value)
        return timedelta(seconds=numerator / denominator)

    segments = {
        (key or None): as_duration(*ratio(vector), "average_customer_lifetime")
        for key, vector in state.tallies
        if key != ALL
    }
    return MetricResult(
        value=as_duration(*ratio(overall), "average_customer_lifetime"),
        n=int(overall[3]),
        unit="seconds",
        confidence=params.confidence,
        details={"churned": int(overall[1]), "by_segment": segments},
    )


@overload
def average_customer_lifetime(
    customers: Iterable[Customer] | Any,
    *,
    as_of: datetime,
    method: Literal["exposure", "churned"] = "exposure",
    by_segment: Literal[False] = False,
    zero_division: ZeroDivision = "warn",
) -> timedelta | float: ...


@overload
def average_customer_lifetime(
    customers: Iterable[Customer] | Any,
    *,
    as_of: datetime,
    method: Literal["exposure", "churned"] = "exposure",
    by_segment: Literal[True],
    zero_division: ZeroDivision = "warn",
) -> dict[str | None, Any]: ...


@overload
def average_customer_lifetime(
    customers: Iterable[Customer] | Any,
    *,
    as_of: datetime,
    method: Literal["exposure", "churned"] = "exposure",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> timedelta | float | dict[str | None, Any]: ...


def average_customer_lifetime(
    customers: Iterable[Customer] | Any,
    *,
    as_of: datetime,
    method: Literal["exposure", "churned"] = "exposure",
    by_segment: bool = False,
    zero_division: ZeroDivision = "warn",
) -> timedelta | float | dict[str | None, Any]:
    r"""Average customer lifetime, from lifetimes observed up to ``as_of``.

    .. math::
        \text{exposure: } \frac{\sum_i (\min(\text{until}_i, \text{as\_of}) - \text{since}_i)}{\text{customers lost}},
        \qquad \text{churned: } \overline{\text{until} - \text{since}}\ \text{over customers lost}

    The exposure estimate equals ``1 / churn rate per unit time`` and accounts for
    customers still active; the other common shortcut, ``1 / monthly churn``,
    gives the same figure in months.

    Parameters
    ----------
    customers : iterable of Customer, or a table
        Records, or columns (dict, pandas, polars, Arrow) as in :func:`customer_columns`.
    as_of : datetime
        Timezone-aware end of the observation.
    method : {"exposure", "churned"}, default="exposure"
    by_segment : bool, default=False
    zero_division : {"warn", "raise"} or float, default="warn"
        Value while no customer has left.

    Returns
    -------
    timedelta or dict

    See Also
    --------
    CustomerLifetime : the mergeable class.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> day = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> customers = [Customer(id=1, since=day, until=day + timedelta(days=30)),
    ...              Customer(id=2, since=day)]
    >>> average_customer_lifetime(customers, as_of=day + timedelta(days=90))
    datetime.timedelta(days=120)
    >>> average_customer_lifetime(customers, as_of=day + timedelta(days=90), method="churned")
    datetime.timedelta(days=30)
    """
    metric = CustomerLifetime(as_of=as_of, method=method, zero_division=zero_division)
    metric.update(customers)
    result = metric.compute()
    if by_segment:
        segments: dict[str | None, Any] = result.details["by_segment"]
        return segments
    value: timedelta | float = result.value
    return value


@register
class CustomerLifetime(Metric[SegmentTallyState, LifetimeParams]):
    """Average customer lifetime, mergeable over disjoint customer partitions.

    Parameters
    ----------
    as_of : datetime
    method : {"exposure", "churned"}, default="exposure"
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> day = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> metric = CustomerLifetime(as_of=day + timedelta(days=10))
    >>> metric.update([Customer(id=1, since=day, until=day + timedelta(days=4))])
    >>> metric.compute().value
    datetime.timedelta(days=4)
    """

    name: ClassVar[str] = "customer_lifetime"
    unit: ClassVar[str] = "seconds"
    input_kind: ClassVar[str] = "customers"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = None
    state_type = SegmentTallyState
    Params = LifetimeParams

    @staticmethod
    def _update(items: Any, params: Any) -> SegmentTallyState:
        return _lifetime_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _lifetime_compute(state, params)
