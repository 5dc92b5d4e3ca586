"""Calendar periods of instants: the labels that group a report, a volume or an SLA series.

A period is a granularity (``"day"``, ``"week"``, ``"month"``, ``"quarter"``,
``"year"``) read in a timezone: an instant belongs to the local period it falls in.
Weeks are ISO weeks (Monday to Sunday).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from cxmetrics.core.local_time import local_seconds
from cxmetrics.exceptions import InvalidParameterError

__all__ = ["PERIODS", "Period", "local_wall_time", "period_labels"]

Period = Literal["day", "week", "month", "quarter", "year"]
PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")


def local_wall_time(seconds: npt.NDArray[np.float64], tz: str) -> npt.NDArray[np.datetime64]:
    """Local wall-clock time of epoch-second instants, as ``datetime64[s]``.

    Examples
    --------
    >>> local_wall_time(np.array([0.0]), "Asia/Kolkata").tolist()
    [datetime.datetime(1970, 1, 1, 5, 30)]
    """
    local: npt.NDArray[np.datetime64] = local_seconds(seconds, tz).astype("datetime64[s]")
    return local


def period_labels(
    seconds: npt.NDArray[np.float64], period: str, tz: str = "UTC"
) -> npt.NDArray[np.str_]:
    """Label epoch-second instants with their local period (``2024-W09``, ``2024-03``…).

    The UTC offset is looked up once per distinct UTC quarter hour (and cached),
    so a million instants cost a few thousand zone lookups. Weeks are ISO weeks (Monday to Sunday).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = np.array([datetime(2024, 3, 31, 22, 30, tzinfo=timezone.utc).timestamp()])
    >>> period_labels(t, "day", "Europe/Berlin").tolist(), period_labels(t, "month").tolist()
    (['2024-04-01'], ['2024-03'])
    """
    if period not in PERIODS:
        raise InvalidParameterError(
            f"The 'period' parameter of report must be one of {', '.join(PERIODS)}. "
            f"Got {period!r} instead."
        )
    # Label each distinct local day once: strings are the costly part.
    days, inverse = np.unique(
        local_wall_time(seconds, tz).astype("datetime64[D]"), return_inverse=True
    )
    labels: npt.NDArray[np.str_] = _day_labels(days, period)[inverse.ravel()]
    return labels


def _day_labels(days: npt.NDArray[np.datetime64], period: str) -> npt.NDArray[np.str_]:
    local = days
    labels: npt.NDArray[np.str_]
    if period == "day":
        labels = days.astype(str)
        return labels
    if period == "month":
        labels = local.astype("datetime64[M]").astype(str)
        return labels
    if period == "year":
        labels = local.astype("datetime64[Y]").astype(str)
        return labels
    if period == "quarter":
        months = local.astype("datetime64[M]").astype(np.int64)
        return np.char.add(
            np.char.add((months // 12 + 1970).astype(str), "-Q"), (months % 12 // 3 + 1).astype(str)
        )
    # ISO week: the week of the Thursday of this week decides the year.
    weekday = (days.astype(np.int64) + 3) % 7  # Monday = 0
    thursday = days - weekday + 3
    iso_year = thursday.astype("datetime64[Y]")
    week = (thursday - iso_year.astype("datetime64[D]")).astype(np.int64) // 7 + 1
    return np.char.add(np.char.add(iso_year.astype(str), "-W"), np.char.zfill(week.astype(str), 2))
