"""Clocks: durations in calendar or business time, read once per instant.

Business time is read off a *business clock*: ``clock(t) = business seconds from a
fixed origin to t``, so every duration ``end - start`` in business time is
``clock(end) - clock(start)`` (business time is additive). The clock is read once
per instant, not once per pair, which is what keeps a million tickets fast.
Without a calendar the clock is elapsed time since the origin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = ["business_clock", "clock_origin", "clock_where", "elapsed"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def elapsed(calendar: Any, starts: FloatArray, ends: FloatArray) -> FloatArray:
    """Seconds from ``starts`` to ``ends``: business seconds with a calendar, else elapsed.

    NaN in either array gives NaN; the result is signed (negative when an end
    precedes its start).

    Examples
    --------
    >>> elapsed(None, np.array([0.0, np.nan]), np.array([90.0, 5.0])).tolist()
    [90.0, nan]
    """
    if calendar is None:
        return ends - starts
    result: FloatArray = calendar.business_seconds(starts, ends)
    return result


def business_clock(calendar: Any, instants: FloatArray, origin: float) -> FloatArray:
    """Read a clock at every instant: business seconds since ``origin`` (elapsed without calendar).

    ``clock(end) - clock(start)`` is the (business) duration from start to end, so a
    kernel that needs many durations between few instants reads the clock once per
    instant. NaN instants read NaN.

    Examples
    --------
    >>> business_clock(None, np.array([100.0, 160.0, np.nan]), 100.0).tolist()
    [0.0, 60.0, nan]
    """
    if calendar is None:
        result: FloatArray = instants - origin
        return result
    if instants.size == 0:
        return np.empty(0)
    # A one-element origin broadcasts: the calendar looks it up once, not once per instant.
    return elapsed(calendar, np.array([origin]), instants)


def clock_origin(batch: TicketBatch) -> float:
    """The origin of a batch's clock: its earliest creation (0.0 when there is none).

    Examples
    --------
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> clock_origin(as_ticket_batch([]))
    0.0
    """
    finite = batch.created_at[np.isfinite(batch.created_at)]
    return float(finite.min()) if finite.size else 0.0


def clock_where(calendar: Any, origin: float, mask: BoolArray, instants: FloatArray) -> FloatArray:
    """Clock readings of ``instants`` where ``mask`` holds (NaN elsewhere), read only there.

    Examples
    --------
    >>> clock_where(None, 10.0, np.array([True, False]), np.array([25.0, 40.0])).tolist()
    [15.0, nan]
    """
    out = np.full(instants.size, np.nan)
    if mask.any():
        out[mask] = business_clock(calendar, instants[mask], origin)
    return out
