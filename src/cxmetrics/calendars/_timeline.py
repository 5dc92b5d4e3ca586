"""The materialised timeline of a calendar and the vectorised kernels over it.

A :class:`Timeline` holds the calendar's open intervals over a range of local days
as sorted UTC epoch seconds, with the open time accumulated before each interval.
Then the business time up to an instant, ``F(t)``, is one binary search, elapsed
business time is ``F(b) - F(a)``, and adding business time is the inverse lookup.
Nothing here loops over instants or days: the timeline is laid out with numpy per
weekly window, and only the dates with their own hours and the windows that
straddle a DST change go through Python one by one.

Exactness. Every opening and closing instant is a whole second (windows are on
whole minutes and zone offsets on whole seconds), so within one second the
calendar is either open throughout or closed throughout. The kernels therefore
split an instant into its whole second and the fraction after it; all the
timeline arithmetic is then on whole numbers held exactly in float64 (below
2**53), and the fraction is added once, at the end. Results are the exact
answer rounded once, so they do not depend on which range of days happens to be
materialised (nor on the grid below): a calendar gives the same answer whatever
it was asked before.

When every opening and closing instant is a whole multiple of some step from a
common origin (the usual case: windows on whole minutes, zone offsets on whole
minutes), a :class:`Grid` replaces the binary search by direct indexing: each cell
of the grid is wholly open or wholly closed, so ``F`` is the value at the cell's
start plus, in an open cell, the time since. That is one gather per instant
instead of about ten dependent, unpredictable comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from fractions import Fraction
from math import ceil, floor
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from cxmetrics.calendars._hours import MINUTES_PER_DAY, Window

__all__ = ["DST_CONVENTIONS", "Grid", "Timeline", "build_timeline", "wall_to_utc"]

DST_CONVENTIONS: tuple[str, ...] = ("wall", "biz")
"""How window boundaries in a DST gap or fold are read (see ``wall_to_utc``)."""

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Above this many cells (16 MiB of values, e.g. 4 years on a one-minute step) the
# grid stops paying for its memory and the binary search is used instead.
MAX_GRID_CELLS = 1 << 21


def split_seconds(t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each instant as (its whole second, the fraction after it); both exact.

    ``floor`` (not truncation): the whole second of -0.5 is -1, so instants
    before 1970 split like any other. Exact for ``|t| < 2**52``.
    """
    whole = np.floor(t)
    return whole, np.subtract(t, whole)


@dataclass(frozen=True, eq=False)
class Grid:
    """``F`` sampled on a regular grid whose cells are each wholly open or closed.

    Cell ``c`` is ``[origin + c*step, origin + (c+1)*step)``; in it ``F(t)`` is
    ``base[c] + slope[c] * t``, with ``slope`` 1 in an open cell and 0 in a closed
    one. The first and the last cell are closed, so clamping an index to the grid
    gives ``F`` outside it too. ``open_starts[j]`` is the start of the ``j``-th
    open cell, where ``F = j*step``. ``origin``, ``step`` and ``base`` are whole
    numbers; ``inverse`` is ``1/step`` rounded up, so that ``floor(x * inverse)``
    is exactly ``x // step`` for the whole ``x`` met here (a rounded-down inverse
    puts an instant exactly on a cell edge into the cell before).
    """

    origin: float
    step: float
    inverse: float
    base: FloatArray
    slope: FloatArray
    open_starts: FloatArray

    def split(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``F(t)`` as (its value at the whole second of ``t``, the open part of the fraction).

        NaN stays NaN (its cell index is 0, and NaN times 0 is NaN). Written for
        few temporaries: this is the whole cost of ``business_seconds``.
        """
        whole = np.floor(t)
        y = np.subtract(whole, self.origin)
        y *= self.inverse
        # fmax/fmin drop NaN (unlike clip), so the cast below never sees one.
        np.fmax(y, 0.0, out=y)
        np.fmin(y, float(self.base.size - 1), out=y)
        c = y.astype(np.intp)
        # Four arrays of instants instead of five (fresh memory costs page faults):
        # the gathers write into ``y``, and ``whole`` turns into the open part of
        # it. The indices are clamped already, so ``mode="clip"`` (``"raise"``
        # would buffer ``out``). The same operations in the same order as
        # ``base[c] + slope[c] * whole`` and ``(t - whole) * slope[c]``.
        slope = np.take(self.slope, c, out=y, mode="clip")
        fraction = np.subtract(t, whole)
        fraction *= slope
        whole *= slope
        value = np.take(self.base, c, out=slope, mode="clip")
        value += whole
        return value, fraction

    def open_second(self, n: FloatArray) -> FloatArray:
        """Start of the open second during which ``F`` goes from ``n`` to ``n + 1`` (whole ``n``)."""
        q = n * self.inverse
        np.floor(q, out=q)
        np.fmax(q, 0.0, out=q)
        np.fmin(q, float(self.open_starts.size - 1), out=q)
        j = q.astype(np.intp)
        q *= -self.step
        q += n
        q += self.open_starts[j]
        return q


@dataclass(frozen=True, eq=False)
class Timeline:
    """Open intervals ``[starts[i], ends[i])`` (UTC seconds), sorted and disjoint.

    ``cum[i]`` is the open time before ``starts[i]`` within the timeline; the
    timeline is exact for instants in ``[valid_from, valid_to)``. Every value is a
    whole number of seconds.
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

    def split(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``F(t)`` as (its value at the whole second of ``t``, the open part of the fraction).

        Both exact: all the arithmetic on the timeline is on whole seconds.
        """
        if self.grid is not None:
            return self.grid.split(t)
        whole = np.floor(t)
        value, is_open = self._searched_locate(whole)
        fraction = np.subtract(t, whole, out=whole)
        fraction *= is_open
        return value, fraction

    def _searched_locate(self, whole: FloatArray) -> tuple[FloatArray, BoolArray]:
        """``F`` at each whole-second instant, and whether the second after it is open."""
        if self.starts.size == 0:
            return np.where(np.isnan(whole), np.nan, 0.0), np.zeros(whole.shape, dtype=bool)
        i = np.searchsorted(self.starts, whole, side="right") - 1
        j = np.maximum(i, 0)
        length = self.ends[j] - self.starts[j]
        since = whole - self.starts[j]
        before = i >= 0
        is_open = before & (since < length)
        value = np.where(before, self.cum[j] + np.clip(since, 0.0, length), 0.0)
        # (NaN sorts last: its row is the last interval, and NaN - start stays NaN.)
        return value, is_open

    def open_before(self, t: FloatArray) -> FloatArray:
        """``F(t)``: open seconds between the timeline's start and each instant ``t``."""
        value, fraction = self.split(t)
        value += fraction
        return value

    def between(self, a: FloatArray, b: FloatArray) -> FloatArray:
        """``F(b) - F(a)``, as the whole seconds' difference plus the fractions' (exact, then one rounding)."""
        value_a, fraction_a = self.split(a)
        value_b, fraction_b = self.split(b)
        value_b -= value_a
        fraction_b -= fraction_a
        value_b += fraction_b
        return value_b

    def open_second(self, n: FloatArray) -> FloatArray:
        """Start of the open second during which ``F`` goes from ``n`` to ``n + 1`` (whole ``n``)."""
        if self.grid is not None:
            return self.grid.open_second(n)
        cum_end = self.cum + (self.ends - self.starts)
        j = np.minimum(np.searchsorted(cum_end, n, side="right"), self.starts.size - 1)
        return self.starts[j] + (n - self.cum[j])

    def target_seconds(self, t: FloatArray, seconds: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Where ``seconds`` (non-zero) of open time from ``t`` end: (open second ``n``, offset ``w``).

        The answer is ``open_second(n) + w``. Going forward it is the earliest
        instant with that much open time (a closing instant when the time runs out
        there): ``w`` in ``(0, 1]``; going back the latest (an opening instant):
        ``w`` in ``[0, 1)``. ``n`` is a whole number, ``w`` exact.
        """
        value, fraction = self.split(t)
        u = fraction + seconds
        whole = np.where(seconds > 0, np.ceil(u) - 1.0, np.floor(u))
        u -= whole
        whole += value
        return whole, u

    def open_at(self, instant: float) -> float:
        """``F`` at one whole-second instant."""
        return float(self.split(np.array([float(instant)]))[0][0])


def _offset_at(seconds: float, zone: ZoneInfo) -> float:
    return datetime.fromtimestamp(seconds, zone).utcoffset().total_seconds()  # type: ignore[union-attr]


def wall_to_utc(
    start: float, end: float, zone: ZoneInfo, convention: str = "wall"
) -> list[tuple[float, float]]:
    """The UTC intervals during which the local wall clock reads within ``[start, end)``.

    That is the ``"wall"`` convention; ``"biz"`` (the Ruby ``biz`` gem's, which
    Zammad uses) reads each boundary on its own, as one instant, and opens the one
    stretch between them: a boundary in a gap is read one hour later (02:30 in a
    02:00-03:00 gap is 03:30), and one in a fold at its first pass.

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
    # floor/ceil, not int(): int() truncates toward zero, which before 1970 moves
    # the lower end up, past the instant it must stay before.
    lo, hi = floor(low), ceil(high)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(float(mid), zone) == before:
            lo = mid
        else:
            hi = mid
    change = float(hi)
    if convention == "biz":
        a, b = _biz_instant(start, before, after, change), _biz_instant(end, before, after, change)
        return [(a, b)] if b > a else []
    pieces = [
        (start - before, min(end - before, change)),
        (max(start - after, change), end - after),
    ]
    return [(a, b) for a, b in pieces if b > a]


def _biz_instant(wall: float, before: float, after: float, change: float) -> float:
    """One wall-clock instant read as ``biz`` reads it, around one change of offset.

    ``biz`` converts with TZInfo's ``local_to_utc(time, dst=true)``: an ambiguous
    time (a fold) takes its first pass; a time that never occurs (a gap) is read
    one hour later, again and again until it occurs.
    """
    while True:
        if wall - before < change:  # occurs before the change (first pass of a fold too)
            return wall - before
        if wall - after >= change:
            return wall - after
        wall += 3600.0


def midnight_offsets(zone: ZoneInfo, first_ordinal: int, count: int) -> FloatArray:
    """UTC offset (seconds) at local midnight of ``count`` days from ``first_ordinal``."""
    seconds: dict[object, float] = {}
    out = np.empty(count, dtype=np.float64)
    for k in range(count):
        offset = zone.utcoffset(datetime.fromordinal(first_ordinal + k))
        value = seconds.get(offset)
        if value is None:
            value = seconds[offset] = offset.total_seconds()  # type: ignore[union-attr]
        out[k] = value
    return out


def build_timeline(
    zone: ZoneInfo,
    weekly: Sequence[tuple[Window, ...]],
    exceptions: Mapping[date, tuple[Window, ...]],
    first_day: date,
    last_day: date,
    convention: str = "wall",
) -> Timeline:
    """Materialise the windows of every local day in ``[first_day, last_day]``.

    ``weekly[d]`` gives the windows starting on weekday ``d``, and ``exceptions``
    those of the dates that differ (holidays, special hours, extra working days).
    The timeline is exact from the end of ``first_day`` (windows of the day before
    may spill into it) to the start of ``last_day`` (an overnight window of
    ``last_day`` is included).
    """
    n_days = (last_day - first_day).days + 1
    first_ordinal = first_day.toordinal()
    # UTC offset at each local midnight; a window whose days do not all share one
    # offset may straddle a DST change and takes the exact path.
    offsets = midnight_offsets(zone, first_ordinal, n_days + 3)
    changes = np.zeros(offsets.size, dtype=np.int64)
    changes[1:] = offsets[1:] != offsets[:-1]
    np.cumsum(changes, out=changes)
    ordinals = first_ordinal + np.arange(n_days, dtype=np.int64)
    weekday = (ordinals - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    special = np.zeros(n_days, dtype=bool)
    day_index: list[npt.NDArray[np.int64]] = []
    minutes: list[tuple[int, int, int]] = []
    for day, windows in exceptions.items():
        index = day.toordinal() - first_ordinal
        if 0 <= index < n_days:
            special[index] = True
            for start_minute, end_minute in windows:
                day_index.append(np.array([index], dtype=np.int64))
                minutes.append((start_minute, end_minute, 1))
    for d, windows in enumerate(weekly):
        if windows:
            days = np.flatnonzero((weekday == d) & ~special).astype(np.int64)
            for start_minute, end_minute in windows:
                day_index.append(days)
                minutes.append((start_minute, end_minute, days.size))
    k = np.concatenate(day_index) if day_index else np.empty(0, dtype=np.int64)
    counts = np.array([m[2] for m in minutes], dtype=np.int64)
    start_minutes = np.repeat(np.array([m[0] for m in minutes], dtype=np.int64), counts)
    end_minutes = np.repeat(np.array([m[1] for m in minutes], dtype=np.int64), counts)
    midnight = (ordinals[k] - _EPOCH_ORDINAL) * 86400.0
    wall_start = midnight + start_minutes * 60.0
    wall_end = midnight + end_minutes * 60.0
    # Days k-1 .. k+1+(end // day) share one offset: no change in between.
    low = np.maximum(k - 1, 0)
    high = k + 1 + end_minutes // MINUTES_PER_DAY
    steady = changes[high] == changes[low]
    offset = offsets[k]
    starts = [(wall_start - offset)[steady]]
    ends = [(wall_end - offset)[steady]]
    moving = np.flatnonzero(~steady)
    if moving.size:
        pieces = [
            piece
            for i in moving.tolist()
            for piece in wall_to_utc(float(wall_start[i]), float(wall_end[i]), zone, convention)
        ]
        starts.append(np.array([a for a, _ in pieces], dtype=np.float64))
        ends.append(np.array([b for _, b in pieces], dtype=np.float64))
    start_array = np.concatenate(starts)
    end_array = np.concatenate(ends)
    keep = end_array > start_array  # a window swallowed by a DST gap is empty
    start_array, end_array = start_array[keep], end_array[keep]
    order = np.argsort(start_array, kind="stable")
    start_array, end_array = _merge(start_array[order], end_array[order])
    lengths = end_array - start_array
    cum = np.concatenate([[0.0], np.cumsum(lengths)[:-1]]) if lengths.size else lengths
    valid_from = datetime.combine(date.fromordinal(first_ordinal + 1), time(0), tzinfo=zone)
    valid_to = datetime.combine(date.fromordinal(first_ordinal + n_days - 1), time(0), tzinfo=zone)
    timeline = Timeline(
        first_day, last_day, start_array, end_array, cum, valid_from.timestamp(),
        valid_to.timestamp(),
    )  # fmt: skip
    grid = make_grid(timeline)
    if grid is None:
        return timeline
    return Timeline(
        first_day, last_day, start_array, end_array, cum, timeline.valid_from,
        timeline.valid_to, grid=grid,
    )  # fmt: skip


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
    origin = reference + step * (floor((low - reference) / step) - 1.0)
    cells = ceil((high - origin) / step) + 1
    if cells > max_cells:
        return None
    edges = origin + step * np.arange(cells + 1, dtype=np.float64)
    at_edges, _ = timeline._searched_locate(edges)
    is_open = np.diff(at_edges) > 0.0
    slope = is_open.astype(np.float64)
    # F = value at the cell's start + (t - start) in an open cell: whole numbers.
    base = at_edges[:-1] - slope * edges[:-1]
    inverse = 1.0 / step
    if Fraction(inverse) * step < 1:
        inverse = float(np.nextafter(inverse, np.inf))
    return Grid(origin, float(step), inverse, base, slope, edges[:-1][is_open])


def _merge(starts: FloatArray, ends: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Merge overlapping or touching intervals (sorted by start)."""
    if starts.size == 0:
        return starts, ends
    running_end = np.maximum.accumulate(ends)
    # A new block starts where an interval begins after everything before it ended.
    new_block = np.concatenate([[True], starts[1:] > running_end[:-1]])
    first = np.flatnonzero(new_block)
    # A block ends with the running maximum at its last interval. (Not a maximum
    # into zeros: ends before 1970 are negative.)
    last = np.append(first[1:] - 1, starts.size - 1)
    return starts[first], running_end[last]


def utc_day(seconds: float, zone: ZoneInfo) -> date:
    """The local date of a UTC epoch-second instant."""
    return datetime.fromtimestamp(seconds, timezone.utc).astimezone(zone).date()
