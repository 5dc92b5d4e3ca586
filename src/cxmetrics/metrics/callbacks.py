"""Callbacks and voicemail: how soon the team calls back, and how many it calls back.

A callback request (a caller who chose "call me back" instead of waiting, or who
left a voicemail) is a mapping or object with ``requested_at`` and
``called_back_at`` (None while not called back), and optionally ``source``
(``"queue"``, ``"voicemail"``…). Instants are timezone-aware datetimes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from cxmetrics.core.base import ZeroDivision, safe_ratio, undefined
from cxmetrics.exceptions import InvalidParameterError

__all__ = ["callback_time", "callbacks_kept"]


def _instant(value: Any, position: int, name: str) -> float:
    if value is None:
        return float("nan")
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidParameterError(
            f"callback request {position}: {name!r} must be a timezone-aware datetime or None"
        )
    return value.timestamp()


def _requests(callbacks: Any, source: str | None) -> tuple[np.ndarray, np.ndarray]:
    requested, called = [], []
    for position, item in enumerate(callbacks):
        get = item.get if isinstance(item, dict) else lambda name, i=item: getattr(i, name, None)
        if source is not None and get("source") != source:
            continue
        at = _instant(get("requested_at"), position, "requested_at")
        if np.isnan(at):
            raise InvalidParameterError(f"callback request {position}: 'requested_at' is required")
        back = _instant(get("called_back_at"), position, "called_back_at")
        if back < at:
            raise InvalidParameterError(
                f"callback request {position}: called back before it was requested"
            )
        requested.append(at)
        called.append(back)
    return np.asarray(requested, dtype=np.float64), np.asarray(called, dtype=np.float64)


def callback_time(
    callbacks: Any,
    *,
    statistic: str = "mean",
    source: str | None = None,
    zero_division: ZeroDivision = "warn",
) -> timedelta | float:
    """Time from a callback request to the call back, over the requests called back.

    Parameters
    ----------
    callbacks : iterable of mappings or objects
        ``requested_at``, ``called_back_at`` (None: not called back), ``source``.
    statistic : {"mean", "median", "max"}, default="mean"
        ``"max"`` is the longest a customer waited for a call back.
    source : str, optional
        Only the requests of this source, e.g. ``"voicemail"``.
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> requests = [{"requested_at": t0, "called_back_at": t0 + timedelta(minutes=m)}
    ...             for m in (10, 30, 50)] + [{"requested_at": t0, "called_back_at": None}]
    >>> callback_time(requests), callback_time(requests, statistic="max")
    (datetime.timedelta(seconds=1800), datetime.timedelta(seconds=3000))
    """
    if statistic not in ("mean", "median", "max"):
        raise InvalidParameterError(
            "The 'statistic' parameter of callback_time must be 'mean', 'median' or 'max'. "
            f"Got {statistic!r} instead."
        )
    requested, called = _requests(callbacks, source)
    waits = (called - requested)[~np.isnan(called)]
    if waits.size == 0:
        nan = undefined(zero_division, "callback_time", "no request was called back")
        return nan if np.isnan(nan) else timedelta(seconds=nan)
    if statistic == "mean":
        value = float(waits.mean())
    else:
        value = float(np.median(waits) if statistic == "median" else waits.max())
    return timedelta(seconds=value)


def callbacks_kept(
    callbacks: Any,
    *,
    within: timedelta | None = None,
    source: str | None = None,
    zero_division: ZeroDivision = "warn",
) -> float:
    """Share of callback requests that were called back (within ``within``, if given).

    Parameters
    ----------
    callbacks : iterable of mappings or objects
    within : timedelta, optional
        The promise: a call back later than this is not kept.
    source : str, optional
        Only the requests of this source, e.g. ``"voicemail"``.
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> requests = [{"requested_at": t0, "called_back_at": t0 + timedelta(minutes=m)}
    ...             for m in (10, 30, 90)] + [{"requested_at": t0, "called_back_at": None}]
    >>> callbacks_kept(requests), callbacks_kept(requests, within=timedelta(hours=1))
    (0.75, 0.5)
    """
    requested, called = _requests(callbacks, source)
    kept = ~np.isnan(called)
    if within is not None:
        kept &= (called - requested) <= within.total_seconds()
    return safe_ratio(int(kept.sum()), int(requested.size), zero_division, "callbacks_kept")
