"""Turn live contacts (``Call`` records, tickets holding calls, or columns) into arrays.

Every contact-center kernel works on :class:`CallColumns`: one numpy array per
field, built once. The only per-record Python loop in the contact-center code is
the conversion from pydantic objects here; everything downstream is vectorised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.metrics.base import MetricParams
from cxmetrics.models.interaction import Call
from cxmetrics.models.ticket import Ticket

__all__ = [
    "CallColumns",
    "CallParams",
    "as_mapping",
    "bucket_codes",
    "call_columns",
    "epoch_seconds",
    "interval_seconds",
    "local_seconds",
    "local_to_utc",
    "missing",
    "reject_rows",
    "seconds",
    "to_datetime",
]

_MAX_LISTED = 5
_DURATIONS = ("wait", "talk", "hold", "wrap")

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class CallColumns:
    """Live contacts as columns; instants are UTC epoch seconds, durations seconds."""

    at: FloatArray
    wait: FloatArray
    talk: FloatArray
    hold: FloatArray
    wrap: FloatArray
    abandoned: BoolArray
    transferred: BoolArray
    inbound: BoolArray
    channel: ObjectArray
    queue: ObjectArray
    customer_id: ObjectArray
    id: ObjectArray

    def __len__(self) -> int:
        return int(self.at.size)

    @property
    def answered(self) -> BoolArray:
        """Contacts an agent handled (not abandoned)."""
        return ~self.abandoned

    @property
    def handle(self) -> FloatArray:
        """Talk + hold + wrap seconds."""
        return self.talk + self.hold + self.wrap

    def select(self, mask: BoolArray) -> CallColumns:
        """Return the rows where ``mask`` is true."""
        return CallColumns(**{name: getattr(self, name)[mask] for name in _FIELDS})

    def only(self, *, channel: str | None = None, inbound: bool | None = None) -> CallColumns:
        """Keep one channel and/or one direction (``None`` keeps all)."""
        mask = np.ones(len(self), dtype=bool)
        if channel is not None:
            mask &= self.channel == channel
        if inbound is not None:
            mask &= self.inbound == inbound
        return self if mask.all() else self.select(mask)


_FIELDS = tuple(CallColumns.__dataclass_fields__)


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
    raise TypeError(f"{name} must be a timedelta or a number of seconds, got {value!r}")


def to_datetime(epoch_seconds: float, tz: timezone | ZoneInfo = timezone.utc) -> datetime:
    """Return the aware datetime of ``epoch_seconds`` in ``tz``.

    Examples
    --------
    >>> to_datetime(0.0).isoformat()
    '1970-01-01T00:00:00+00:00'
    """
    return datetime.fromtimestamp(epoch_seconds, tz=tz)


def call_columns(items: Any, *, owner: str) -> CallColumns:
    """Return ``items`` as :class:`CallColumns`.

    Parameters
    ----------
    items : iterable of Call or Ticket, CallColumns, or a mapping of columns
        ``Call`` records; tickets contribute their ``calls``. A mapping (a dict of
        arrays or a pandas DataFrame; polars and Arrow tables are read through
        narwhals, the ``dataframes`` extra) needs ``at`` (aware datetimes, or UTC epoch
        seconds) and optionally ``wait``, ``talk``, ``hold``, ``wrap`` (seconds or
        timedeltas), ``abandoned``, ``transferred``, ``direction``, ``channel``,
        ``queue``, ``customer_id`` and ``id``.
    owner : str
        The public function or class, for messages.

    Raises
    ------
    TypeError
        For an item that is neither a ``Call`` nor a ``Ticket``.
    ValueError
        For column input with missing or negative durations, naive instants, or
        contacts both answered and abandoned, naming the rows (and their ids).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> cols = call_columns([Call(at=at, wait=20, talk=100)], owner="aht")
    >>> cols.talk.tolist(), cols.abandoned.tolist()
    ([100.0], [False])
    """
    if isinstance(items, CallColumns):
        return items
    from cxmetrics.io._routing import calls_input  # record tables of cxmetrics.io

    converted: CallColumns | None = calls_input(items)
    if converted is not None:
        return converted
    if isinstance(items, Mapping) or hasattr(items, "columns"):
        return _from_columns(as_mapping(items, owner), owner)
    calls: list[Call] = []
    for position, item in enumerate(items):
        if isinstance(item, Call):
            calls.append(item)
        elif isinstance(item, Ticket):
            calls.extend(item.calls)
        else:
            raise TypeError(
                f"{owner} expects Call or Ticket items; item {position} is {type(item).__name__}"
            )
    n = len(calls)
    return CallColumns(
        at=np.fromiter((c.at.timestamp() for c in calls), np.float64, n),
        wait=np.fromiter((c.wait.total_seconds() for c in calls), np.float64, n),
        talk=np.fromiter((c.talk.total_seconds() for c in calls), np.float64, n),
        hold=np.fromiter((c.hold.total_seconds() for c in calls), np.float64, n),
        wrap=np.fromiter((c.wrap.total_seconds() for c in calls), np.float64, n),
        abandoned=np.fromiter((c.abandoned for c in calls), np.bool_, n),
        transferred=np.fromiter((c.transferred for c in calls), np.bool_, n),
        inbound=np.fromiter((c.direction == "inbound" for c in calls), np.bool_, n),
        channel=_objects([c.channel for c in calls]),
        queue=_objects([c.queue for c in calls]),
        customer_id=_objects([c.customer_id for c in calls]),
        id=_objects([c.id for c in calls]),
    )


def _objects(values: list[Any]) -> ObjectArray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _column(table: Any, name: str) -> Any:
    if isinstance(table, Mapping):
        return table.get(name)
    return table[name] if name in table.columns else None


def as_mapping(table: Any, owner: str) -> Any:
    """Pass dicts and pandas frames through; read polars, Arrow… with narwhals.

    Examples
    --------
    >>> as_mapping({"at": [0.0]}, "aht")
    {'at': [0.0]}
    """
    if isinstance(table, Mapping) or type(table).__module__.startswith("pandas"):
        return table
    nw = import_optional("narwhals", extra="dataframes", feature=f"{owner} on a DataFrame")
    frame = nw.from_native(table, eager_only=True)
    columns: dict[str, Any] = {}
    for name in frame.columns:
        series = frame[name]
        if isinstance(series.dtype, nw.Datetime) and series.dtype.time_zone is not None:
            # Aware instants become UTC epoch seconds (a null stays a nan, rejected later).
            micros = series.dt.timestamp("us").cast(nw.Float64).to_numpy()
            columns[name] = np.asarray(micros, dtype=np.float64) / 1e6
        else:
            columns[name] = series.to_numpy()
    return columns


def _from_columns(table: Any, owner: str) -> CallColumns:
    at_column = _column(table, "at")
    if at_column is None:
        raise ValueError(f"{owner}: column input needs an 'at' column of aware instants")
    at = _epoch_seconds(at_column, owner)
    n = at.size
    ids = _column(table, "id")
    id_array = _object_column(ids, n)
    durations = {
        name: _seconds_column(_column(table, name), n, name, id_array, owner) for name in _DURATIONS
    }
    abandoned = _bool_column(_column(table, "abandoned"), n)
    handled_time = durations["talk"] + durations["hold"] + durations["wrap"]
    _reject(
        abandoned & (handled_time > 0),
        id_array,
        owner,
        "are both abandoned and answered (talk, hold or wrap > 0)",
    )
    direction = _column(table, "direction")
    inbound = (
        np.ones(n, dtype=bool)
        if direction is None
        else np.asarray(direction, dtype=object) != "outbound"
    )
    channel = _column(table, "channel")
    return CallColumns(
        at=at,
        abandoned=abandoned,
        transferred=_bool_column(_column(table, "transferred"), n),
        inbound=np.asarray(inbound, dtype=bool),
        channel=_object_column(channel, n, default="phone"),
        queue=_optional_objects(_column(table, "queue"), n),
        customer_id=_optional_objects(_column(table, "customer_id"), n, as_str=True),
        id=id_array,
        **durations,
    )


def _object_column(column: Any, n: int, default: Any = None) -> ObjectArray:
    # An absent column is one value broadcast to n rows (a read-only view: no memory,
    # no time); a given one is viewed as objects, not rebuilt from a list per row.
    if column is None:
        single = np.empty(1, dtype=object)
        single[0] = default
        constant: ObjectArray = np.broadcast_to(single, (n,))
        return constant
    array = np.asarray(column, dtype=object)
    return array if array.ndim == 1 else _objects(list(column))


def _optional_objects(column: Any, n: int, as_str: bool = False) -> ObjectArray:
    if column is None or not as_str:
        return _object_column(column, n)
    return _objects([None if _missing(v) else str(v) for v in column])


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _bool_column(column: Any, n: int) -> BoolArray:
    if column is None:
        return np.zeros(n, dtype=bool)
    return np.asarray(column, dtype=bool)


def _seconds_column(column: Any, n: int, name: str, ids: ObjectArray, owner: str) -> FloatArray:
    if column is None:
        return np.zeros(n, dtype=np.float64)
    array = np.asarray(column)
    if array.dtype.kind == "m":
        values = array.astype("timedelta64[ns]").astype(np.float64) / 1e9
        values[np.isnat(array)] = np.nan
    elif array.dtype.kind == "O":
        values = np.array(
            [np.nan if _missing(v) else seconds(v, name) for v in array], dtype=np.float64
        )
    else:
        values = array.astype(np.float64, copy=False)  # read only: no copy needed
    _reject(np.isnan(values), ids, owner, f"have a missing {name} duration")
    _reject(values < 0, ids, owner, f"have a negative {name} duration")
    return values


def _reject(bad: BoolArray, ids: ObjectArray, owner: str, problem: str) -> None:
    reject_rows(bad, ids, owner, f"contact(s) {problem}")


def reject_rows(bad: BoolArray, ids: ObjectArray, owner: str, problem: str) -> None:
    """Raise ``ValueError`` listing the rows (and their ids) where ``bad`` is true.

    Examples
    --------
    >>> ids = np.array(["a", None, "c"], dtype=object)
    >>> reject_rows(np.array([False, True, True]), ids, "churn_rate", "customer(s) are odd")
    Traceback (most recent call last):
    ...
    ValueError: churn_rate: 2 customer(s) are odd: row 1, row 2 (id='c')
    """
    if not bad.any():
        return
    rows = np.flatnonzero(bad)
    named = ", ".join(
        f"row {r}" + (f" (id={ids[r]!r})" if ids[r] is not None else "") for r in rows[:_MAX_LISTED]
    )
    more = f" and {rows.size - _MAX_LISTED} more" if rows.size > _MAX_LISTED else ""
    raise ValueError(f"{owner}: {rows.size} {problem}: {named}{more}")


_UNITS_PER_SECOND = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}


def _reject_missing_instants(bad: BoolArray, owner: str, name: str) -> None:
    if bad.any():
        rows = np.flatnonzero(bad)
        listed = ", ".join(str(r) for r in rows[:_MAX_LISTED])
        raise ValueError(
            f"{owner}: {name!r} is missing (NaT, null or nan) in {rows.size} row(s): {listed}"
        )


def _epoch_seconds(column: Any, owner: str) -> FloatArray:
    return epoch_seconds(column, owner, "at")


def epoch_seconds(column: Any, owner: str, name: str, *, allow_missing: bool = False) -> FloatArray:
    """Return a column of aware instants (or UTC epoch seconds) as UTC epoch seconds.

    Missing values (NaT, null, nan, None) are an error naming the rows, or ``nan``
    with ``allow_missing``; naive datetimes are an error saying how to fix them.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> epoch_seconds([datetime(1970, 1, 2, tzinfo=timezone.utc), None], "x", "until",
    ...               allow_missing=True).tolist()
    [86400.0, nan]
    """
    dtype = getattr(column, "dtype", None)
    if dtype is not None and getattr(dtype, "tz", None) is not None:  # pandas aware column
        # The integer view counts the dtype's unit (ns in pandas 2, often us in pandas 3).
        per_second = _UNITS_PER_SECOND[getattr(dtype, "unit", "ns")]
        ticks = np.asarray(column.astype("int64"), dtype=np.int64)
        absent = ticks == np.iinfo(np.int64).min
        values = ticks.astype(np.float64) / per_second
    else:
        array = np.asarray(column)
        if array.dtype.kind == "M":
            raise ValueError(
                f"{owner}: the {name!r} column holds naive datetimes; localise it first, e.g. "
                f"df[{name!r}].dt.tz_localize('Europe/Paris'), or pass UTC epoch seconds"
            )
        if array.dtype.kind in "iuf":
            values = array.astype(np.float64, copy=False)
            absent = np.isnan(values)
        else:
            values = np.empty(array.size, dtype=np.float64)
            for i, value in enumerate(array.ravel()):
                if _missing(value) or value != value:  # None, nan, NaT
                    values[i] = np.nan
                    continue
                if not isinstance(value, datetime) or value.utcoffset() is None:
                    raise ValueError(
                        f"{owner}: {name!r} row {i} is {value!r}, not an aware datetime; "
                        "attach a timezone, e.g. value.replace(tzinfo=timezone.utc)"
                    )
                values[i] = value.timestamp()
            absent = np.isnan(values)
    if allow_missing:
        return np.where(absent, np.nan, values)
    _reject_missing_instants(absent, owner, name)
    return values


def local_seconds(epoch: FloatArray, tz: str) -> FloatArray:
    """Return UTC epoch seconds shifted to wall-clock seconds in timezone ``tz``.

    The UTC offset is looked up once per distinct quarter hour (offsets change on
    quarter-hour boundaries in every zone in use), not once per contact.

    Examples
    --------
    >>> local_seconds(np.array([0.0]), "Asia/Kolkata").tolist()
    [19800.0]
    """
    if tz == "UTC" or epoch.size == 0:
        return epoch.astype(np.float64, copy=True)
    zone = ZoneInfo(tz)
    quarters, inverse = np.unique(np.floor(epoch / 900.0), return_inverse=True)
    offsets = np.array(
        [
            _offset_seconds(datetime.fromtimestamp(q * 900.0, tz=timezone.utc).astimezone(zone))
            for q in quarters
        ],
        dtype=np.float64,
    )
    return epoch + offsets[inverse.reshape(-1)]


def _offset_seconds(moment: datetime) -> float:
    offset = moment.utcoffset()
    return 0.0 if offset is None else offset.total_seconds()


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
        raise ValueError(
            f"The 'interval' parameter of {owner} must be a positive duration dividing a day "
            f"evenly (15, 30 or 60 minutes…). Got {interval!r} instead."
        )
    return width


class CallParams(MetricParams):
    """Parameters shared by the live-contact metrics.

    Parameters
    ----------
    channel : str, optional
        Keep only contacts of this channel (``"phone"``, ``"chat"``…); ``None``
        keeps every channel.
    """

    channel: str | None = None


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


def missing(values: ObjectArray) -> BoolArray:
    """Return where an object column holds ``None``.

    Examples
    --------
    >>> missing(np.array(["a", None], dtype=object)).tolist()
    [False, True]
    """
    none: Any = None
    return np.asarray(np.equal(values, none), dtype=bool)
