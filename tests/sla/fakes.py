"""Test doubles of the business calendar, with its vectorised interface.

``AlwaysOpen`` counts every second; ``WeekdayHours`` is open Monday to Friday,
09:00-17:00 UTC (closed form, exact for whole seconds). Both are frozen and
hashable like the real ``BusinessCalendar``; ``is_open`` is what the slow
reference evaluator steps through minute by minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Monday 1969-12-29 00:00 UTC: weeks are counted from here.
_ORIGIN = -3 * 86400.0
_WEEK = 7 * 86400.0


@dataclass(frozen=True)
class AlwaysOpen:
    """Open around the clock: business time is calendar time."""

    def business_seconds(self, starts: Any, ends: Any) -> np.ndarray:
        return np.asarray(ends, dtype=float) - np.asarray(starts, dtype=float)

    def add_business_seconds(self, starts: Any, seconds: Any) -> np.ndarray:
        return np.asarray(starts, dtype=float) + np.asarray(seconds, dtype=float)

    def is_open(self, at: float) -> bool:
        return True


@dataclass(frozen=True)
class WeekdayHours:
    """Open Monday to Friday from ``open_hour`` to ``close_hour`` UTC."""

    open_hour: int = 9
    close_hour: int = 17

    @property
    def _day(self) -> float:
        return (self.close_hour - self.open_hour) * 3600.0

    def _cumulative(self, t: np.ndarray) -> np.ndarray:
        x = t - _ORIGIN
        weeks = np.floor(x / _WEEK)
        rest = x - weeks * _WEEK
        day = np.floor(rest / 86400.0)
        second = rest - day * 86400.0
        within = np.where(day < 5, np.clip(second - self.open_hour * 3600.0, 0.0, self._day), 0.0)
        return weeks * 5 * self._day + np.minimum(day, 5) * self._day + within

    def business_seconds(self, starts: Any, ends: Any) -> np.ndarray:
        starts = np.asarray(starts, dtype=float)
        ends = np.asarray(ends, dtype=float)
        return self._cumulative(ends) - self._cumulative(starts)

    def add_business_seconds(self, starts: Any, seconds: Any) -> np.ndarray:
        starts = np.asarray(starts, dtype=float)
        goal = self._cumulative(starts) + np.asarray(seconds, dtype=float)
        # The smallest instant whose cumulative open time is `goal`: a goal at the
        # end of a day's window is that day's closing time.
        weeks = np.ceil(goal / (5 * self._day)) - 1
        rest = goal - weeks * 5 * self._day
        day = np.ceil(rest / self._day) - 1
        within = rest - day * self._day
        at = _ORIGIN + weeks * _WEEK + day * 86400.0 + self.open_hour * 3600.0 + within
        return np.maximum(at, starts)

    def is_open(self, at: float) -> bool:
        x = at - _ORIGIN
        rest = x - np.floor(x / _WEEK) * _WEEK
        day, second = divmod(rest, 86400.0)
        return bool(day < 5 and self.open_hour * 3600.0 <= second < self.close_hour * 3600.0)


@dataclass(frozen=True)
class NeverOpen:
    """A calendar without opening hours (a configuration error)."""

    def business_seconds(self, starts: Any, ends: Any) -> np.ndarray:
        return np.zeros(np.shape(starts))

    def add_business_seconds(self, starts: Any, seconds: Any) -> np.ndarray:
        return np.full(np.shape(starts), np.inf)
