"""Timestamps: ISO 8601 strings parsed to epoch seconds, naive wall clocks localised."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.arrow import BoolArray, FloatArray

__all__ = ["localize", "parse_iso"]

_DAY = 86400.0


def localize(local_seconds: FloatArray, timezone: str) -> FloatArray:
    """Turn naive local wall-clock seconds into UTC epoch seconds in ``timezone``.

    Exact for every zone, including those whose offsets change on the quarter hour
    (Pacific/Chatham) or by 30 minutes (Australia/Lord_Howe). The zone's offset is
    looked up at the start and at the end of each distinct local day of the input;
    on a day whose two offsets differ, the wall-clock second at which the offset
    changes is found by bisection. So a million instants over a few years cost a few
    thousand lookups and no per-row Python work. (No zone changes its offset twice
    within a day: in the tz database changes are at least a week apart.)

    A wall time repeated by a DST fold takes its first occurrence; a time skipped by
    a DST gap is read with the offset before the gap (Python's ``fold=0``).

    Examples
    --------
    >>> wall = datetime(2024, 7, 1, 12) - datetime(1970, 1, 1)   # naive noon, as seconds
    >>> t = np.array([wall.total_seconds()])
    >>> float(localize(t, "Europe/Paris")[0] - t[0])
    -7200.0
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidParameterError(
            f"The 'timezone' parameter must be an IANA timezone name such as "
            f"'Europe/Paris'. Got {timezone!r} instead."
        ) from exc
    out = np.full(local_seconds.shape, np.nan)
    known = ~np.isnan(local_seconds)
    if not known.any():
        return out
    epoch = datetime(1970, 1, 1)  # noqa: DTZ001 - a naive wall clock on purpose

    def offset_at(wall_seconds: float) -> float:
        # The offset of a wall-clock time with fold=0 (first occurrence / before a gap).
        wall = (epoch + timedelta(seconds=wall_seconds)).replace(tzinfo=zone)
        return wall.utcoffset().total_seconds()  # type: ignore[union-attr]

    values = local_seconds[known]
    days, inverse = np.unique(np.floor(values / _DAY), return_inverse=True)
    starts = days * _DAY
    before = np.array([offset_at(float(s)) for s in starts])
    after = np.array([offset_at(float(s) + _DAY) for s in starts])
    # Seen on the wall clock, a change of offset is one step: ``before`` up to a
    # second ``step`` of the day, ``after`` from it on (a gap's skipped times and a
    # fold's repeated ones belong to the earlier offset). Bisect for that second.
    step = np.full(days.size, np.inf)
    for day in np.flatnonzero(before != after).tolist():
        low, high = float(starts[day]), float(starts[day]) + _DAY
        while high - low > 1.0:
            middle = float(np.floor((low + high) / 2.0))
            if offset_at(middle) == before[day]:
                low = middle
            else:
                high = middle
        step[day] = high
    offsets = np.where(values >= step[inverse], after[inverse], before[inverse])
    out[known] = values - offsets
    return out


def parse_iso(values: npt.NDArray[Any]) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Parse ISO 8601 strings into seconds: ``(seconds, naive, malformed)``.

    Offsets ``Z``, ``+HH:MM``, ``+HHMM`` and ``+HH`` are applied; strings without one
    are returned as naive wall-clock seconds with ``naive`` set. Offsets of a day or
    more (``+24:00``), minutes past 59, or any other sign after the date (which numpy
    would apply on its own) make the value malformed, as in the record models. Empty strings and
    ``None`` are missing (NaN, neither naive nor malformed).

    Examples
    --------
    >>> s, naive, bad = parse_iso(np.array(["1970-01-01T01:00:00+01:00", "1970-01-02",
    ...                                     "1970-01-01 00:00:30Z", "soon", ""], dtype=object))
    >>> s.tolist()[:3], naive.tolist(), bad.tolist()
    ([0.0, 86400.0, 30.0], [False, True, False, False, False], [False, False, False, True, False])
    """
    text = np.where(_null_mask(values), "", values).astype(str)
    n = text.size
    seconds = np.full(n, np.nan)
    naive = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    if n == 0 or text.dtype.itemsize == 0:
        return seconds, naive, bad
    width = text.dtype.itemsize // 4
    chars = np.ascontiguousarray(text).view(np.uint32).reshape(n, width).copy()
    length = np.count_nonzero(chars, axis=1)
    present = length > 0
    rows = np.arange(n)

    def char_at(position: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
        ok = (position >= 0) & (position < width)
        return np.where(ok, chars[rows, np.clip(position, 0, width - 1)], 0)

    def digits(start: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return (char_at(start).astype(np.int64) - 48) * 10 + (
            char_at(start + 1).astype(np.int64) - 48
        )

    def is_digit(position: npt.NDArray[np.int64]) -> BoolArray:
        found = char_at(position)
        return (found >= 48) & (found <= 57)

    def sign_at(position: npt.NDArray[np.int64]) -> BoolArray:
        # An offset follows the time of day: at least "YYYY-MM-DDTHH" comes before it.
        return timed & (position >= 13) & np.isin(char_at(position), [43, 45])

    timed = np.isin(char_at(np.full(n, 10, dtype=np.int64)), [ord("T"), ord("t"), ord(" ")])
    zulu = present & np.isin(char_at(length - 1), [ord("Z"), ord("z")])
    colon = ~zulu & sign_at(length - 6) & (char_at(length - 3) == ord(":"))
    compact = ~zulu & ~colon & sign_at(length - 5)
    hourly = ~zulu & ~colon & ~compact & sign_at(length - 3)  # "+01", as ISO 8601 allows
    has_offset = colon | compact | hourly
    start = np.where(colon, length - 6, np.where(compact, length - 5, length - 3))
    sign = np.where(char_at(start) == ord("-"), -1.0, 1.0)
    hours = digits(start + 1)
    minute_at = length - 2  # "+HH:MM" and "+HHMM" end with the minutes
    minutes = np.where(hourly, 0, digits(minute_at))
    well_formed = is_digit(start + 1) & is_digit(start + 2)
    well_formed &= hourly | (is_digit(minute_at) & is_digit(minute_at + 1))
    # As the record models: an offset is less than a day and its minutes under 60.
    well_formed &= (hours <= 23) & (minutes <= 59)
    bad |= has_offset & ~well_formed
    offset = np.where(has_offset & well_formed, sign * (hours * 3600 + minutes * 60), 0.0)
    body_length = np.where(zulu, length - 1, np.where(has_offset, start, length))
    # Blank out the offset so numpy parses the wall-clock part alone.
    chars[np.arange(width)[None, :] >= body_length[:, None]] = 0
    body = chars.view(f"<U{width}").ravel()
    # numpy would itself apply (and so silently misread) any other offset left in
    # the wall-clock part, such as a second one or an offset of an unknown form.
    signs = chars[:, 10:]
    bad |= present & ((signs == 43) | (signs == 45)).any(axis=1)
    parsed = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    readable = present & ~bad
    try:
        parsed[readable] = body[readable].astype("datetime64[us]")
    except ValueError:
        for row in np.flatnonzero(readable):  # only on malformed input: find the culprits
            try:
                parsed[row] = np.datetime64(body[row], "us")
            except ValueError:
                bad[row] = True
    ok = present & ~bad & ~np.isnat(parsed)
    seconds[ok] = parsed[ok].astype(np.int64) / 1e6 - offset[ok]
    naive = ok & ~zulu & ~has_offset
    return seconds, naive, bad


def _null_mask(values: npt.NDArray[Any]) -> BoolArray:
    if values.dtype.kind == "O":
        mask: BoolArray = (
            np.array([v is None or v != v for v in values.tolist()], dtype=bool)
            if values.size < 64
            else _object_nulls(values)
        )
        return mask
    if values.dtype.kind == "f":
        nan: BoolArray = np.isnan(values)
        return nan
    return np.zeros(values.shape, dtype=bool)


def _object_nulls(values: npt.NDArray[Any]) -> BoolArray:
    # `v != v` is true for NaN only; equality with None is vectorised by numpy.
    is_none: BoolArray = np.frompyfunc(lambda v: v is None, 1, 1)(values).astype(bool)
    is_nan: BoolArray = np.not_equal(values, values)
    return is_none | is_nan
