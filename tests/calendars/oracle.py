"""A slow, obviously correct business-time oracle: walk minute by minute.

For every whole minute between two instants, read the local wall clock in the
calendar's zone and ask whether that wall time lies in one of the windows of its
local day, or in the tail of an overnight window that started the day before. It
shares no code with the library: it parses the hours itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _windows(spec: str | list[str] | None) -> list[tuple[int, int]]:
    if spec is None:
        return []
    out = []
    for item in [spec] if isinstance(spec, str) else spec:
        start, end = (_minutes(p) for p in item.split("-"))
        out.append((start, end + 1440 if end <= start else end))
    return out


class Oracle:
    """The calendar's definition, read independently, and a minute walker."""

    def __init__(
        self,
        zone: str,
        hours: Mapping[str, str | list[str] | None],
        holidays: Iterable[date] = (),
        special: Mapping[date, str | list[str] | None] | None = None,
        extra: Iterable[date] = (),
    ) -> None:
        self.zone = ZoneInfo(zone)
        self.weekly: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        for key, spec in hours.items():
            if "-" in key:
                a, b = (DAYS.index(k) for k in key.split("-"))
                days = [(a + i) % 7 for i in range((b - a) % 7 + 1)]
            else:
                days = [DAYS.index(key)]
            for d in days:
                self.weekly[d] = _windows(spec)
        self.holidays = set(holidays)
        self.special = {d: _windows(s) for d, s in (special or {}).items()}
        self.extra = set(extra)

    def windows_of(self, day: date) -> list[tuple[int, int]]:
        if day in self.special:
            return self.special[day]
        if day in self.holidays:
            return []
        weekly = self.weekly[day.weekday()]
        if not weekly and day in self.extra:
            return next((w for w in self.weekly if w), [])
        return weekly

    def is_open(self, instant: float) -> bool:
        local = datetime.fromtimestamp(instant, self.zone)
        wall = local.hour * 60 + local.minute
        day = local.date()
        if any(s <= wall < min(e, 1440) for s, e in self.windows_of(day)):
            return True
        yesterday = day - timedelta(days=1)
        return any(e > 1440 and wall < e - 1440 for _, e in self.windows_of(yesterday))

    def open_minutes(self, start: float, minutes: int) -> np.ndarray:
        """Open flags of the ``minutes`` whole minutes starting at ``start`` (a whole minute)."""
        return np.array([self.is_open(start + 60.0 * k) for k in range(minutes)], dtype=bool)

    def business_seconds(self, a: datetime, b: datetime) -> float:
        """Signed business seconds between two minute-aligned instants."""
        lo, hi = sorted((a.timestamp(), b.timestamp()))
        total = 60.0 * float(self.open_minutes(lo, round((hi - lo) / 60.0)).sum())
        return total if a <= b else -total


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def assert_matches_flags(
    calendar: object, flags: np.ndarray, base: float, pairs: list[tuple[int, int]]
) -> None:
    """``calendar.business_seconds`` over minute pairs equals the open minutes in ``flags``."""
    cumulative = np.concatenate([[0], np.cumsum(flags)]) * 60.0
    starts = np.array([base + 60.0 * a for a, _ in pairs])
    ends = np.array([base + 60.0 * b for _, b in pairs])
    expected = np.array([cumulative[b] - cumulative[a] for a, b in pairs])
    measured = calendar.business_seconds(starts, ends)  # type: ignore[attr-defined]
    np.testing.assert_allclose(measured, expected, atol=1e-6)
