"""Parsing and checking of opening-hours specifications ("mon-fri": "09:00-17:00")."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from cxmetrics.exceptions import CalendarError

__all__ = ["DAYS", "Window", "parse_dates", "parse_weekly", "parse_windows"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440
Window = tuple[int, int]
"""Minutes after local midnight of the day a window starts; the end may pass 1440."""

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _minutes(text: str, spec: str, *, is_end: bool) -> int:
    match = _TIME.match(text.strip())
    if match is None:
        raise CalendarError(
            f"cannot read the time {text.strip()!r} in hours {spec!r}; write windows as "
            "'HH:MM-HH:MM', e.g. '09:00-17:00'"
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not is_end)):
        raise CalendarError(
            f"{text.strip()!r} in hours {spec!r} is not a time of day; use 00:00 to 23:59, "
            "and 24:00 only to end a window"
        )
    return 60 * hours + minutes


def parse_windows(spec: str | Iterable[str] | None) -> tuple[Window, ...]:
    """Parse one day's windows: ``"09:00-17:00"``, a list of them, or None/"closed".

    An end before the start is an overnight window ending the next day; the end of
    ``"00:00-24:00"`` is midnight. Windows must not overlap.

    Examples
    --------
    >>> parse_windows(["09:00-12:00", "13:00-17:00"])
    ((540, 720), (780, 1020))
    >>> parse_windows("22:00-06:00")
    ((1320, 1800),)
    >>> parse_windows("09:00-09:00")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.CalendarError: window '09:00-09:00' is empty: its start and end are equal; for a whole day write '00:00-24:00'
    """
    if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "closed")):
        return ()
    items = [spec] if isinstance(spec, str) else list(spec)
    windows: list[Window] = []
    for item in items:
        if not isinstance(item, str) or item.count("-") != 1:
            raise CalendarError(
                f"cannot read the window {item!r}; write windows as 'HH:MM-HH:MM', "
                "e.g. '09:00-17:00' (a list of them for breaks)"
            )
        start_text, end_text = item.split("-")
        start = _minutes(start_text, item, is_end=False)
        end = _minutes(end_text, item, is_end=True)
        if end == start:
            raise CalendarError(
                f"window {item!r} is empty: its start and end are equal; for a whole day "
                "write '00:00-24:00'"
            )
        if end < start:
            end += MINUTES_PER_DAY  # overnight: belongs to the day it starts
        windows.append((start, end))
    windows.sort()
    for (s1, e1), (s2, e2) in itertools.pairwise(windows):
        if s2 < e1:
            raise CalendarError(
                f"windows {_show((s1, e1))} and {_show((s2, e2))} overlap; merge them or "
                "leave a gap"
            )
    return tuple(windows)


def _show(window: Window) -> str:
    def clock(m: int) -> str:
        m %= MINUTES_PER_DAY
        return f"{m // 60:02d}:{m % 60:02d}"

    start, end = window
    return f"'{clock(start)}-{'24:00' if end == MINUTES_PER_DAY else clock(end)}'"


def _day_keys(key: str) -> list[int]:
    text = key.strip().lower()
    if "-" in text:
        first, last = (part.strip()[:3] for part in text.split("-", 1))
        if first not in DAYS or last not in DAYS:
            raise CalendarError(
                f"unknown day range {key!r}; use day names mon … sun, e.g. 'mon-fri'"
            )
        a, b = DAYS.index(first), DAYS.index(last)
        return [(a + i) % 7 for i in range((b - a) % 7 + 1)]
    if text[:3] not in DAYS:
        raise CalendarError(f"unknown day {key!r}; use day names mon … sun or a range 'mon-fri'")
    return [DAYS.index(text[:3])]


def parse_weekly(hours: Mapping[str, Any]) -> tuple[tuple[Window, ...], ...]:
    """Parse a week of hours into seven tuples of windows (Monday first).

    Keys are days (``"mon"``) or ranges (``"mon-fri"``, ``"fri-mon"`` wraps); a later
    key overrides an earlier one for the days it names. Windows may not overlap,
    including an overnight window with the next day's first window.

    Examples
    --------
    >>> week = parse_weekly({"mon-fri": "09:00-17:00", "fri": "09:00-15:00"})
    >>> week[0], week[4], week[5]
    (((540, 1020),), ((540, 900),), ())
    """
    if not isinstance(hours, Mapping):
        raise CalendarError(
            f"hours must be a mapping of days to windows, e.g. {{'mon-fri': '09:00-17:00'}}; "
            f"got {type(hours).__name__}"
        )
    week: list[tuple[Window, ...]] = [() for _ in DAYS]
    for key, spec in hours.items():
        windows = parse_windows(spec)
        for day in _day_keys(str(key)):
            week[day] = windows
    # An overnight window may not run into the next day's first window.
    flat = sorted(
        (day * MINUTES_PER_DAY + s, day * MINUTES_PER_DAY + e, day)
        for day, windows in enumerate(week)
        for s, e in windows
    )
    week_minutes = 7 * MINUTES_PER_DAY
    pairs = list(itertools.pairwise(flat))
    if flat:
        first, last = flat[0], flat[-1]
        pairs.append((last, (first[0] + week_minutes, first[1] + week_minutes, first[2])))
    for (s1, e1, d1), (s2, e2, d2) in pairs:
        if s2 < e1:
            raise CalendarError(
                f"the {DAYS[d1]} window {_show((s1 % MINUTES_PER_DAY, s1 % MINUTES_PER_DAY + e1 - s1))} "
                f"overlaps the {DAYS[d2]} window {_show((s2 % MINUTES_PER_DAY, s2 % MINUTES_PER_DAY + e2 - s2))}; "
                "shorten one of them"
            )
    return tuple(week)


def parse_dates(values: Iterable[Any] | Mapping[Any, Any], what: str) -> frozenset[date]:
    """Read holidays or extra working days: dates, ISO date strings, or a date mapping.

    Examples
    --------
    >>> sorted(parse_dates(["2024-12-25", date(2024, 12, 26)], "holidays"))
    [datetime.date(2024, 12, 25), datetime.date(2024, 12, 26)]
    >>> parse_dates(["25/12/2024"], "holidays")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.CalendarError: holidays: '25/12/2024' is not a date; pass datetime.date objects or ISO strings such as '2024-12-25'
    """
    keys = values.keys() if isinstance(values, Mapping) else values
    result = set()
    for value in keys:
        if isinstance(value, datetime):
            raise CalendarError(
                f"{what}: {value!r} is a datetime, not a date; pass value.date() (a holiday "
                "is a whole local day)"
            )
        if isinstance(value, date):
            result.add(value)
            continue
        if isinstance(value, str):
            try:
                result.add(date.fromisoformat(value.strip()))
                continue
            except ValueError:
                pass
        raise CalendarError(
            f"{what}: {value!r} is not a date; pass datetime.date objects or ISO strings "
            "such as '2024-12-25'"
        )
    return frozenset(result)
