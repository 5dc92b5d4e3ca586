"""Schedule history: calendars with effective-dated versions.

A team's hours change (a new shift in March, summer hours, a move to another
timezone). A :class:`CalendarHistory` holds the successive calendars with the
instant each takes effect, and measures every instant under the hours in force
then: business time from ``a`` to ``b`` is the open time of each version within
its own stretch of ``[a, b)``, added up. It has the vectorised API of
:class:`~cxmetrics.calendars.BusinessCalendar` (``business_seconds``,
``add_seconds``, ``business_time``, ``add``, ``is_open``), so it goes wherever a
calendar goes: the ticket metrics' ``calendar=``, ``ticket_metrics`` and SLA
policies.

The computation is numpy over the instants, one calendar call per version: the
part of a span inside its first version, the part inside its last, and between
them the whole versions' open time (computed once per history).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from cxmetrics.calendars.business_calendar import BusinessCalendar, as_epoch_seconds
from cxmetrics.exceptions import CalendarError

__all__ = ["CalendarHistory"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


class CalendarHistory:
    """Successive business calendars, each in force from its effective instant.

    Parameters
    ----------
    versions : mapping or iterable of (date or datetime, BusinessCalendar) pairs
        Each calendar with the moment it takes effect: a ``date`` means local
        midnight of that date in that calendar's timezone, an aware ``datetime``
        that instant. Versions are sorted by that instant; two at the same
        instant are refused. The first version also covers every instant before
        its own date (the hours known earliest are the best guess for earlier).

    Raises
    ------
    CalendarError
        For no versions, a naive datetime, something that is not a calendar, or
        two versions taking effect at the same instant.

    Notes
    -----
    With a single version the history gives exactly that calendar's results.
    The instant a version takes effect belongs to it: the windows of the old
    version stop counting there, even in the middle of a window, and the new
    version's count starts there, in the middle of one of its windows too.

    Examples
    --------
    From 1 March the team works 08:00-18:00 instead of 09:00-17:00:

    >>> old = BusinessCalendar("Europe/Paris", {"mon-fri": "09:00-17:00"})
    >>> new = BusinessCalendar("Europe/Paris", {"mon-fri": "08:00-18:00"})
    >>> hours = CalendarHistory({date(2024, 1, 1): old, date(2024, 3, 1): new})
    >>> paris = ZoneInfo("Europe/Paris")
    >>> thursday = datetime(2024, 2, 29, 12, tzinfo=paris)  # old hours: 5 h left
    >>> friday = datetime(2024, 3, 1, 12, tzinfo=paris)     # new hours: 4 h by noon
    >>> hours.business_time(thursday, friday)
    datetime.timedelta(seconds=32400)
    >>> hours.add(thursday, timedelta(hours=9))
    datetime.datetime(2024, 3, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
    """

    __slots__ = ("_bounds", "_calendars", "_inner", "_starts")

    def __init__(self, versions: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> None:
        pairs = list(versions.items() if isinstance(versions, Mapping) else versions)
        if not pairs:
            raise CalendarError("a CalendarHistory needs at least one (effective date, calendar)")
        dated: list[tuple[float, Any, BusinessCalendar]] = []
        for when, calendar in pairs:
            if not hasattr(calendar, "business_seconds") or not hasattr(calendar, "add_seconds"):
                raise CalendarError(
                    f"version from {when!r} is {calendar!r}, not a calendar; give a "
                    "BusinessCalendar for each effective date"
                )
            dated.append((_effective_seconds(when, calendar), when, calendar))
        dated.sort(key=lambda item: item[0])
        for (a, when_a, _), (b, when_b, _) in itertools.pairwise(dated):
            if a == b:
                raise CalendarError(
                    f"two versions take effect at the same instant ({when_a!r} and {when_b!r}); "
                    "keep one"
                )
        self._starts = tuple(when for _, when, _ in dated)
        self._calendars = tuple(calendar for _, _, calendar in dated)
        # bounds[k] is where version k starts (version 0 from -inf); bounds[V] = +inf.
        bounds = np.array([-np.inf, *(s for s, _, _ in dated[1:]), np.inf])
        self._bounds = bounds
        # inner[k]: open seconds of the whole versions before k (versions 1 .. k-1),
        # so the versions strictly between va and vb hold inner[vb] - inner[va + 1].
        whole = [
            float(self._calendars[k].business_seconds(bounds[k : k + 1], bounds[k + 1 : k + 2])[0])
            for k in range(1, len(dated) - 1)
        ]
        self._inner = np.concatenate([[0.0, 0.0], np.cumsum(whole)])

    # --- identity ------------------------------------------------------------------

    @property
    def versions(self) -> tuple[tuple[Any, BusinessCalendar], ...]:
        """The (effective date, calendar) pairs, in effective order."""
        return tuple(zip(self._starts, self._calendars, strict=True))

    @property
    def timezone(self) -> str:
        """The timezone of the latest version."""
        return str(getattr(self._calendars[-1], "timezone", "UTC"))

    @property
    def never_open(self) -> bool:
        """Whether no version has any open time."""
        return all(getattr(c, "never_open", False) for c in self._calendars)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CalendarHistory) and self.versions == other.versions

    def __hash__(self) -> int:
        return hash(self.versions)

    def __repr__(self) -> str:
        inner = ", ".join(f"{when!r}: {cal!r}" for when, cal in self.versions)
        return f"CalendarHistory({{{inner}}})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (CalendarHistory, (self.versions,))

    def _version_of(self, t: FloatArray) -> IntArray:
        """Index of the version in force at each instant (NaN: the last; masked by callers)."""
        return np.searchsorted(self._bounds[1:-1], t, side="right").astype(np.intp)

    # --- vectorised API -------------------------------------------------------------

    def business_seconds(self, starts: Any, ends: Any) -> FloatArray:
        """Business seconds between each pair of instants, each under the hours then in force.

        As :meth:`BusinessCalendar.business_seconds`: signed, NaN for missing values.

        Examples
        --------
        >>> a = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> b = BusinessCalendar("UTC", {"mon-sun": "00:00-24:00"})
        >>> history = CalendarHistory([(date(2024, 3, 2), b), (date(2024, 1, 1), a)])
        >>> starts = np.array(["2024-03-01T16:00", "2024-03-02T10:00"], dtype="datetime64[s]")
        >>> ends = np.array(["2024-03-02T01:00", "2024-03-01T16:00"], dtype="datetime64[s]")
        >>> (history.business_seconds(starts, ends) / 3600).tolist()
        [2.0, -11.0]
        """
        if len(self._calendars) == 1:
            return np.asarray(self._calendars[0].business_seconds(starts, ends), dtype=np.float64)
        a, b = np.broadcast_arrays(
            as_epoch_seconds(starts, "starts"), as_epoch_seconds(ends, "ends")
        )
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        known = ~np.isnan(lo)
        va, vb = self._version_of(lo), self._version_of(hi)
        out = np.zeros(lo.shape)
        bounds = self._bounds
        for k, calendar in enumerate(self._calendars):
            # The part of each span in its first version...
            rows = np.flatnonzero(known & (va == k))
            if rows.size:
                stop = np.minimum(hi[rows], bounds[k + 1])
                out[rows] += _seconds(calendar, lo[rows], stop)
            # ... and in its last, when that is another one.
            rows = np.flatnonzero(known & (vb == k) & (va < k))
            if rows.size:
                out[rows] += _seconds(calendar, np.full(rows.size, bounds[k]), hi[rows])
        later = known & (vb > va + 1)
        out[later] += self._inner[vb[later]] - self._inner[va[later] + 1]
        out[~known] = np.nan
        out[b < a] *= -1.0
        return out

    def add_seconds(self, starts: Any, seconds: Any) -> FloatArray:
        """The instants when ``seconds`` of business time have elapsed since ``starts``.

        As :meth:`BusinessCalendar.add_seconds`, crossing from version to version:
        the time left at the end of one version continues at the start of the next
        (going back, at the end of the one before).

        Examples
        --------
        >>> a = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> b = BusinessCalendar("UTC", {"mon-sun": "00:00-24:00"})
        >>> history = CalendarHistory([(date(2024, 1, 1), a), (date(2024, 3, 2), b)])
        >>> start = np.array(["2024-03-01T16:00"], dtype="datetime64[s]")
        >>> out = history.add_seconds(start, [3600.0, 7200.0])
        >>> out.astype("datetime64[s]").astype(str).tolist()
        ['2024-03-01T17:00:00', '2024-03-02T01:00:00']
        """
        if len(self._calendars) == 1:
            return np.asarray(self._calendars[0].add_seconds(starts, seconds), dtype=np.float64)
        t, delta = np.broadcast_arrays(
            as_epoch_seconds(starts, "starts"), np.asarray(seconds, dtype=np.float64)
        )
        result = np.full(t.shape, np.nan)
        finite = np.isfinite(t) & np.isfinite(delta)
        still = finite & (delta == 0)
        result[still] = t[still]
        forward = np.flatnonzero(finite & (delta > 0))
        backward = np.flatnonzero(finite & (delta < 0))
        if forward.size:
            result[forward] = self._walk(t[forward], delta[forward], step=1)
        if backward.size:
            result[backward] = self._walk(t[backward], delta[backward], step=-1)
        return result

    def _walk(self, t: FloatArray, left: FloatArray, step: int) -> FloatArray:
        """Spend ``left`` version by version from ``t``, forward (``step=1``) or back."""
        pos, left = t.copy(), left.copy()
        version = self._version_of(pos)
        out = np.full(t.size, np.nan)
        bounds = self._bounds
        order = range(len(self._calendars)) if step > 0 else reversed(range(len(self._calendars)))
        for k in order:
            rows = np.flatnonzero((version == k) & np.isnan(out))
            if not rows.size:
                continue
            calendar = self._calendars[k]
            edge = bounds[k + 1] if step > 0 else bounds[k]
            if np.isfinite(edge):
                ends = np.full(rows.size, edge)
                room = np.abs(_seconds(calendar, pos[rows], ends))
            else:
                room = np.full(rows.size, np.inf)
            fits = np.abs(left[rows]) <= room
            done = rows[fits]
            if done.size:
                out[done] = np.asarray(
                    calendar.add_seconds(pos[done], left[done]), dtype=np.float64
                )
            moving = rows[~fits]
            left[moving] -= step * room[~fits]
            pos[moving] = edge
            version[moving] = k + step
        return out

    # --- scalar API -----------------------------------------------------------------

    def business_time(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two aware instants (negative when ``end < start``)."""
        seconds = float(self.business_seconds([start], [end])[0])
        return timedelta(seconds=round(seconds, 6))

    def add(self, start: datetime, delta: timedelta) -> datetime:
        """The instant when ``delta`` of business time has elapsed since ``start``."""
        if not isinstance(delta, timedelta):
            raise CalendarError(f"delta must be a timedelta, got {type(delta).__name__}")
        out = float(self.add_seconds([start], delta.total_seconds())[0])
        return datetime.fromtimestamp(round(out, 6), tz=timezone.utc).astimezone(start.tzinfo)

    def is_open(self, at: datetime) -> bool:
        """Whether the version in force at ``at`` is open then."""
        seconds = as_epoch_seconds([at], "at")
        k = int(self._version_of(seconds)[0])
        return bool(self._calendars[k].is_open(at))

    def calendar_at(self, at: datetime) -> BusinessCalendar:
        """The version in force at ``at``.

        Examples
        --------
        >>> a, b = BusinessCalendar("UTC"), BusinessCalendar.always_open()
        >>> history = CalendarHistory({date(2024, 1, 1): a, date(2024, 3, 2): b})
        >>> history.calendar_at(datetime(2024, 3, 2, tzinfo=timezone.utc)) == b
        True
        """
        seconds = as_epoch_seconds([at], "at")
        return self._calendars[int(self._version_of(seconds)[0])]


def _seconds(calendar: Any, starts: FloatArray, ends: FloatArray) -> FloatArray:
    return np.asarray(calendar.business_seconds(starts, ends), dtype=np.float64)


def _effective_seconds(when: Any, calendar: Any) -> float:
    """The instant a version takes effect: local midnight of a date, or an aware datetime."""
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise CalendarError(
                f"effective instant {when.isoformat()} is naive; give a date (local midnight "
                "in the calendar's zone) or an aware datetime"
            )
        return when.timestamp()
    if isinstance(when, date):
        zone = ZoneInfo(str(getattr(calendar, "timezone", "UTC")))
        return datetime.combine(when, time(0), tzinfo=zone).timestamp()
    if isinstance(when, str):
        try:
            return _effective_seconds(date.fromisoformat(when), calendar)
        except ValueError:
            pass
    raise CalendarError(
        f"effective date {when!r} is not a date or an aware datetime (e.g. date(2024, 3, 1))"
    )
