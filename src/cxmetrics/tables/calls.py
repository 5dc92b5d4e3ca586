"""Turn live contacts (``Call`` records, tickets holding calls, or columns) into arrays.

Every contact-center kernel works on :class:`CallColumns`: one numpy array per
field, built once. The only per-record Python loop in the contact-center code is
the conversion from pydantic objects here; everything downstream is vectorised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.core.local_time import seconds
from cxmetrics.exceptions import InvalidParameterError, RecordValidationError
from cxmetrics.models.interaction import Call
from cxmetrics.models.ticket import Ticket

__all__ = [
    "CallColumns",
    "as_mapping",
    "calls_from_mapping",
    "calls_from_records",
    "epoch_seconds",
    "missing",
    "reject_rows",
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


def calls_from_records(items: Any, *, owner: str) -> CallColumns:
    """Return ``Call`` records (tickets contribute their ``calls``) as :class:`CallColumns`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls_from_records([Call(at=at, wait=20, talk=100)], owner="aht").talk.tolist()
    [100.0]
    """
    calls: list[Call] = []
    for position, item in enumerate(items):
        if isinstance(item, Call):
            calls.append(item)
        elif isinstance(item, Ticket):
            calls.extend(item.calls)
        else:
            raise InvalidParameterError(
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


def calls_from_mapping(table: Any, *, owner: str) -> CallColumns:
    """Return a dict of columns (or a pandas DataFrame) of calls as :class:`CallColumns`."""
    return _from_columns(as_mapping(table, owner), owner)


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
        raise RecordValidationError(f"{owner}: column input needs an 'at' column of aware instants")
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
    """Raise :class:`~cxmetrics.RecordValidationError` listing the rows (and their ids) where ``bad`` is true.

    Examples
    --------
    >>> ids = np.array(["a", None, "c"], dtype=object)
    >>> reject_rows(np.array([False, True, True]), ids, "churn_rate", "customer(s) are odd")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: churn_rate: 2 customer(s) are odd: row 1, row 2 (id='c')
    """
    if not bad.any():
        return
    rows = np.flatnonzero(bad)
    named = ", ".join(
        f"row {r}" + (f" (id={ids[r]!r})" if ids[r] is not None else "") for r in rows[:_MAX_LISTED]
    )
    more = f" and {rows.size - _MAX_LISTED} more" if rows.size > _MAX_LISTED else ""
    raise RecordValidationError(f"{owner}: {rows.size} {problem}: {named}{more}")


_UNITS_PER_SECOND = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}


def _reject_missing_instants(bad: BoolArray, owner: str, name: str) -> None:
    if bad.any():
        rows = np.flatnonzero(bad)
        listed = ", ".join(str(r) for r in rows[:_MAX_LISTED])
        raise RecordValidationError(
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
            raise RecordValidationError(
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
                    raise RecordValidationError(
                        f"{owner}: {name!r} row {i} is {value!r}, not an aware datetime; "
                        "attach a timezone, e.g. value.replace(tzinfo=timezone.utc)"
                    )
                values[i] = value.timestamp()
            absent = np.isnan(values)
    if allow_missing:
        return np.where(absent, np.nan, values)
    _reject_missing_instants(absent, owner, name)
    return values


def missing(values: ObjectArray) -> BoolArray:
    """Return where an object column holds ``None``.

    Examples
    --------
    >>> missing(np.array(["a", None], dtype=object)).tolist()
    [False, True]
    """
    none: Any = None
    return np.asarray(np.equal(values, none), dtype=bool)
