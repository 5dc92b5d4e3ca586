"""Calendar periods of instants: the labels that group a report, a volume or an SLA series.

A period is a granularity (``"day"``, ``"week"``, ``"month"``, ``"quarter"``,
``"year"``) read in a timezone: an instant belongs to the local period it falls in.
Weeks are ISO weeks (Monday to Sunday).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from cxmetrics.core.local_time import local_seconds
from cxmetrics.exceptions import InvalidParameterError

__all__ = [
    "PERIODS",
    "Period",
    "local_wall_time",
    "period_index",
    "period_label_codes",
    "period_labels",
]

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
    # Label each distinct local day once: strings are the costly part.
    day_labels, day_of = _labelled_days(seconds, period, tz)
    labels: npt.NDArray[np.str_] = day_labels[day_of]
    return labels


def period_label_codes(
    seconds: npt.NDArray[np.float64], period: str, tz: str = "UTC"
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int64]]:
    """The sorted distinct labels of :func:`period_labels` and the index of each instant's.

    Equal to ``np.unique(period_labels(seconds, period, tz), return_inverse=True)``,
    without sorting a string per instant: only the labels of the distinct local days
    are sorted.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = np.array([datetime(2024, 3, d, 12, tzinfo=timezone.utc).timestamp() for d in (11, 4, 12)])
    >>> names, codes = period_label_codes(t, "week")
    >>> names.tolist(), codes.tolist()
    (['2024-W10', '2024-W11'], [1, 0, 1])
    """
    day_labels, day_of = _labelled_days(seconds, period, tz)
    names, label_of_day = np.unique(day_labels, return_inverse=True)
    return names, label_of_day.ravel()[day_of].astype(np.int64, copy=False)


def _labelled_days(
    seconds: npt.NDArray[np.float64], period: str, tz: str
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
    """The period label of each distinct local day, and each instant's day."""
    if period not in PERIODS:
        raise InvalidParameterError(
            f"The 'period' parameter of report must be one of {', '.join(PERIODS)}. "
            f"Got {period!r} instead."
        )
    days, inverse = np.unique(
        local_wall_time(seconds, tz).astype("datetime64[D]"), return_inverse=True
    )
    return _day_labels(days, period), inverse.ravel()


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


def period_index(label: str, period: str) -> int:
    """The ordinal of a period label: consecutive periods differ by one.

    Parameters
    ----------
    label : str
        A label as :func:`period_labels` writes it (``"2024-W10"``, ``"2024-03"``…).
    period : {"day", "week", "month", "quarter", "year"}

    Examples
    --------
    >>> period_index("2021-01-04", "day") - period_index("2020-12-28", "day")
    7
    >>> period_index("2021-W01", "week") - period_index("2020-W53", "week")
    1
    >>> period_index("2025-01", "month") - period_index("2024-11", "month")
    2
    >>> period_index("2025-Q1", "quarter") - period_index("2024-Q4", "quarter")
    1
    """
    if period == "day":
        return date.fromisoformat(label).toordinal()
    if period == "week":
        return date.fromisocalendar(int(label[:4]), int(label[-2:]), 1).toordinal() // 7
    if period == "month":
        return int(label[:4]) * 12 + int(label[5:7]) - 1
    if period == "quarter":
        return int(label[:4]) * 4 + int(label[-1]) - 1
    if period == "year":
        return int(label)
    raise InvalidParameterError(f"unknown period {period!r}")
