"""Average customer lifetime, from the lifetimes observed up to an instant."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal, overload

import numpy as np
from pydantic import field_validator

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, undefined
from cxmetrics.metrics.customer_tally import ALL, SegmentTallyState, require_aware, tally
from cxmetrics.models.customer import Customer
from cxmetrics.registry import register
from cxmetrics.tables.inputs import customer_columns

__all__ = ["CustomerLifetime", "LifetimeParams", "average_customer_lifetime"]


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
        return require_aware(value)


def _lifetime_update(customers: Any, params: LifetimeParams) -> SegmentTallyState:
    columns = customer_columns(customers, owner="average_customer_lifetime")
    now = params.as_of.timestamp()
    seen = columns.since <= now
    gone = seen & (columns.until <= now)
    exposure = np.where(seen, np.minimum(columns.until, now) - columns.since, 0.0)
    vectors = np.stack(
        [exposure, gone, np.where(gone, columns.until - columns.since, 0.0), seen], axis=1
    ).astype(np.float64)
    return tally(columns, vectors)


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
    **params
        Keyword arguments, validated into ``CustomerLifetime.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
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
