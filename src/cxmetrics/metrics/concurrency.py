"""Peak concurrency: the most live contacts at the same time, overall and per interval."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, undefined
from cxmetrics.core.local_time import interval_seconds, local_seconds, local_to_utc
from cxmetrics.core.result_table import MetricTable
from cxmetrics.core.state import State
from cxmetrics.metrics._calls import CallParams
from cxmetrics.registry import register
from cxmetrics.tables.calls import CallColumns
from cxmetrics.tables.inputs import call_columns

__all__ = [
    "ConcurrencyParams",
    "PeakConcurrency",
    "SpansState",
    "concurrency_by_interval",
    "peak_concurrency",
]

Span = Literal["connected", "handling"]

FloatArray = npt.NDArray[np.float64]


def _frozen(values: Any) -> FloatArray:
    array = np.array(values, dtype=np.float64, copy=True).ravel()
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class SpansState(State):
    """The time spans ``[start, end)`` of every contact (UTC epoch seconds).

    Peaks of two partitions do not combine into the peak of their union, so the
    state keeps the spans: exact, O(n) in memory, merged by concatenation.
    """

    starts: FloatArray = field(default_factory=lambda: _frozen([]))
    ends: FloatArray = field(default_factory=lambda: _frozen([]))

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", _frozen(self.starts))
        object.__setattr__(self, "ends", _frozen(self.ends))

    def merge(self, other: Self) -> Self:
        """Concatenate the spans of both states."""
        self._check_same_type(other)
        return type(self)(
            np.concatenate([self.starts, other.starts]), np.concatenate([self.ends, other.ends])
        )

    def _sorted(self) -> FloatArray:
        order = np.lexsort((self.ends, self.starts))
        return np.stack([self.starts[order], self.ends[order]])

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, SpansState)
        return bool(np.array_equal(self._sorted(), other._sorted()))

    def __hash__(self) -> int:
        return hash(self._sorted().tobytes())

    def __repr__(self) -> str:
        return f"SpansState(<{self.starts.size} spans>)"

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON-able data."""
        return {
            "kind": type(self).__name__,
            "starts": self.starts.tolist(),
            "ends": self.ends.tolist(),
        }


class ConcurrencyParams(CallParams):
    """Parameters of :class:`PeakConcurrency`.

    Parameters
    ----------
    span : {"connected", "handling"}, default="connected"
        What "simultaneous" means. ``"connected"``: the customer is on the line,
        from arrival to the end of talk and hold (``at`` to
        ``at + wait + talk + hold``), which is what trunk lines and chat
        concurrency limits are sized on. ``"handling"``: an agent is busy, from
        answer to the end of wrap-up (``at + wait`` to
        ``at + wait + talk + hold + wrap``).
    """

    span: Span = "connected"


def _spans(columns: CallColumns, span: str) -> tuple[FloatArray, FloatArray]:
    if span == "handling":
        handled = columns.select(columns.answered)
        starts = handled.at + handled.wait
        ends = starts + handled.handle
    else:
        starts = columns.at
        ends = columns.at + columns.wait + columns.talk + columns.hold
    keep = ends > starts  # a zero-length contact is never "at the same time" as another
    return starts[keep], ends[keep]


def _levels(starts: FloatArray, ends: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Return event times and the number of open spans just after each event."""
    times = np.concatenate([starts, ends])
    steps = np.concatenate([np.ones(starts.size, np.int64), -np.ones(ends.size, np.int64)])
    # Half-open spans: at equal times, ends (-1) come before starts (+1).
    order = np.lexsort((steps, times))
    return times[order], np.cumsum(steps[order])


def _concurrency_update(items: Any, params: ConcurrencyParams) -> SpansState:
    columns = call_columns(items, owner="peak_concurrency").only(channel=params.channel)
    return SpansState(*_spans(columns, params.span))


def _concurrency_compute(state: SpansState, params: ConcurrencyParams) -> MetricResult:
    n = int(state.starts.size)
    if n == 0:
        return MetricResult(
            undefined(params.zero_division, "peak_concurrency", "no contact"),
            n=0,
            unit="count",
            confidence=params.confidence,
        )
    # The level peaks just after a start: the starts so far minus the spans ended by
    # then (an end at the same instant comes first). Two sorts beat one lexsort of both.
    starts, ends = np.sort(state.starts), np.sort(state.ends)
    levels = np.arange(1, n + 1) - np.searchsorted(ends, starts, side="right")
    at_peak = int(np.argmax(levels))
    return MetricResult(
        value=int(levels[at_peak]),
        n=n,
        unit="count",
        confidence=params.confidence,
        details={"first_reached_at": float(starts[at_peak])},
    )


def peak_concurrency(
    items: Any,
    *,
    span: Span = "connected",
    channel: str | None = None,
    zero_division: ZeroDivision = "warn",
) -> int | float:
    """The largest number of live contacts in progress at the same instant.

    Each contact occupies a half-open span ``[start, end)`` (see ``span``); a
    contact ending exactly when another starts does not overlap it.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    span : {"connected", "handling"}, default="connected"
        ``"connected"``: arrival to end of talk and hold; ``"handling"``: answer
        to end of wrap-up.
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"
        Value without contacts.

    Returns
    -------
    int

    See Also
    --------
    concurrency_by_interval : the peak in each 15/30/60-minute interval.
    PeakConcurrency : the mergeable class.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=at, talk=600), Call(at=at.replace(minute=5), talk=60),
    ...          Call(at=at.replace(minute=10), talk=60)]
    >>> peak_concurrency(calls)
    2
    """
    metric = PeakConcurrency(span=span, channel=channel, zero_division=zero_division)
    metric.update(items)
    value: int | float = metric.compute().value
    return value


def concurrency_by_interval(
    items: Any,
    interval: timedelta | float = timedelta(minutes=30),
    *,
    span: Span = "connected",
    timezone: str = "UTC",
    channel: str | None = None,
) -> MetricTable:
    """The peak number of simultaneous contacts in each interval.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    interval : timedelta or float, default=30 minutes
        Must divide a day (15, 30, 60 minutes…).
    span : {"connected", "handling"}, default="connected"
    timezone : str, default="UTC"
        IANA zone whose wall clock aligns the intervals.
    channel : str, optional

    Returns
    -------
    MetricTable
        Columns ``start_at`` and ``peak``, for every interval from the first span's
        to the last one's (intervals with nobody on the line have peak 0).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=at, talk=3000), Call(at=at.replace(minute=40), talk=60),
    ...          Call(at=at.replace(minute=50), talk=60)]
    >>> [(s.strftime("%H:%M"), p) for s, p in concurrency_by_interval(calls).rows]
    [('09:00', 1), ('09:30', 2)]
    """
    width = interval_seconds(interval, "concurrency_by_interval")
    columns = call_columns(items, owner="concurrency_by_interval").only(channel=channel)
    starts, ends = _spans(columns, span)
    if starts.size == 0:
        return MetricTable(columns=("start_at", "peak"), rows=(), index=("start_at",))
    offset = local_seconds(starts, timezone) - starts  # wall clock = UTC + offset
    local_start, local_end = starts + offset, ends + offset
    times, levels = _levels(local_start, local_end)
    first = np.floor(times[0] / width)
    last = np.floor(np.nextafter(times[-1], -np.inf) / width)
    buckets = np.arange(first, last + 1) * width
    # The level carried into each bucket is the level after the last earlier event.
    before = np.searchsorted(times, buckets, side="right") - 1
    carried = np.where(before >= 0, levels[np.maximum(before, 0)], 0)
    peaks = carried.copy()
    inside = np.floor(times / width) - first
    np.maximum.at(peaks, inside.astype(np.int64), levels)
    rows = tuple(
        (local_to_utc(float(b), timezone), int(p)) for b, p in zip(buckets, peaks, strict=True)
    )
    return MetricTable(columns=("start_at", "peak"), rows=rows, index=("start_at",))


@register
class PeakConcurrency(Metric[SpansState, ConcurrencyParams]):
    """Peak number of simultaneous live contacts; mergeable (keeps the spans).

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``PeakConcurrency.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    span : {"connected", "handling"}, default="connected"
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95
        Unused (the peak has no interval); accepted for uniformity.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> metric = PeakConcurrency()
    >>> metric.update([Call(at=at, talk=60), Call(at=at, wait=30, talk=60)])
    >>> metric.compute().value
    2
    """

    name: ClassVar[str] = "peak_concurrency"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "calls"
    higher_is_better: ClassVar[bool | None] = None
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = None
    state_type = SpansState
    Params = ConcurrencyParams

    @staticmethod
    def _update(items: Any, params: Any) -> SpansState:
        return _concurrency_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _concurrency_compute(state, params)
