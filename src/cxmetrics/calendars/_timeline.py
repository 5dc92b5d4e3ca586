"""The materialised timeline of a calendar and the vectorised kernels over it.

A :class:`Timeline` holds the calendar's open intervals over a range of local days
as sorted UTC epoch seconds, with the open time accumulated before each interval.
Then the business time up to an instant, ``F(t)``, is one binary search, elapsed
business time is ``F(b) - F(a)``, and adding business time is the inverse lookup.
Nothing here loops over instants; the only Python loop is over the days of the
range when the timeline is built (a few hundred per year, done once per calendar).

When every opening and closing instant is a whole multiple of some step from a
common origin (the usual case: windows on whole minutes, zone offsets on whole
minutes), a :class:`Grid` replaces the binary search by direct indexing: each cell
of the grid is wholly open or wholly closed, so ``F`` is the value at the cell's
start plus, in an open cell, the time since. That is one gather per instant
instead of about ten dependent, unpredictable comparisons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from cxmetrics.calendars._hours import MINUTES_PER_DAY, Window

__all__ = ["Grid", "Timeline", "build_timeline", "wall_to_utc"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Above this many cells (16 MiB of values, e.g. 4 years on a one-minute step) the
# grid stops paying for its memory and the binary search is used instead.
MAX_GRID_CELLS = 1 << 21


@dataclass(frozen=True, eq=False)
class Grid:
    """``F`` sampled on a regular grid whose cells are each wholly open or closed.

    Cell ``c`` is ``[origin + c*step, origin + (c+1)*step)``; ``value[c]`` is ``F``
    at its start and ``is_open[c]`` whether it is open. The first and the last cell
    are closed, so clamping an index to the grid gives ``F`` outside it too.
    ``open_starts[j]`` is the start of the ``j``-th open cell, where ``F = j*step``.
    """

    origin: float
    step: float
    value: FloatArray
    is_open: BoolArray
    open_starts: FloatArray

    def cell_of(self, t: FloatArray) -> npt.NDArray[np.intp]:
        """Index of the cell holding each instant, clamped to the grid (NaN -> 0)."""
        x = np.subtract(t, self.origin)
        x *= 1.0 / self.step
        # fmax/fmin drop NaN (unlike clip), so the cast below never sees one.
        np.fmax(x, 0.0, out=x)
        np.fmin(x, float(self.value.size - 1), out=x)
        return x.astype(np.intp)

    def open_before(self, t: FloatArray) -> FloatArray:
        """``F(t)``; NaN stays NaN. At a cell edge either neighbour gives the same value."""
        c = self.cell_of(t)
        since = c.astype(np.float64)
        since *= self.step
        since += self.origin
        np.subtract(t, since, out=since)
        since *= self.is_open[c]
        since += self.value[c]
        return since

    def instant(self, target: FloatArray, *, earliest: bool) -> FloatArray:
        """The earliest (or latest) instant at which ``F`` equals each ``target``."""
        k = np.divide(target, self.step)
        if earliest:  # an exact multiple ends an open cell: a closing instant
            np.ceil(k, out=k)
            k -= 1.0
        else:  # ... or starts the next open cell: an opening instant
            np.floor(k, out=k)
        np.fmax(k, 0.0, out=k)
        np.fmin(k, float(self.open_starts.size - 1), out=k)
        j = k.astype(np.intp)
        k *= -self.step
        k += target
        k += self.open_starts[j]
        return k


@dataclass(frozen=True, eq=False)
class Timeline:
    """Open intervals ``[starts[i], ends[i])`` (UTC seconds), sorted and disjoint.

    ``cum[i]`` is the open time before ``starts[i]`` within the timeline; the
    timeline is exact for instants in ``[valid_from, valid_to)``.
    """

    first_day: date
    last_day: date
    starts: FloatArray
    ends: FloatArray
    cum: FloatArray
    valid_from: float
    valid_to: float
    grid: Grid | None = None

    @property
    def total(self) -> float:
        """Open seconds in the whole timeline."""
        return float(self.cum[-1] + self.ends[-1] - self.starts[-1]) if self.starts.size else 0.0

    def covers(self, low: float, high: float) -> bool:
        """Whether every instant in ``[low, high]`` is inside the exact range."""
        return self.valid_from <= low and high < self.valid_to

    def open_before(self, t: FloatArray) -> FloatArray:
        """``F(t)``: open seconds between the timeline's start and each instant ``t``."""
        if self.grid is not None:
            return self.grid.open_before(t)
        return self._searched_open_before(t)

    def _searched_open_before(self, t: FloatArray) -> FloatArray:
        if self.starts.size == 0:
            return np.where(np.isnan(t), np.nan, 0.0)
        i = np.searchsorted(self.starts, t, side="right") - 1
        j = np.maximum(i, 0)
        inside = np.clip(t - self.starts[j], 0.0, self.ends[j] - self.starts[j])
        return np.where(i >= 0, self.cum[j] + inside, np.where(np.isnan(t), np.nan, 0.0))

    def instant_after(self, target: FloatArray) -> FloatArray:
        """Earliest instant at which ``F`` reaches ``target`` (a closing instant if it ends there)."""
        if self.grid is not None:
            return self.grid.instant(target, earliest=True)
        cum_end = self.cum + (self.ends - self.starts)
        j = np.minimum(np.searchsorted(cum_end, target, side="left"), self.starts.size - 1)
        offset = np.clip(target - self.cum[j], 0.0, self.ends[j] - self.starts[j])
        return self.starts[j] + offset

    def instant_before(self, target: FloatArray) -> FloatArray:
        """Latest instant at which ``F`` equals ``target`` (an opening instant if it starts there)."""
        if self.grid is not None:
            return self.grid.instant(target, earliest=False)
        j = np.maximum(np.searchsorted(self.cum, target, side="right") - 1, 0)
        offset = np.clip(target - self.cum[j], 0.0, self.ends[j] - self.starts[j])
        return self.starts[j] + offset


def _offset_at(seconds: float, zone: ZoneInfo) -> float:
    return datetime.fromtimestamp(seconds, zone).utcoffset().total_seconds()  # type: ignore[union-attr]


def wall_to_utc(start: float, end: float, zone: ZoneInfo) -> list[tuple[float, float]]:
    """The UTC intervals during which the local wall clock reads within ``[start, end)``.

    ``start`` and ``end`` are "naive" local seconds (local wall-clock time written as
    if it were UTC). Around a DST change the wall clock is two straight pieces,
    ``wall = t + o1`` before the change instant ``T`` and ``wall = t + o2`` after, so
    the answer is at most two intervals:

    - a **gap** (clocks jump forward): wall times inside it never occur, so a
      boundary that falls in it moves to the end of the gap;
    - a **fold** (clocks go back): the repeated wall times occur twice and both
      passes are open when they fall in the window.

    Examples
    --------
    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> naive = lambda *a: datetime(*a, tzinfo=timezone.utc).timestamp()
    >>> utc = lambda s: datetime.fromtimestamp(s, timezone.utc).strftime("%H:%M")
    >>> # spring forward, 02:00 -> 03:00: a window 02:30-05:00 opens at 03:00 CEST
    >>> [(utc(a), utc(b)) for a, b in wall_to_utc(naive(2024, 3, 31, 2, 30), naive(2024, 3, 31, 5), berlin)]
    [('01:00', '03:00')]
    >>> # fall back, 03:00 -> 02:00: a window 00:00-02:30 is open on both passes of 02:00-02:30
    >>> [(utc(a), utc(b)) for a, b in wall_to_utc(naive(2024, 10, 27), naive(2024, 10, 27, 2, 30), berlin)]
    [('22:00', '00:30'), ('01:00', '01:30')]
    """
    # Offsets never exceed 14 hours, so the change, if any, lies in this range.
    low, high = start - 15 * 3600.0, end + 15 * 3600.0
    before, after = _offset_at(low, zone), _offset_at(high, zone)
    if before == after and _offset_at((low + high) / 2.0, zone) == before:
        return [(start - before, end - before)]
    # Find the change instant to the second by bisection (transitions are whole seconds).
    lo, hi = int(low), int(high)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(float(mid), zone) == before:
            lo = mid
        else:
            hi = mid
    change = float(hi)
    pieces = [
        (start - before, min(end - before, change)),
        (max(start - after, change), end - after),
    ]
    return [(a, b) for a, b in pieces if b > a]


def build_timeline(
    zone: ZoneInfo,
    windows_of: Callable[[date], tuple[Window, ...]],
    first_day: date,
    last_day: date,
) -> Timeline:
    """Materialise the windows of every local day in ``[first_day, last_day]``.

    ``windows_of(day)`` gives the windows starting that day. The timeline is exact
    from the end of ``first_day`` (windows of the day before may spill into it) to
    the start of ``last_day`` (an overnight window of ``last_day`` is included).
    """
    n_days = (last_day - first_day).days + 1
    days = [first_day + timedelta(days=k) for k in range(n_days + 3)]
    # UTC offset at each local midnight; a window whose days do not all share one
    # offset may straddle a DST change and takes the exact path.
    offsets = np.array(
        [datetime.combine(d, time(0), tzinfo=zone).utcoffset().total_seconds() for d in days]  # type: ignore[union-attr]
    )
    starts: list[float] = []
    ends: list[float] = []
    for k in range(n_days):
        midnight = (days[k].toordinal() - _EPOCH_ORDINAL) * 86400.0
        for start_minute, end_minute in windows_of(days[k]):
            last = k + 1 + end_minute // MINUTES_PER_DAY
            span = offsets[max(k - 1, 0) : last + 1]
            wall_start = midnight + start_minute * 60.0
            wall_end = midnight + end_minute * 60.0
            if span.min() == span.max():
                starts.append(wall_start - span[0])
                ends.append(wall_end - span[0])
            else:
                for a, b in wall_to_utc(wall_start, wall_end, zone):
                    starts.append(a)
                    ends.append(b)
    start_array = np.asarray(starts, dtype=np.float64)
    end_array = np.asarray(ends, dtype=np.float64)
    keep = end_array > start_array  # a window swallowed by a DST gap is empty
    start_array, end_array = start_array[keep], end_array[keep]
    order = np.argsort(start_array, kind="stable")
    start_array, end_array = _merge(start_array[order], end_array[order])
    lengths = end_array - start_array
    cum = np.concatenate([[0.0], np.cumsum(lengths)[:-1]]) if lengths.size else lengths
    valid_from = datetime.combine(days[1], time(0), tzinfo=zone).timestamp()
    valid_to = datetime.combine(days[n_days - 1], time(0), tzinfo=zone).timestamp()
    timeline = Timeline(first_day, last_day, start_array, end_array, cum, valid_from, valid_to)
    grid = make_grid(timeline)
    if grid is None:
        return timeline
    return Timeline(
        first_day, last_day, start_array, end_array, cum, valid_from, valid_to, grid=grid
    )


def make_grid(timeline: Timeline, max_cells: int = MAX_GRID_CELLS) -> Grid | None:
    """The coarsest grid on which every boundary of ``timeline`` is a cell edge.

    None when there is nothing open, when a boundary is not a whole second (the
    step is found as a greatest common divisor of whole seconds), or when the grid
    would need more than ``max_cells`` cells.
    """
    starts, ends = timeline.starts, timeline.ends
    if starts.size == 0:
        return None
    bounds = np.concatenate([starts, ends])
    if not np.array_equal(bounds, np.round(bounds)):
        return None
    reference = float(starts[0])
    step = int(np.gcd.reduce((bounds - reference).astype(np.int64)))
    low = min(timeline.valid_from, reference)
    high = max(timeline.valid_to, float(ends[-1]))
    # One closed cell before everything and one after, so clamped indices are right.
    origin = reference + step * (np.floor((low - reference) / step) - 1.0)
    cells = int(np.ceil((high - origin) / step)) + 1
    if cells > max_cells:
        return None
    edges = origin + step * np.arange(cells + 1, dtype=np.float64)
    at_edges = timeline._searched_open_before(edges)
    is_open = np.diff(at_edges) > 0.0
    return Grid(origin, float(step), at_edges[:-1], is_open, edges[:-1][is_open])


def _merge(starts: FloatArray, ends: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Merge overlapping or touching intervals (sorted by start)."""
    if starts.size == 0:
        return starts, ends
    running_end = np.maximum.accumulate(ends)
    # A new block starts where an interval begins after everything before it ended.
    new_block = np.concatenate([[True], starts[1:] > running_end[:-1]])
    block = np.cumsum(new_block) - 1
    merged_starts = starts[new_block]
    merged_ends = np.zeros(merged_starts.size)
    np.maximum.at(merged_ends, block, ends)
    return merged_starts, merged_ends


def utc_day(seconds: float, zone: ZoneInfo) -> date:
    """The local date of a UTC epoch-second instant."""
    return datetime.fromtimestamp(seconds, timezone.utc).astimezone(zone).date()
