"""Seconds, wall-clock time and time buckets: the time arithmetic every layer shares.

Instants are float UTC epoch seconds everywhere in the library; local (wall-clock)
time exists only to bucket or label instants in a timezone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError

__all__ = [
    "bucket_codes",
    "interval_seconds",
    "local_seconds",
    "local_to_utc",
    "seconds",
    "to_datetime",
    "zone_named",
]

FloatArray = npt.NDArray[np.float64]


# Names ZoneInfo resolves that are no IANA zone: the machine's own zone, whatever it is.
_MACHINE_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def zone_named(name: object, what: str = "timezone") -> ZoneInfo:
    """The IANA zone ``name``; an error naming ``what`` for anything else.

    ``"localtime"`` is refused: it is the machine's zone, so the same call would
    give other numbers on another machine.

    Examples
    --------
    >>> zone_named("Europe/Paris").key
    'Europe/Paris'
    >>> zone_named("Mars/Olympus", "--timezone")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: --timezone: unknown timezone 'Mars/Olympus'; use an IANA name such as 'Europe/Paris' or 'America/New_York'
    """
    hint = "use an IANA name such as 'Europe/Paris' or 'America/New_York'"
    if not isinstance(name, str):
        raise InvalidParameterError(f"{what} must be an IANA name ({hint}), got {name!r}")
    if name in _MACHINE_ZONES or name.startswith(("/", ".")):
        raise InvalidParameterError(
            f"{what}: {name!r} is the machine's own zone, not an IANA name; {hint}"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidParameterError(f"{what}: unknown timezone {name!r}; {hint}") from None


def seconds(value: timedelta | float | int, name: str = "value") -> float:
    """Return ``value`` in seconds; numbers are read as seconds.

    Examples
    --------
    >>> seconds(timedelta(minutes=2)), seconds(30)
    (120.0, 30.0)
    """
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    raise InvalidParameterError(f"{name} must be a timedelta or a number of seconds, got {value!r}")


def to_datetime(epoch_seconds: float, tz: timezone | ZoneInfo = timezone.utc) -> datetime:
    """Return the aware datetime of ``epoch_seconds`` in ``tz``.

    Examples
    --------
    >>> to_datetime(0.0).isoformat()
    '1970-01-01T00:00:00+00:00'
    """
    return datetime.fromtimestamp(epoch_seconds, tz=tz)


# After 1972 every zone's offset changes on a UTC quarter hour (Nepal's +05:45 is the
# finest), so one lookup per UTC quarter hour is exact.
_QUARTER_HOUR = 900.0


@lru_cache(maxsize=1 << 17)
def _utc_offset(tz: str, quarter_hour: float) -> float:
    offset = datetime.fromtimestamp(quarter_hour * _QUARTER_HOUR, tz=ZoneInfo(tz)).utcoffset()
    return 0.0 if offset is None else offset.total_seconds()


def local_seconds(epoch: FloatArray, tz: str) -> FloatArray:
    """Return UTC epoch seconds shifted to wall-clock seconds in timezone ``tz``.

    The UTC offset is looked up once per distinct UTC quarter hour (and cached), not
    once per instant: a million instants cost a few thousand zone lookups.

    Examples
    --------
    >>> local_seconds(np.array([0.0]), "Asia/Kolkata").tolist()
    [19800.0]
    """
    ZoneInfo(tz)  # an unknown zone fails here, even without instants
    if tz == "UTC" or epoch.size == 0:
        return epoch.astype(np.float64, copy=True)
    quarters, inverse = np.unique(np.floor(epoch / _QUARTER_HOUR), return_inverse=True)
    offsets = np.array([_utc_offset(tz, q) for q in quarters.tolist()], dtype=np.float64)
    shifted: FloatArray = epoch + offsets[inverse.reshape(-1)]
    return shifted


def local_to_utc(local_epoch: float, tz: str) -> datetime:
    """Return the aware instant whose wall-clock time in ``tz`` is ``local_epoch``.

    Examples
    --------
    >>> local_to_utc(3600.0, "Europe/Paris").isoformat()
    '1970-01-01T01:00:00+01:00'
    """
    wall = datetime(1970, 1, 1) + timedelta(seconds=local_epoch)  # noqa: DTZ001 - wall clock
    return wall.replace(tzinfo=ZoneInfo(tz) if tz != "UTC" else timezone.utc)


def interval_seconds(interval: timedelta | float, owner: str) -> float:
    """Validate a bucket width: positive and dividing a day evenly.

    Examples
    --------
    >>> interval_seconds(timedelta(minutes=15), "contact_volume")
    900.0
    """
    width = seconds(interval, "interval")
    if width <= 0 or (86400.0 / width) % 1 != 0:
        raise InvalidParameterError(
            f"The 'interval' parameter of {owner} must be a positive duration dividing a day "
            f"evenly (15, 30 or 60 minutes…). Got {interval!r} instead."
        )
    return width


def bucket_codes(
    instants: FloatArray, width: float, tz: str
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Return each instant's bucket code and the sorted local starts of the buckets used.

    ``codes`` index into ``starts`` (``starts[codes[i]]`` is the local wall-clock
    start of instant ``i``'s bucket). Buckets are counted, not sorted, when the
    data spans few of them (the usual case): O(n) instead of O(n log n).

    Examples
    --------
    >>> codes, starts = bucket_codes(np.array([4000.0, 100.0, 7300.0]), 3600.0, "UTC")
    >>> codes.tolist(), starts.tolist()
    ([1, 0, 2], [0.0, 3600.0, 7200.0])
    """
    local = local_seconds(instants, tz)
    k = np.floor(local / width).astype(np.int64)
    if k.size == 0:
        return k, np.empty(0, dtype=np.float64)
    low = int(k.min())
    span = int(k.max()) - low + 1
    if span <= 2 * k.size + 100_000:
        present = np.bincount(k - low, minlength=span) > 0
        remap = np.cumsum(present, dtype=np.int64) - 1
        starts = (np.flatnonzero(present) + low).astype(np.float64) * width
        return remap[k - low], starts
    distinct, codes = np.unique(k, return_inverse=True)
    return codes.reshape(-1).astype(np.int64), distinct.astype(np.float64) * width
