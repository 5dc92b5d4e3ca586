"""Elapsed time and deadlines on the clock of each target: business or calendar time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import SlaError

__all__ = ["Clocks"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The vectorised form of BusinessCalendar.add, by the names calendars may give it.
_ADD_NAMES = ("add_business_seconds", "add_seconds")


class Clocks:
    """Dispatch vectorised time arithmetic to the right calendar per row.

    Row ``i`` uses ``calendars[clock[i]]``; ``clock[i] == -1`` is calendar
    (wall-clock) time. One calendar call per distinct calendar, never per row.
    """

    def __init__(self, calendars: Sequence[Any]) -> None:
        self.calendars = tuple(calendars)

    def elapsed(self, clock: IntArray, starts: FloatArray, ends: FloatArray) -> FloatArray:
        """Time on each row's clock between ``starts`` and ``ends`` (seconds)."""
        only = self._only(clock)
        if only is not None:
            # Every row on one calendar (the usual case): no gather, no scatter.
            return np.asarray(only.business_seconds(starts, ends), dtype=np.float64)
        result = ends - starts
        for index, calendar in enumerate(self.calendars):
            rows = np.flatnonzero(clock == index)
            if rows.size:
                result[rows] = np.asarray(
                    calendar.business_seconds(starts[rows], ends[rows]), dtype=np.float64
                )
        return result

    def advance(self, clock: IntArray, starts: FloatArray, seconds: FloatArray) -> FloatArray:
        """The instant when ``seconds`` of each row's clock have elapsed since ``starts``."""
        only = self._only(clock)
        if only is not None:
            return _add(only, starts, seconds)
        result = starts + seconds
        for index, calendar in enumerate(self.calendars):
            rows = np.flatnonzero(clock == index)
            if rows.size:
                result[rows] = _add(calendar, starts[rows], seconds[rows])
        return result

    def _only(self, clock: IntArray) -> Any:
        """The calendar every row uses, when there is exactly one such; else None."""
        if len(self.calendars) != 1 or clock.size == 0:
            return None
        return self.calendars[0] if bool((clock == 0).all()) else None


def _add(calendar: Any, starts: FloatArray, seconds: FloatArray) -> FloatArray:
    for name in _ADD_NAMES:
        method = getattr(calendar, name, None)
        if method is not None:
            return np.asarray(method(starts, seconds), dtype=np.float64)
    raise SlaError(
        f"calendar {calendar!r} has no vectorised add ({' or '.join(_ADD_NAMES)}); "
        "use a cxmetrics BusinessCalendar"
    )
