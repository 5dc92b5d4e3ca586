"""What the customer metrics share: per-segment tallies and the period they cover.

A customer is *active* at instant ``t`` when ``since <= t < until``. For a period
``[start, end]``:

- ``S``: active at ``start``; ``N``: new, ``start < since <= end``;
  ``E``: active at ``end``;
- ``L_S``: lost among ``S`` (``until <= end``); ``L_N``: new customers lost again
  within the period.

So ``E = S - L_S + N - L_N``. Every state here counts *customers*: merging two
states assumes the partitions hold disjoint customers (a customer in two
partitions is counted twice). The metrics are in :mod:`~cxmetrics.metrics.churn`,
:mod:`~cxmetrics.metrics.retention`, :mod:`~cxmetrics.metrics.revenue_churn` and
:mod:`~cxmetrics.metrics.lifetime`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import field_validator, model_validator
from typing_extensions import Self

from cxmetrics.core.base import Metric, MetricParams, ZeroDivision, undefined
from cxmetrics.core.state import State
from cxmetrics.exceptions import CXMetricsDeprecationWarning, InvalidParameterError
from cxmetrics.tables.customers import CustomerColumns

__all__ = [
    "ALL",
    "COUNTS",
    "L_N",
    "L_S",
    "E",
    "FloatArray",
    "N",
    "PeriodParams",
    "S",
    "SegmentTallyState",
    "overall_or_by_segment",
    "per_segment",
    "period_vectors",
    "period_window",
    "require_aware",
    "tally",
]

FloatArray = npt.NDArray[np.float64]
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


def tally(
    columns: CustomerColumns, vectors: FloatArray, daily: FloatArray | None = None
) -> SegmentTallyState:
    """Sum per-customer vectors per segment and overall.

    ``daily`` (optional) holds, per customer, the first and last day it is active at
    the start of the day, and the day it is lost, as indices that keep memory
    O(customers + days): see :func:`cxmetrics.metrics.churn._daily_flags`.
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


def require_aware(value: datetime) -> datetime:
    """Return ``value``; a naive datetime is a ``ValueError`` (for a pydantic validator)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"timezone-aware; {value.isoformat()} is naive: attach the zone, e.g. "
            "value.replace(tzinfo=timezone.utc) or ZoneInfo('Europe/Paris')"
        )
    return value


class PeriodParams(MetricParams):
    """A period ``window=(start, end)`` of aware datetimes.

    Parameters
    ----------
    window : (datetime, datetime)
        Timezone-aware bounds of the period; the end must not precede the start.
        (``start=`` and ``end=``, its old form, keep working for one release with a
        deprecation warning.)
    """

    window: tuple[datetime, datetime]

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, data: Any) -> Any:
        if not isinstance(data, dict) or ("start" not in data and "end" not in data):
            return data
        data = dict(data)
        start, end = data.pop("start", None), data.pop("end", None)
        data["window"] = period_window(data.get("window"), start, end, cls.__name__, stacklevel=7)
        return data

    @field_validator("window")
    @classmethod
    def _check_window(cls, window: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
        start, end = window
        for name, value in (("start", start), ("end", end)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(
                    f"a pair of timezone-aware datetimes; the {name} {value.isoformat()} is "
                    "naive: attach the zone, e.g. value.replace(tzinfo=timezone.utc)"
                )
        if end < start:
            raise ValueError(
                f"(start, end) with the end at or after the start: the period ends at "
                f"{end.isoformat()}, before it starts ({start.isoformat()})"
            )
        return window

    @property
    def start(self) -> datetime:
        """The start of the window."""
        return self.window[0]

    @property
    def end(self) -> datetime:
        """The end of the window."""
        return self.window[1]

    @property
    def bounds(self) -> tuple[float, float]:
        """``(start, end)`` as epoch seconds."""
        return self.start.timestamp(), self.end.timestamp()


def period_window(
    window: tuple[datetime, datetime] | None,
    start: datetime | None,
    end: datetime | None,
    owner: str,
    *,
    stacklevel: int = 4,
) -> tuple[datetime, datetime]:
    """The ``window`` of a period, from ``window=`` or its old form ``start=``/``end=``.

    The old form warns (it goes in the next release); giving both forms, or half
    of the old one, is an error.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    >>> period_window((jan, feb), None, None, "churn_rate") == (jan, feb)
    True
    >>> period_window(None, None, None, "churn_rate")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: churn_rate needs the period: window=(start, end), two timezone-aware datetimes
    """
    if start is None and end is None:
        if window is None:
            raise InvalidParameterError(
                f"{owner} needs the period: window=(start, end), two timezone-aware datetimes"
            )
        return window
    if window is not None:
        raise InvalidParameterError(
            f"{owner}: give window=(start, end) only (start=/end= are its old form)"
        )
    if start is None or end is None:
        raise InvalidParameterError(f"{owner}: give the period as window=(start, end)")
    warnings.warn(
        f"{owner}: give the period as window=(start, end); start= and end= go in the next release",
        CXMetricsDeprecationWarning,
        stacklevel=stacklevel,
    )
    return (start, end)


# --- period counts ----------------------------------------------------------------------

# Vector layout of the period counts (the churn and retention states).
S, N, L_S, L_N, E = range(5)
COUNTS = 5


def period_vectors(columns: CustomerColumns, params: PeriodParams) -> FloatArray:
    """Per customer, the flags ``S, N, L_S, L_N, E`` of the period (one row each)."""
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


def per_segment(
    state: SegmentTallyState, ratio: Any, zero_division: ZeroDivision, name: str
) -> dict[str | None, float]:
    """``ratio(vector)`` of every segment's tally as a value (``undefined`` when empty)."""
    values: dict[str | None, float] = {}
    for key, vector in state.tallies:
        if key == ALL:
            continue
        numerator, denominator = ratio(vector)
        values[key or None] = (
            numerator / denominator if denominator else undefined(zero_division, name, "empty")
        )
    return values


def overall_or_by_segment(
    metric: Metric[Any, Any], customers: Any, by_segment: bool
) -> float | dict[str | None, float]:
    """Feed ``customers`` to ``metric``: the overall rate, or one rate per segment."""
    metric.update(customers)
    result = metric.compute()
    if by_segment:
        segments: dict[str | None, float] = result.details["by_segment"]
        return segments
    return float(result.value)
