"""Business-hours calendars: working time in one IANA timezone, with holidays."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

from cxmetrics._optional import import_optional
from cxmetrics.calendars._hours import (
    DAYS,
    Window,
    parse_dates,
    parse_weekly,
    parse_windows,
)
from cxmetrics.calendars._timeline import DST_CONVENTIONS, Timeline, build_timeline, utc_day
from cxmetrics.core.local_time import zone_named
from cxmetrics.exceptions import CalendarError, InvalidParameterError

__all__ = ["BusinessCalendar", "as_epoch_seconds"]

FloatArray = npt.NDArray[np.float64]
_MAX_SEARCH_DAYS = 366 * 100  # add() gives up after a century without enough open time
_DEFAULT_HOURS = {"mon-fri": "09:00-17:00"}
# The days a timeline may span: those a datetime can hold, less a margin.
_FIRST_DAY = date(1, 1, 1) + timedelta(days=7)
_LAST_DAY = date(9999, 12, 31) - timedelta(days=7)


def _aware_seconds(value: datetime, what: str) -> float:
    if not isinstance(value, datetime):
        raise CalendarError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(
            f"{what} {value.isoformat()} has no timezone; pass an aware datetime, e.g. "
            "value.replace(tzinfo=timezone.utc) or value.replace(tzinfo=ZoneInfo('Europe/Paris'))"
        )
    return value.timestamp()


def as_epoch_seconds(values: Any, what: str = "instants") -> FloatArray:
    """Convert instants to float64 UTC epoch seconds (NaN for missing).

    Accepts numpy ``datetime64`` arrays (any unit, read as UTC; NaT is missing),
    numeric arrays (already epoch seconds; NaN is missing), and sequences of aware
    datetimes (``None`` is missing). Naive datetimes are an error.

    Examples
    --------
    >>> as_epoch_seconds(np.array(["1970-01-02T00:00"], dtype="datetime64[m]")).tolist()
    [86400.0]
    >>> as_epoch_seconds([datetime(1970, 1, 1, 0, 1, tzinfo=timezone.utc), None]).tolist()
    [60.0, nan]
    """
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        micros = values.astype("datetime64[us]")
        seconds = micros.astype(np.int64).astype(np.float64) / 1e6
        return np.where(np.isnat(micros), np.nan, seconds)
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return values.astype(np.float64, copy=False)
    items = list(values) if not isinstance(values, np.ndarray) else values.tolist()
    out = np.empty(len(items), dtype=np.float64)
    for i, item in enumerate(items):
        if item is None or (isinstance(item, float) and np.isnan(item)):
            out[i] = np.nan
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            out[i] = float(item)
        else:
            out[i] = _aware_seconds(item, f"{what}[{i}]")
    return out


class BusinessCalendar:
    """Working time in one IANA timezone: weekly hours, holidays and special dates.

    Parameters
    ----------
    timezone : str, default="UTC"
        IANA name of the zone the hours are in, e.g. ``"Europe/Paris"``.
    hours : mapping, default={"mon-fri": "09:00-17:00"}
        Days (``"mon"`` … ``"sun"``) or ranges (``"mon-fri"``) to windows:
        ``"HH:MM-HH:MM"``, a list of them (lunch breaks), or ``None`` / ``"closed"``.
        ``"22:00-06:00"`` is an overnight window belonging to the day it starts;
        ``"00:00-24:00"`` is the whole day. Windows may not overlap.
    holidays : iterable of date, or mapping of date to name
        Closed days. A holiday cancels the windows that *start* on it: a night shift
        that began the evening before runs to its end. The mapping returned by the
        ``holidays`` package works as is.
    special_hours : mapping of date to windows, optional
        Dates with their own hours (e.g. 24 December ``"09:00-12:00"``), replacing the
        weekday's hours and any holiday on that date; ``None`` closes the date.
    extra_working_days : iterable of date, optional
        Dates worked although their weekday is closed (a Saturday made a working
        day); they get the hours of the first open weekday (Monday's, usually).
    dst_convention : {"wall", "biz"}, default="wall"
        How a window boundary inside a DST gap or fold is read. ``"wall"``: the
        calendar is open exactly while the local wall clock reads inside a window
        (a boundary in a gap moves to the end of the gap; a window covers both
        passes of a repeated hour). ``"biz"``: as the Ruby ``biz`` gem (Zammad's
        calendar library) reads it, each boundary is one instant (a time in a gap
        is read one hour later, a time in a fold at its first pass) and the window
        is the stretch between them. Windows clear of DST changes are the same
        under both; see ``docs/concepts/time-and-timezones.md``.

    Notes
    -----
    Durations are exact elapsed seconds. Window boundaries are local wall-clock
    times: a boundary in a DST gap moves to the end of the gap; in a DST fold a
    window covers both passes of the repeated hour. A calendar is immutable,
    hashable and picklable. See ``docs/concepts/time-and-timezones.md``.

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Paris", {"mon-fri": ["09:00-12:00", "13:00-17:00"]},
    ...                        holidays=[date(2024, 5, 1)])
    >>> friday_4pm = datetime(2024, 5, 3, 16, 0, tzinfo=ZoneInfo("Europe/Paris"))
    >>> monday_10am = datetime(2024, 5, 6, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    >>> cal.business_time(friday_4pm, monday_10am)
    datetime.timedelta(seconds=7200)
    >>> cal.add(friday_4pm, timedelta(hours=1))   # exactly at closing time
    datetime.datetime(2024, 5, 3, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
    """

    __slots__ = (
        "_exceptions",
        "_extra",
        "_holidays",
        "_lock",
        "_special",
        "_timeline",
        "_weekly",
        "_zone",
        "dst_convention",
        "timezone",
    )

    def __init__(
        self,
        timezone: str = "UTC",
        hours: Mapping[str, Any] | None = None,
        holidays: Iterable[Any] | Mapping[Any, Any] = (),
        *,
        special_hours: Mapping[Any, Any] | None = None,
        extra_working_days: Iterable[Any] = (),
        dst_convention: str = "wall",
    ) -> None:
        if dst_convention not in DST_CONVENTIONS:
            raise CalendarError(
                f"dst_convention must be one of {', '.join(map(repr, DST_CONVENTIONS))}, "
                f"got {dst_convention!r}"
            )
        try:
            zone = zone_named(timezone, "BusinessCalendar timezone")
        except InvalidParameterError as exc:
            raise CalendarError(str(exc)) from None
        self.timezone = timezone
        self.dst_convention = dst_convention
        self._zone = zone
        self._weekly = parse_weekly(_DEFAULT_HOURS if hours is None else hours)
        self._holidays = parse_dates(holidays, "holidays")
        special: dict[date, tuple[Window, ...]] = {}
        for key, spec in (special_hours or {}).items():
            (day,) = parse_dates([key], "special_hours")
            special[day] = parse_windows(spec)
        self._special = tuple(sorted(special.items()))
        self._extra = parse_dates(extra_working_days, "extra_working_days")
        # The dates whose windows are not their weekday's, with their windows.
        self._exceptions = {
            day: self._windows_of(day) for day in sorted({*self._holidays, *self._extra, *special})
        }
        self._timeline: Timeline | None = None
        self._lock = threading.Lock()

    # --- identity: immutable value semantics ---------------------------------------

    def _key(self) -> tuple[Any, ...]:
        key = (self.timezone, self._weekly, tuple(sorted(self._holidays)), self._special,
               tuple(sorted(self._extra)))  # fmt: skip
        return key if self.dst_convention == "wall" else (*key, self.dst_convention)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BusinessCalendar) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "_timeline" and hasattr(self, "_lock"):
            raise AttributeError("BusinessCalendar is immutable")
        object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its definition; the materialised timeline is a cache and does
        # not travel to workers.
        return (_rebuild, (self.timezone, self.hours, sorted(self._holidays),
                           dict(self._special), sorted(self._extra),
                           self.dst_convention))  # fmt: skip

    def __repr__(self) -> str:
        parts = [repr(self.timezone), repr(self.hours)]
        if self._holidays:
            parts.append(f"holidays=<{len(self._holidays)} dates>")
        if self._special:
            parts.append(f"special_hours=<{len(self._special)} dates>")
        if self._extra:
            parts.append(f"extra_working_days=<{len(self._extra)} dates>")
        if self.dst_convention != "wall":
            parts.append(f"dst_convention={self.dst_convention!r}")
        return f"BusinessCalendar({', '.join(parts)})"

    @property
    def hours(self) -> dict[str, list[str]]:
        """The weekly hours, one entry per weekday, as ``"HH:MM-HH:MM"`` strings."""
        return {
            DAYS[d]: [_window_text(w) for w in windows] for d, windows in enumerate(self._weekly)
        }

    @property
    def holidays(self) -> frozenset[date]:
        """The closed dates."""
        return self._holidays

    # --- constructors --------------------------------------------------------------

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> Self:
        """A calendar open every second: business time equals elapsed time.

        Examples
        --------
        >>> cal = BusinessCalendar.always_open()
        >>> a = datetime(2024, 1, 6, tzinfo=timezone.utc)
        >>> cal.business_time(a, a + timedelta(days=2))
        datetime.timedelta(days=2)
        """
        return cls(timezone, {"mon-sun": "00:00-24:00"})

    @classmethod
    def from_country(
        cls,
        country: str,
        *,
        subdivision: str | None = None,
        years: Iterable[int] | None = None,
        timezone: str = "UTC",
        hours: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> Self:
        """A calendar with the public holidays of a country, from the ``holidays`` package.

        Parameters
        ----------
        country : str
            ISO 3166 code, e.g. ``"US"``, ``"DE"``.
        subdivision : str, optional
            State or region code, e.g. ``"NY"``, ``"BY"``.
        years : iterable of int, optional
            Years to load; default: ten years around the current one. Holidays are
            materialised so the calendar stays immutable and hashable.
        timezone, hours, **options
            As for :class:`BusinessCalendar`.

        Raises
        ------
        MissingDependencyError
            When the ``holidays`` extra is not installed.
        """
        module = import_optional(
            "holidays", extra="holidays", feature="BusinessCalendar.from_country"
        )
        if years is None:
            now = datetime.now(tz=ZoneInfo("UTC")).year
            years = range(now - 5, now + 6)
        try:
            days = module.country_holidays(country, subdiv=subdivision, years=list(years))
        except NotImplementedError:
            raise CalendarError(
                f"the holidays package has no calendar for country {country!r}"
                + (f" and subdivision {subdivision!r}" if subdivision else "")
            ) from None
        return cls(timezone, hours, dict(days), **options)

    # --- windows per date ------------------------------------------------------------

    def _windows_of(self, day: date) -> tuple[Window, ...]:
        special = dict(self._special)
        if day in special:
            return special[day]
        if day in self._holidays:
            return ()
        weekly = self._weekly[day.weekday()]
        if not weekly and day in self._extra:
            return next((w for w in self._weekly if w), ())
        return weekly

    @property
    def never_open(self) -> bool:
        """Whether the calendar has no open time at all."""
        return not any(self._weekly) and not any(w for _, w in self._special)

    def _covering(self, low: float, high: float) -> Timeline:
        """A timeline exact over ``[low, high]``: the cached one, or a new one.

        The cache only saves work: results are exact on any timeline covering the
        instants asked about (see ``_timeline``), so they never depend on earlier
        queries. A query next to the cached range extends it (by at least half
        its span, so that streams of queries rebuild rarely); a far one replaces
        it rather than materialising every day in between.
        """
        timeline = self._timeline
        if timeline is not None and timeline.covers(low, high):
            return timeline
        first, last = self._days(low), self._days(high)
        with self._lock:
            timeline = self._timeline
            if timeline is not None and timeline.covers(low, high):
                return timeline
            first -= timedelta(days=3)
            last += timedelta(days=3)
            wanted = (last - first).days
            if timeline is not None:
                span = max((timeline.last_day - timeline.first_day).days, 30)
                union_first = min(first, timeline.first_day)
                union_last = max(last, timeline.last_day)
                if (union_last - union_first).days <= 2 * (span + wanted):
                    if first < timeline.first_day:
                        union_first = min(first, timeline.first_day - timedelta(days=span // 2))
                    if last > timeline.last_day:
                        union_last = max(last, timeline.last_day + timedelta(days=span // 2))
                    first, last = union_first, union_last
            first = max(first, _FIRST_DAY)
            last = min(last, _LAST_DAY)
            timeline = build_timeline(
                self._zone, self._weekly, self._exceptions, first, last, self.dst_convention
            )
            object.__setattr__(self, "_timeline", timeline)
            return timeline

    def _days(self, seconds: float) -> date:
        """The local date of an instant, refusing instants a datetime cannot hold."""
        try:
            day = utc_day(seconds, self._zone)
        except (OverflowError, ValueError, OSError):
            day = None
        margin = timedelta(days=3)
        if day is None or not _FIRST_DAY + margin <= day <= _LAST_DAY - margin:
            raise CalendarError(
                f"instant {seconds!r} (epoch seconds) is outside the range a calendar "
                f"handles, {_FIRST_DAY.year + 1} to {_LAST_DAY.year - 1}"
            )
        return day

    def _timeline_for(self, *arrays: FloatArray) -> Timeline:
        # fmin/fmax skip NaN without the copies a finite mask makes; only an
        # infinity (or all NaN) needs the mask.
        lows = [float(np.fmin.reduce(a)) for a in arrays if a.size]
        highs = [float(np.fmax.reduce(a)) for a in arrays if a.size]
        if not all(np.isfinite(v) for v in (*lows, *highs)):
            finite = [a[np.isfinite(a)] for a in arrays]
            lows = [float(a.min()) for a in finite if a.size]
            highs = [float(a.max()) for a in finite if a.size]
        if not lows:
            now = datetime.now(tz=ZoneInfo("UTC")).timestamp()
            return self._covering(now, now)
        return self._covering(min(lows), max(highs))

    # --- vectorised API -------------------------------------------------------------

    def business_seconds(self, starts: Any, ends: Any) -> FloatArray:
        """Business seconds between each pair of instants, vectorised.

        Parameters
        ----------
        starts, ends : array-like
            numpy ``datetime64`` arrays (read as UTC), float epoch seconds, or
            sequences of aware datetimes; of equal length (or one a scalar).
            Missing values (NaT, NaN, None) give NaN.

        Returns
        -------
        numpy.ndarray of float64
            Signed: negative where an end precedes its start.

        Examples
        --------
        >>> cal = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> starts = np.array(["2024-03-01T16:00", "2024-03-04T08:00"], dtype="datetime64[s]")
        >>> ends = np.array(["2024-03-04T10:00", "2024-03-04T08:30"], dtype="datetime64[s]")
        >>> cal.business_seconds(starts, ends).tolist()
        [7200.0, 0.0]
        """
        a = as_epoch_seconds(starts, "starts")
        b = as_epoch_seconds(ends, "ends")
        if a.size != b.size and a.size != 1 and b.size != 1:
            raise CalendarError(
                f"business_seconds needs starts and ends of the same length (or one of "
                f"them a single instant); got {a.size} starts and {b.size} ends"
            )
        timeline = self._timeline_for(a, b)
        return timeline.between(a, b)

    def add_seconds(self, starts: Any, seconds: Any) -> FloatArray:
        """The instants when ``seconds`` of business time have elapsed since ``starts``.

        The array form of :meth:`add`. ``starts`` as for :meth:`business_seconds`;
        ``seconds`` a number or an array (negative goes back). Returns float64 epoch
        seconds (NaN where an input is missing).

        Examples
        --------
        >>> cal = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> start = np.array(["2024-03-01T16:00"], dtype="datetime64[s]")
        >>> out = cal.add_seconds(start, [3600.0, 7200.0, -7200.0])
        >>> out.astype("datetime64[s]").tolist()   # doctest: +NORMALIZE_WHITESPACE
        [datetime.datetime(2024, 3, 1, 17, 0), datetime.datetime(2024, 3, 4, 10, 0),
         datetime.datetime(2024, 3, 1, 14, 0)]
        """
        t = as_epoch_seconds(starts, "starts")
        delta = np.asarray(seconds, dtype=np.float64)
        t, delta = np.broadcast_arrays(t, delta)
        if self.never_open and np.any(delta != 0):
            raise CalendarError(
                "this calendar is never open, so no amount of business time can elapse; "
                "give it hours"
            )
        finite = np.isfinite(t) & np.isfinite(delta)
        result = np.full(t.shape, np.nan)
        if not finite.any():
            return result
        tf, df = t[finite], delta[finite]
        if self.never_open:  # every delta is zero here
            result[finite] = tf
            return result
        moving = df != 0
        if moving.all():
            result[finite] = self._advance(tf, df)
        elif moving.any():
            out = tf.copy()
            out[moving] = self._advance(tf[moving], df[moving])
            result[finite] = out
        else:
            result[finite] = tf
        return result

    def _advance(self, t: FloatArray, seconds: FloatArray) -> FloatArray:
        """:meth:`add_seconds` for finite instants and non-zero amounts."""
        # Extend the timeline until the open seconds reached lie in its exact range.
        low, high = float(t.min()), float(t.max())
        extra_before = extra_after = 0.0
        for _ in range(64):
            timeline = self._covering(low - extra_before, high + extra_after)
            n, w = timeline.target_seconds(t, seconds)
            short_before = float(n.min()) < timeline.open_at(timeline.valid_from)
            short_after = float(n.max()) + 1.0 > timeline.open_at(timeline.valid_to)
            if not (short_before or short_after):
                return timeline.open_second(n) + w
            # How far the search has gone past the instants, not how long the cached
            # timeline is: a long cache (from earlier, unrelated questions) must not
            # end a search that has barely begun.
            if max(extra_before, extra_after) > _MAX_SEARCH_DAYS * 86400.0:
                raise CalendarError(
                    "not enough open time within a century of the start; does this "
                    "calendar open only on a few special dates?"
                )
            if short_before:
                extra_before = max(2.0 * extra_before, 30 * 86400.0)
            if short_after:
                extra_after = max(2.0 * extra_after, 30 * 86400.0)
        raise CalendarError("could not extend the calendar far enough")  # pragma: no cover

    # --- scalar API -----------------------------------------------------------------

    def business_time(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two aware instants (negative when ``end < start``).

        Examples
        --------
        >>> cal = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> fri = datetime(2024, 3, 1, 16, tzinfo=timezone.utc)
        >>> mon = datetime(2024, 3, 4, 10, tzinfo=timezone.utc)
        >>> cal.business_time(fri, mon), cal.business_time(mon, fri)
        (datetime.timedelta(seconds=7200), datetime.timedelta(days=-1, seconds=79200))
        """
        a = _aware_seconds(start, "start")
        b = _aware_seconds(end, "end")
        seconds = float(self.business_seconds(np.array([a]), np.array([b]))[0])
        return timedelta(seconds=round(seconds, 6))

    def add(self, start: datetime, delta: timedelta) -> datetime:
        """The instant when ``delta`` of business time has elapsed since ``start``.

        Ends exactly at a closing time when the time runs out there (not at the next
        opening); a negative ``delta`` goes back. The result is in ``start``'s zone.

        Raises
        ------
        CalendarError
            When the calendar is never open (and ``delta`` is not zero).

        Examples
        --------
        >>> cal = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> cal.add(datetime(2024, 3, 1, 16, tzinfo=timezone.utc), timedelta(hours=3))
        datetime.datetime(2024, 3, 4, 11, 0, tzinfo=datetime.timezone.utc)
        """
        a = _aware_seconds(start, "start")
        if not isinstance(delta, timedelta):
            raise CalendarError(f"delta must be a timedelta, got {type(delta).__name__}")
        out = float(self.add_seconds(np.array([a]), delta.total_seconds())[0])
        return _from_seconds(out, start)

    def is_open(self, at: datetime) -> bool:
        """Whether the calendar is open at ``at`` (windows are half-open: closed at the end).

        Examples
        --------
        >>> cal = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> cal.is_open(datetime(2024, 3, 1, 9, tzinfo=timezone.utc))
        True
        >>> cal.is_open(datetime(2024, 3, 1, 17, tzinfo=timezone.utc))
        False
        """
        t = _aware_seconds(at, "at")
        timeline = self._covering(t, t)
        i = int(np.searchsorted(timeline.starts, t, side="right")) - 1
        return i >= 0 and t < float(timeline.ends[i])

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when open, else the next opening instant.

        Examples
        --------
        >>> cal = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> cal.next_open(datetime(2024, 3, 1, 18, tzinfo=timezone.utc))
        datetime.datetime(2024, 3, 4, 9, 0, tzinfo=datetime.timezone.utc)
        """
        return self._next(at, opening=True)

    def next_close(self, at: datetime) -> datetime:
        """The end of the open window containing ``at``, or of the next one.

        Examples
        --------
        >>> cal = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
        >>> cal.next_close(datetime(2024, 3, 2, 12, tzinfo=timezone.utc))
        datetime.datetime(2024, 3, 4, 17, 0, tzinfo=datetime.timezone.utc)
        """
        return self._next(at, opening=False)

    def _next(self, at: datetime, *, opening: bool) -> datetime:
        if self.never_open:
            raise CalendarError("this calendar is never open; there is no next opening or closing")
        t = _aware_seconds(at, "at")
        span = 14 * 86400.0
        while True:
            timeline = self._covering(t, t + span)
            i = int(np.searchsorted(timeline.starts, t, side="right")) - 1
            if i >= 0 and t < float(timeline.ends[i]):
                return at if opening else _from_seconds(float(timeline.ends[i]), at)
            if i + 1 < timeline.starts.size and float(timeline.starts[i + 1]) < timeline.valid_to:
                value = timeline.starts[i + 1] if opening else timeline.ends[i + 1]
                return _from_seconds(float(value), at)
            if span > _MAX_SEARCH_DAYS * 86400.0:
                raise CalendarError("no opening within a century")
            span *= 4


def _from_seconds(seconds: float, like: datetime) -> datetime:
    return datetime.fromtimestamp(round(seconds, 6), tz=timezone.utc).astimezone(like.tzinfo)


def _window_text(window: Window) -> str:
    start, end = window
    end_text = "24:00" if end == 1440 else f"{end % 1440 // 60:02d}:{end % 60:02d}"
    return f"{start // 60:02d}:{start % 60:02d}-{end_text}"


def _rebuild(
    timezone: str,
    hours: dict[str, list[str]],
    holidays: Sequence[date],
    special: dict[date, tuple[Window, ...]],
    extra: Sequence[date],
    dst_convention: str = "wall",
) -> BusinessCalendar:
    return BusinessCalendar(
        timezone,
        {day: (windows or None) for day, windows in hours.items()},
        holidays,
        special_hours={
            day: [_window_text(w) for w in windows] or None for day, windows in special.items()
        },
        extra_working_days=extra,
        dst_convention=dst_convention,
    )
