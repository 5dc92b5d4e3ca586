"""Contact volume per 15/30/60-minute interval, and by hour of day × weekday."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from cxmetrics.core.local_time import interval_seconds, local_seconds, local_to_utc
from cxmetrics.core.result_table import MetricTable
from cxmetrics.tables.inputs import call_columns

__all__ = ["WEEKDAYS", "contact_volume", "volume_by_hour_and_weekday"]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names in table order (ISO: Monday first)."""

_DAY = 86400.0


def contact_volume(
    items: Any,
    interval: timedelta | float = timedelta(minutes=30),
    *,
    timezone: str = "UTC",
    channel: str | None = None,
) -> MetricTable:
    """Inbound contacts offered, answered and abandoned per interval of arrival.

    Every interval from the first contact's to the last one's is listed, with
    zeros where nothing arrived, so the table feeds straight into a forecast or
    an :class:`~cxmetrics.staffing.ErlangC` per interval.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    interval : timedelta or float, default=30 minutes
        Must divide a day (15, 30, 60 minutes…).
    timezone : str, default="UTC"
        IANA zone whose wall clock aligns the intervals.
    channel : str, optional

    Returns
    -------
    MetricTable
        Columns ``start_at`` (aware datetime), ``offered``, ``answered``, ``abandoned``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, 5, tzinfo=timezone.utc)
    >>> calls = [Call(at=at, talk=60), Call(at=at, wait=30, abandoned=True),
    ...          Call(at=at.replace(hour=10), talk=60)]
    >>> [(s.strftime("%H:%M"), o, a) for s, o, a, _ in contact_volume(calls).rows]
    [('09:00', 2, 1), ('09:30', 0, 0), ('10:00', 1, 1)]
    """
    width = interval_seconds(interval, "contact_volume")
    columns = call_columns(items, owner="contact_volume").only(channel=channel, inbound=True)
    names = ("start_at", "offered", "answered", "abandoned")
    if len(columns) == 0:
        return MetricTable(columns=names, rows=(), index=("start_at",))
    slots = np.floor(local_seconds(columns.at, timezone) / width).astype(np.int64)
    first = int(slots.min())
    codes = slots - first
    size = int(codes.max()) + 1
    offered = np.bincount(codes, minlength=size)
    answered = np.bincount(codes, weights=columns.answered, minlength=size).astype(np.int64)
    rows = tuple(
        (
            local_to_utc((first + i) * width, timezone),
            int(offered[i]),
            int(answered[i]),
            int(offered[i] - answered[i]),
        )
        for i in range(size)
    )
    return MetricTable(columns=names, rows=rows, index=("start_at",))


def volume_by_hour_and_weekday(
    items: Any, *, timezone: str = "UTC", channel: str | None = None
) -> MetricTable:
    """Inbound contacts by weekday × hour of day (local time), total and per day.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    timezone : str, default="UTC"
        IANA zone of the wall clock the hours are read in.
    channel : str, optional

    Returns
    -------
    MetricTable
        168 rows (``mon`` 0h … ``sun`` 23h) with columns ``weekday``, ``hour``,
        ``contacts`` (total), ``days`` (how many such weekdays the data spans,
        from the first contact's local date to the last one's) and ``mean``
        (contacts per such day; ``nan`` when the span has no such weekday).
        ``to_pandas().contacts.unstack()`` gives the 7 × 24 grid.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> friday = datetime(2024, 3, 1, 9, 5, tzinfo=timezone.utc)
    >>> calls = [Call(at=friday, talk=60), Call(at=friday.replace(day=8), talk=60)]
    >>> table = volume_by_hour_and_weekday(calls)
    >>> [row for row in table.rows if row[2]]
    [('fri', 9, 2, 2, 1.0)]
    """
    columns = call_columns(items, owner="volume_by_hour_and_weekday").only(
        channel=channel, inbound=True
    )
    local = local_seconds(columns.at, timezone)
    day_numbers = np.floor(local / _DAY).astype(np.int64)
    # 1970-01-01 was a Thursday (ISO weekday index 3).
    weekday = (day_numbers + 3) % 7
    hour = np.floor((local - day_numbers * _DAY) / 3600.0).astype(np.int64)
    counts = np.bincount(weekday * 24 + hour, minlength=168)
    days = np.zeros(7, dtype=np.int64)
    if day_numbers.size:
        span = np.arange(day_numbers.min(), day_numbers.max() + 1)
        days = np.bincount((span + 3) % 7, minlength=7)
    rows = tuple(
        (
            WEEKDAYS[d],
            h,
            int(counts[d * 24 + h]),
            int(days[d]),
            float(counts[d * 24 + h] / days[d]) if days[d] else float("nan"),
        )
        for d in range(7)
        for h in range(24)
    )
    return MetricTable(
        columns=("weekday", "hour", "contacts", "days", "mean"),
        rows=rows,
        index=("weekday", "hour"),
    )
