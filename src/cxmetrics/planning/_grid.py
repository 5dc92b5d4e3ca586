"""Durations in plain words ("30min", "14D") and the grid of local intervals a plan lives on."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.core.local_time import interval_seconds, local_seconds, local_to_utc
from cxmetrics.exceptions import InvalidParameterError

__all__ = ["Grid", "duration_seconds"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_DAY = 86400.0
_WEEK = 7 * _DAY
_UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": _DAY, "w": _WEEK}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d|w)\s*$", re.IGNORECASE)


def duration_seconds(value: Any, name: str, owner: str) -> float:
    """Seconds of a positive duration: a timedelta, seconds, or text like ``"30min"``, ``"14D"``.

    Examples
    --------
    >>> duration_seconds("30min", "interval", "f"), duration_seconds("2W", "horizon", "f")
    (1800.0, 1209600.0)
    >>> duration_seconds(timedelta(hours=1), "interval", "f")
    3600.0
    """
    number: float | None = None
    if isinstance(value, timedelta):
        number = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and (match := _PATTERN.match(value)):
        number = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if number is None or not np.isfinite(number) or number <= 0:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a positive duration: a timedelta, "
            f"seconds, or text such as '30min', '1h', '14D', '2W'. Got {value!r} instead."
        )
    return number


@dataclass(frozen=True)
class Grid:
    """Consecutive intervals of ``width`` seconds on the wall clock of ``timezone``.

    ``slots`` are whole local interval numbers (local epoch seconds // width);
    ``first`` the first of them. A week has ``per_week`` slots and the slot of the
    week counts from Monday 00:00.
    """

    width: float
    timezone: str

    @classmethod
    def of(cls, interval: Any, timezone: str, owner: str) -> Grid:
        seconds = duration_seconds(interval, "interval", owner)
        try:
            width = interval_seconds(seconds, owner)
        except InvalidParameterError:
            raise InvalidParameterError(
                f"The 'interval' parameter of {owner} must divide a day evenly (15, 30 or "
                f"60 minutes…). Got {interval!r} instead."
            ) from None
        return cls(width, timezone)

    def steps(self, duration: Any, name: str, owner: str) -> int:
        """How many intervals cover ``duration`` (rounded up)."""
        return math.ceil(round(duration_seconds(duration, name, owner) / self.width, 9))

    @property
    def per_day(self) -> int:
        return round(_DAY / self.width)

    @property
    def per_week(self) -> int:
        return 7 * self.per_day

    def slot_of(self, epoch: FloatArray) -> IntArray:
        """The local slot of each UTC instant."""
        return np.floor(local_seconds(epoch, self.timezone) / self.width).astype(np.int64)

    def slot_of_instant(self, at: datetime) -> int:
        return int(self.slot_of(np.array([at.timestamp()]))[0])

    def week_slot(self, slots: IntArray) -> IntArray:
        """Slot of the week, Monday 00:00 = 0 (local epoch day 0 was a Thursday)."""
        days = np.floor_divide(slots, self.per_day)
        week_slots: IntArray = ((days + 3) % 7) * self.per_day + slots % self.per_day
        return week_slots

    def starts(self, slots: IntArray) -> list[datetime]:
        """The aware local start of each slot."""
        return [local_to_utc(float(s) * self.width, self.timezone) for s in slots.tolist()]

    def epochs(self, slots: IntArray) -> FloatArray:
        """The UTC epoch seconds of each slot's start."""
        if self.timezone == "UTC":
            utc: FloatArray = slots.astype(np.float64) * self.width
            return utc
        return np.array([s.timestamp() for s in self.starts(slots)], dtype=np.float64)
