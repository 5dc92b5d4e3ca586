"""Column access on any DataFrame (through narwhals): ids, strings, instants, numbers.

Every helper returns whole numpy arrays plus a boolean mask of the rows that are
missing or malformed, so the validation built on them is vectorised: a problem is
a mask, and only the rows it flags are ever turned into Python error dicts.

A pyarrow table is read directly, chunk (Parquet row group) by chunk, through its
buffers: numbers and instants are views or one division, text columns keep their
dictionaries, and no pandas import or per-row Python object is involved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.exceptions import InvalidParameterError, RecordValidationError
from cxmetrics.tables.ticket_batch import Categorical

__all__ = ["Problems", "Table", "as_table", "localize", "parse_iso"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

_MAX_LISTED = 20
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
# Above this many distinct values, categories are deduplicated and sorted in arrow.
_SORT_IN_ARROW = 512


def _nw() -> Any:
    return import_optional("narwhals", extra="dataframes", feature="DataFrame input")


def _pa() -> tuple[Any, Any]:
    pa = import_optional("pyarrow", extra="dataframes", feature="DataFrame input")
    pc = import_optional("pyarrow.compute", extra="dataframes", feature="DataFrame input")
    return pa, pc


def _numbers(array: Any) -> FloatArray:
    """A numeric pyarrow array as float64 numpy, NaN where null."""
    pa, pc = _pa()
    return float_values(pc.cast(array, pa.float64()))


# --- pyarrow to numpy through buffers ----------------------------------------------------
# Array.to_numpy, pa.scalar and pa.array consult pyarrow's pandas shim, which imports
# pandas (about 0.4 s) on first use. Reading the buffers directly keeps a pyarrow-only
# load free of pandas, and is a view rather than a copy.

_INTS = {8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}
_UINTS = {8: np.uint8, 16: np.uint16, 32: np.uint32, 64: np.uint64}
_FLOATS = {16: np.float16, 32: np.float32, 64: np.float64}


def _fixed_dtype(kind: Any) -> Any:
    """The numpy dtype of a fixed-width pyarrow type's values, or None."""
    pa, _ = _pa()
    if pa.types.is_floating(kind):
        return _FLOATS[kind.bit_width]
    if pa.types.is_signed_integer(kind):
        return _INTS[kind.bit_width]
    if pa.types.is_unsigned_integer(kind):
        return _UINTS[kind.bit_width]
    if pa.types.is_timestamp(kind) or pa.types.is_duration(kind) or pa.types.is_date64(kind):
        return np.int64
    if pa.types.is_date32(kind):
        return np.int32
    return None


def valid_mask(array: Any) -> BoolArray | None:
    """Where a pyarrow array holds a value; ``None`` when it has no nulls.

    Examples
    --------
    >>> import pyarrow as pa
    >>> valid_mask(pa.array([1, None, 3], pa.int64())).tolist(), valid_mask(pa.array([1.0]))
    ([True, False, True], None)
    """
    if array.null_count == 0:
        return None
    pa, _ = _pa()
    if pa.types.is_null(array.type):
        return np.zeros(len(array), dtype=bool)
    if pa.types.is_dictionary(array.type):
        array = array.indices
    bits = np.frombuffer(array.buffers()[0], dtype=np.uint8)
    unpacked = np.unpackbits(bits, count=array.offset + len(array), bitorder="little")
    mask: BoolArray = unpacked[array.offset :].astype(bool)
    return mask


def values_view(array: Any) -> npt.NDArray[Any] | None:
    """The values of a fixed-width pyarrow array as a read-only view (arbitrary at nulls).

    ``None`` for other types. Timestamps, durations and dates give their integers.
    """
    dtype = _fixed_dtype(array.type)
    if dtype is None:
        return None
    buffers = array.buffers()
    if len(array) == 0 or len(buffers) < 2 or buffers[1] is None:
        return np.zeros(len(array), dtype=dtype)
    width = np.dtype(dtype).itemsize
    return np.frombuffer(buffers[1], dtype=dtype, count=len(array), offset=array.offset * width)


def bool_values(array: Any) -> BoolArray:
    """The values of a pyarrow boolean array (arbitrary at nulls)."""
    n = len(array)
    if n == 0 or array.buffers()[1] is None:
        return np.zeros(n, dtype=bool)
    bits = np.frombuffer(array.buffers()[1], dtype=np.uint8)
    values = np.unpackbits(bits, count=array.offset + n, bitorder="little")
    flags: BoolArray = values[array.offset :].view(bool)
    return flags


def float_values(array: Any) -> FloatArray:
    """A numeric or boolean pyarrow array (or chunked array) as float64, NaN where null.

    Examples
    --------
    >>> import pyarrow as pa
    >>> float_values(pa.chunked_array([[1, None], [3]])).tolist()
    [1.0, nan, 3.0]
    """
    pa, pc = _pa()
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    out = np.empty(sum(len(c) for c in chunks), dtype=np.float64)
    start = 0
    for chunk in chunks:
        stop = start + len(chunk)
        if pa.types.is_boolean(chunk.type):
            out[start:stop] = bool_values(chunk)
        else:
            values = values_view(chunk)
            if values is None:
                values = values_view(pc.cast(chunk, pa.float64()))
            out[start:stop] = values
        valid = valid_mask(chunk)
        if valid is not None:
            out[start:stop][~valid] = np.nan
        start = stop
    return out


def objects(array: Any) -> npt.NDArray[np.object_]:
    """A pyarrow array of strings as a numpy object array, ``None`` where null."""
    out = np.empty(len(array), dtype=object)
    out[:] = array.to_pylist()
    return out


def fixed_values(array: Any) -> npt.NDArray[Any]:
    """:func:`values_view` of an array known to be fixed-width."""
    view = values_view(array)
    if view is None:
        raise InvalidParameterError(f"expected a fixed-width pyarrow array, got {array.type}")
    return view


def dictionary_indices(array: Any) -> npt.NDArray[Any]:
    """The indices of a pyarrow dictionary array, ``-1`` where null (a view when none is)."""
    indices = array.indices
    view = fixed_values(indices)
    if view.dtype.kind == "u":
        view = view.astype(np.int64)
    valid = valid_mask(indices)
    if valid is None:
        return view
    out: npt.NDArray[Any] = view.copy()
    out[~valid] = -1
    return out


_BLOCK = 1 << 20
_DAY = 86400.0


def take(values: npt.NDArray[Any], indices: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``values[indices]`` (``-1`` is the last value), a block of rows at a time.

    Indexing converts 32-bit indices to platform integers; by blocks that copy
    stays small and reuses memory instead of mapping fresh pages for every lookup.

    Examples
    --------
    >>> take(np.array([5, 6, -1]), np.array([1, -1, 0], dtype=np.int32)).tolist()
    [6, -1, 5]
    """
    if indices.size <= _BLOCK or indices.dtype == np.intp:
        result: npt.NDArray[Any] = values[indices]
        return result
    out = np.empty(indices.size, dtype=values.dtype)
    for start in range(0, indices.size, _BLOCK):
        stop = start + _BLOCK
        np.take(values, indices[start:stop], out=out[start:stop])
    return out


def string_offsets(array: Any) -> npt.NDArray[np.int64]:
    """The offsets of a pyarrow string array's values into its data buffer (a view)."""
    pa, _ = _pa()
    dtype = np.int64 if pa.types.is_large_string(array.type) else np.int32
    width = np.dtype(dtype).itemsize
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array) + 1, offset=array.offset * width
    )


def _is_clean(array: Any) -> bool:
    """Whether a string array has no empty value and no space at either end of any value.

    Checked on the bytes: every value starts and ends with printable ASCII (so neither
    trimming nor the empty-is-missing rule would change it). Otherwise, say so and let
    the full clean run.
    """
    n = len(array)
    if n == 0 or array.null_count == n:
        return True
    offsets = string_offsets(array)
    starts, ends = offsets[:-1], offsets[1:]
    valid = valid_mask(array)
    if valid is not None:
        starts, ends = starts[valid], ends[valid]
    if bool((ends <= starts).any()):
        return False
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    first, last = data[starts], data[ends - 1]
    printable = (first > 32) & (first < 127) & (last > 32) & (last < 127)
    return bool(printable.all())


def _with_nulls(array: Any, missing: BoolArray) -> Any:
    """A string array with the ``missing`` rows made null (buffers shared)."""
    pa, _ = _pa()
    valid = ~missing
    old = valid_mask(array)
    if old is not None:
        valid &= old
    bits = np.packbits(
        np.concatenate([np.zeros(array.offset, dtype=bool), valid]), bitorder="little"
    )
    buffers = array.buffers()
    return pa.Array.from_buffers(
        array.type, len(array), [pa.py_buffer(bits), *buffers[1:]], offset=array.offset
    )


def _is_arrow_table(value: Any) -> bool:
    kind = type(value)
    return kind.__module__.split(".")[0] == "pyarrow" and kind.__name__ == "Table"


def is_dataframe(value: Any) -> bool:
    """Whether ``value`` is a pandas, polars or pyarrow table (or a narwhals frame).

    Examples
    --------
    >>> is_dataframe([1, 2]), is_dataframe({"a": [1]})
    (False, False)
    """
    if isinstance(value, (list, tuple, dict, str, bytes)) or value is None:
        return False
    module = type(value).__module__.split(".")[0]
    return module in ("pandas", "polars", "pyarrow", "narwhals", "modin", "cudf")


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


@dataclass
class Problems:
    """Row problems of one conversion, in the error-dict format of the models."""

    items: list[dict[str, object]]

    def add(
        self,
        mask: BoolArray,
        *,
        ids: Any,
        field: str,
        code: str,
        message: str | Any,
        inputs: Any = None,
        positions: npt.NDArray[np.int64] | None = None,
    ) -> None:
        """Record one problem per row where ``mask`` is true.

        ``message`` is a string, or a callable of the row that returns one. ``ids``
        and ``inputs`` are arrays, or anything indexable by row (looked up only for
        the rows reported).
        """
        rows = np.flatnonzero(mask)
        for row in rows.tolist():
            self.items.append(
                {
                    "position": int(positions[row]) if positions is not None else row,
                    "id": None if ids[row] is None else str(ids[row]),
                    "field": field,
                    "type": code,
                    "message": message(row) if callable(message) else message,
                    "input": None if inputs is None else _plain(inputs[row]),
                }
            )

    def raise_if_any(self, what: str, total: int) -> None:
        """Raise :class:`RecordValidationError` listing every problem."""
        if not self.items:
            return
        bad = len({(str(p["field"]).split(".")[0], p["position"]) for p in self.items})
        lines = [f"{bad} invalid {what} rows out of {total}:"]
        for problem in self.items[:_MAX_LISTED]:
            lines.append("  " + describe(problem))
        if len(self.items) > _MAX_LISTED:
            lines.append(f"  … and {len(self.items) - _MAX_LISTED} more (see error.errors)")
        raise RecordValidationError("\n".join(lines), tuple(self.items))


def describe(problem: Mapping[str, object]) -> str:
    """One line describing a problem dict."""
    if problem["type"] == "malformed_row":
        return f"{problem.get('table', 'file')}: {problem['message']} [{problem['input']!r}]"
    field = str(problem["field"])
    table = field.split(".")[0] if "." in field else str(problem.get("table", "tickets"))
    where = f"{table} row {problem['position']}"
    if problem["id"] is not None:
        where += f" (id={problem['id']!r})"
    text = f"{where}: {field}: {problem['message']}"
    if problem["type"] == "literal_error":
        text += f" [got {problem['input']!r}]"
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


class Table:
    """A DataFrame seen through narwhals, with the user's column-name mapping.

    A pyarrow table is read directly (no narwhals frame, no copies, no pandas).

    Parameters
    ----------
    native : DataFrame
        pandas, polars or pyarrow table, or a dict of equal-length lists / arrays.
    name : str
        The table's role (``"tickets"``, ``"interactions"``…), for messages.
    columns : mapping, optional
        Our column name → the source's column name.
    timezone : str, optional
        Zone that naive instants are localised in.
    """

    def __init__(
        self,
        native: Any,
        name: str,
        columns: Mapping[str, str] | None = None,
        timezone: str | None = None,
    ) -> None:
        if isinstance(native, Mapping):
            native = _dict_to_native(native)
        self.name = name
        self.mapping = dict(columns or {})
        self.timezone = timezone
        self._frame: Any = None
        self._loaded: Any = None
        self._pending: Any = None
        if _is_arrow_table(native):
            self._loaded = native
            self.available = set(native.column_names)
            self.n = int(native.num_rows)
            return
        nw = _nw()
        try:
            self._frame = nw.from_native(native, eager_only=True)
        except TypeError as exc:
            raise InvalidParameterError(
                f"the {name} table must be a pandas, polars or pyarrow table (or a dict of "
                f"columns); got {type(native).__name__}"
            ) from exc
        self.available = set(self._frame.columns)
        self.n = int(self._frame.shape[0])

    @classmethod
    def pending(
        cls,
        future: Any,
        names: Sequence[str],
        n: int,
        name: str,
        columns: Mapping[str, str] | None = None,
        timezone: str | None = None,
    ) -> Table:
        """A pyarrow table still being read: ``future`` gives it, ``names`` and ``n`` its shape.

        Column access waits for it, so files can be read while others are validated.
        """
        table = cls.__new__(cls)
        table.name = name
        table.mapping = dict(columns or {})
        table.timezone = timezone
        table._frame = None
        table._loaded = None
        table._pending = future
        table.available = set(names)
        table.n = int(n)
        return table

    @property
    def _arrow_table(self) -> Any:
        """The pyarrow table behind this one (None for other frames)."""
        if self._pending is not None:
            self._loaded, self._pending = self._pending.result(), None
        return self._loaded

    @property
    def frame(self) -> Any:
        """The narwhals frame of the table."""
        if self._frame is None:
            self._frame = _nw().from_native(self._arrow_table, eager_only=True)
        return self._frame

    def source(self, column: str) -> str:
        """The source column name of our ``column``."""
        return self.mapping.get(column, column)

    def has(self, column: str) -> bool:
        """Whether the table has ``column`` (after mapping)."""
        return self.source(column) in self.available

    def require(self, *columns: str) -> None:
        """Raise naming the first missing required column."""
        for column in columns:
            if not self.has(column):
                mapped = self.source(column)
                hint = (
                    f"; map yours with columns={{{column!r}: 'your_column'}}"
                    if mapped == column
                    else ""
                )
                raise InvalidParameterError(
                    f"the {self.name} table has no column {mapped!r} (it has: "
                    f"{', '.join(sorted(map(str, self.available)))[:300]}){hint}"
                )

    def series(self, column: str) -> Any:
        """The narwhals series of ``column``."""
        return self.frame[self.source(column)]

    def arrow(self, column: str) -> Any:
        """The column as one contiguous pyarrow array (converted once, then cached)."""
        cache: dict[str, Any] = self.__dict__.setdefault("_arrow", {})
        if column not in cache:
            if self._arrow_table is not None:
                chunked = self._arrow_table.column(self.source(column))
                array = chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()
            else:
                array = self.series(column).to_arrow()
                if hasattr(array, "combine_chunks"):
                    array = array.combine_chunks()
            cache[column] = array
        return cache[column]

    def chunks(self, column: str) -> list[Any]:
        """The column as its pyarrow chunks (Parquet row groups), without concatenating them."""
        if self._arrow_table is not None:
            chunked = self._arrow_table.column(self.source(column))
            if chunked.num_chunks > 1:
                return [c for c in chunked.chunks if len(c)] or [self.arrow(column)]
        return [self.arrow(column)]

    def kind(self, column: str) -> Any:
        """The pyarrow type of ``column``."""
        if self._arrow_table is not None:
            return self._arrow_table.schema.field(self.source(column)).type
        return self.arrow(column).type

    def text(self, column: str) -> Any:
        """The column as a pyarrow string array, whitespace-stripped; '' is null."""
        return self._clean(self.arrow(column))

    def _clean(self, array: Any) -> Any:
        pa, pc = _pa()
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        kind = array.type
        if pa.types.is_floating(kind):
            values = float_values(array)
            integral = ~np.isnan(values) & (values == np.round(values))
            # Exports often turn integer ids into floats (3 -> 3.0) once a null appears.
            if integral.sum() == (~np.isnan(values)).sum():
                array = pc.cast(
                    pa.array(np.nan_to_num(values).astype(np.int64), mask=np.isnan(values)),
                    pa.string(),
                )
            else:
                array = pc.cast(array, pa.string())
        elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            array = pc.cast(array, pa.string())
        if _is_clean(array):
            return array
        array = pc.utf8_trim_whitespace(array)
        offsets = string_offsets(array)
        return _with_nulls(array, offsets[1:] == offsets[:-1])

    def strings(self, column: str) -> tuple[npt.NDArray[np.object_], BoolArray]:
        """``(values, missing)``: stripped strings as objects (None where missing)."""
        if not self.has(column):
            return np.full(self.n, None, dtype=object), np.ones(self.n, dtype=bool)
        pa, _ = _pa()
        if pa.types.is_dictionary(self.kind(column)):
            # One Python string per distinct value, shared by its rows.
            indices, dictionary = self.encoded(column)
            words = np.empty(len(dictionary) + 1, dtype=object)  # the last for nulls
            words[:-1] = dictionary.to_pylist()
            values: npt.NDArray[np.object_] = take(words, indices)
            present = np.array([w is not None for w in words], dtype=bool)
            return values, ~take(present, indices)
        array = self.text(column)
        valid = valid_mask(array)
        missing = np.zeros(self.n, dtype=bool) if valid is None else ~valid
        return objects(array), missing

    def codes(
        self, column: str, lower: bool = False
    ) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
        """Dictionary codes of a text column: ``(codes, categories)``, -1 = missing.

        Categories are sorted; the work on strings happens once per distinct value.
        """
        if not self.has(column):
            return np.full(self.n, -1, dtype=np.int32), ()
        _, pc = _pa()
        indices, dictionary = self.encoded(column)
        if not lower and len(dictionary) > _SORT_IN_ARROW:
            # Many distinct values (customer ids): dedupe and sort them in arrow. Its
            # byte order of UTF-8 is the code-point order of sorted().
            unique = pc.dictionary_encode(dictionary)
            distinct = unique.dictionary
            order = pc.array_sort_indices(distinct)
            rank = np.empty(len(distinct) + 1, dtype=np.int32)
            rank[fixed_values(order).astype(np.int64)] = np.arange(len(distinct), dtype=np.int32)
            rank[-1] = -1
            remap = np.append(rank[dictionary_indices(unique)], np.int32(-1))
            present = tuple(pc.take(distinct, order).to_pylist())
        else:
            words = dictionary.to_pylist()
            if lower:
                words = [None if w is None else w.lower() for w in words]
            present = tuple(sorted({w for w in words if w is not None}))
            place = {w: i for i, w in enumerate(present)}
            remap = np.array([-1 if w is None else place[w] for w in words] + [-1], dtype=np.int32)
        return take(remap, indices), present

    def encoded(self, column: str) -> tuple[npt.NDArray[Any], Any]:
        """``(indices, dictionary)`` of a text column: -1 for nulls; strings cleaned once.

        A dictionary-typed column (Parquet, pandas categories) is used as it is, so
        string work happens once per distinct value, never per row. The dictionary may
        hold a value twice (once per Parquet row group, or after cleaning) and nulls.
        """
        cache: dict[str, Any] = self.__dict__.setdefault("_encoded", {})
        if column in cache:
            return cache[column]  # type: ignore[no-any-return]
        pa, pc = _pa()
        chunks = self.chunks(column)
        if not all(pa.types.is_dictionary(c.type) for c in chunks):
            chunks = [pc.dictionary_encode(self._clean(self.arrow(column)))]
        if len(chunks) == 1:
            indices = dictionary_indices(chunks[0])
            dictionary = chunks[0].dictionary
        else:
            # Each row group has its own dictionary: index into their concatenation.
            sizes = [len(c.dictionary) for c in chunks]
            dtype = np.int32 if sum(sizes) < 2**31 else np.int64
            indices = np.empty(sum(len(c) for c in chunks), dtype=dtype)
            start, base = 0, 0
            for chunk, size in zip(chunks, sizes, strict=True):
                part = dictionary_indices(chunk)
                stop = start + len(chunk)
                np.add(part, base, out=indices[start:stop], casting="unsafe")
                if chunk.null_count:
                    indices[start:stop][part < 0] = -1
                start, base = stop, base + size
            dictionary = pa.concat_arrays([c.dictionary for c in chunks])
        cache[column] = (indices, self._clean(dictionary))
        return cache[column]  # type: ignore[no-any-return]

    def lookup(self, column: str, values: npt.NDArray[Any], missing: Any) -> npt.NDArray[Any]:
        """``values[i]`` on the rows holding dictionary entry ``i``, ``missing`` on nulls."""
        indices, _ = self.encoded(column)
        table: npt.NDArray[Any] = np.append(values, np.asarray(missing, dtype=values.dtype))
        result: npt.NDArray[Any] = take(table, indices)
        return result

    def categorical(self, column: str, default: str | None = None) -> Categorical:
        """A :class:`Categorical` of ``column`` (missing → ``default`` or code -1)."""
        codes, categories = self.codes(column)
        if default is not None:
            missing = codes < 0
            if missing.any():
                if default not in categories:
                    categories = tuple(sorted((*categories, default)))
                    shift = categories.index(default)
                    codes = np.where(codes >= shift, codes + 1, codes).astype(np.int32)
                codes[missing] = categories.index(default)
        return Categorical(codes.astype(np.int32, copy=False), categories)

    def floats(self, column: str, default: float = np.nan) -> tuple[FloatArray, BoolArray]:
        """``(values, malformed)`` of a numeric column (missing → ``default``).

        Durations given as timedeltas are read as seconds.
        """
        if not self.has(column):
            return np.full(self.n, default), np.zeros(self.n, dtype=bool)
        pa, pc = _pa()
        kind = self.kind(column)
        bad = np.zeros(self.n, dtype=bool)
        if pa.types.is_duration(kind):
            unit = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[kind.unit]
            values = self._float_values(column) / unit
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
            values = self._float_values(column)
        else:
            text = self.text(column)
            try:
                values = _numbers(pc.cast(text, pa.float64()))
            except (pa.ArrowInvalid, ValueError):
                raw, missing = self.strings(column)
                values = np.full(self.n, np.nan)
                for row in np.flatnonzero(~missing):  # only on malformed input
                    try:
                        values[row] = float(raw[row])
                    except ValueError:
                        bad[row] = True
        if not np.isnan(default):
            unknown = np.isnan(values) & ~bad
            if unknown.any():
                values[unknown] = default
        return values, bad

    def _float_values(self, column: str) -> FloatArray:
        chunks = self.chunks(column)
        if len(chunks) == 1:
            return float_values(chunks[0])
        pa, _ = _pa()
        return float_values(pa.chunked_array(chunks))

    def bools(self, column: str, default: bool) -> tuple[BoolArray, BoolArray]:
        """``(values, malformed)`` of a boolean column (also "true"/"false"/0/1 text)."""
        if not self.has(column):
            return np.full(self.n, default), np.zeros(self.n, dtype=bool)
        pa, _ = _pa()
        kind = self.kind(column)
        if pa.types.is_boolean(kind):
            out = np.empty(self.n, dtype=bool)
            start = 0
            for chunk in self.chunks(column):
                stop = start + len(chunk)
                out[start:stop] = bool_values(chunk)
                valid = valid_mask(chunk)
                if valid is not None:
                    out[start:stop][~valid] = default
                start = stop
            return out, np.zeros(self.n, dtype=bool)
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            numbers, bad = self.floats(column, default=float(default))
            return numbers != 0, bad | ~np.isin(numbers, [0.0, 1.0])
        _, dictionary = self.encoded(column)
        words = [None if w is None else w.lower() for w in dictionary.to_pylist()]
        truth = np.array([default if w is None else w in _TRUE for w in words], dtype=bool)
        known = np.array([w is None or w in _TRUE or w in _FALSE for w in words], dtype=bool)
        return self.lookup(column, truth, default), ~self.lookup(column, known, True)

    def instants(
        self, column: str, problems: Problems | None, ids: Any
    ) -> tuple[FloatArray, BoolArray]:
        """``(epoch seconds, bad)`` of an instant column; NaN where missing.

        Aware datetimes are converted to UTC; naive ones are localised with the
        table's ``timezone`` or reported as ``naive_datetime``; ISO 8601 strings are
        parsed (malformed ones reported as ``datetime_parsing``); numbers are read as
        UTC epoch seconds.
        """
        n = self.n
        if not self.has(column):
            return np.full(n, np.nan), np.zeros(n, dtype=bool)
        pa, pc = _pa()
        kind = self.kind(column)
        field = f"{self.name}.{column}" if self.name != "tickets" else column
        bad = np.zeros(n, dtype=bool)
        naive: BoolArray | None = None
        if pa.types.is_timestamp(kind):
            scale = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[kind.unit]
            # The integers of each chunk, divided straight into one float array.
            seconds = np.empty(n, dtype=np.float64)
            start = 0
            for chunk in self.chunks(column):
                stop = start + len(chunk)
                np.divide(fixed_values(chunk), scale, out=seconds[start:stop])
                valid = valid_mask(chunk)
                if valid is not None:
                    seconds[start:stop][~valid] = np.nan
                start = stop
            if kind.tz is None:
                naive = ~np.isnan(seconds)
        elif pa.types.is_date(kind):
            seconds = _numbers(pc.cast(pc.cast(self.arrow(column), pa.timestamp("s")), pa.int64()))
            naive = ~np.isnan(seconds)
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
            seconds = self._float_values(column)
        else:
            values = objects(self.text(column))
            seconds, naive, malformed = parse_iso(values)
            if malformed.any() and problems is not None:
                problems.add(
                    malformed,
                    ids=ids,
                    field=field,
                    code="datetime_parsing",
                    message="is not an ISO 8601 date-time (e.g. 2024-03-01T09:00:00+00:00)",
                    inputs=values,
                )
            bad |= malformed
        if naive is not None and naive.any():
            if self.timezone is not None:
                seconds = np.where(naive, localize(seconds, self.timezone), seconds)
            else:
                if problems is not None:
                    problems.add(
                        naive,
                        ids=ids,
                        field=field,
                        code="naive_datetime",
                        message=(
                            "datetime has no timezone; cxmetrics only accepts aware "
                            "instants. Pass timezone='Europe/Paris' (the zone it was "
                            "recorded in) to localise naive columns, or give offsets"
                        ),
                    )
                bad |= naive
        return seconds, bad


def categorical(text: npt.NDArray[np.str_], missing: BoolArray) -> Categorical:
    """Encode strings as a :class:`Categorical` (sorted categories, -1 = missing).

    Examples
    --------
    >>> c = categorical(np.array(["b", "", "a"]), np.array([False, True, False]))
    >>> c.categories, c.codes.tolist()
    (('a', 'b'), [1, -1, 0])
    """
    codes = np.full(text.size, -1, dtype=np.int32)
    present = ~missing
    if not present.any():
        return Categorical(codes, ())
    categories, inverse = np.unique(text[present], return_inverse=True)
    codes[present] = inverse.astype(np.int32)
    return Categorical(codes, tuple(str(c) for c in categories.tolist()))


def merge_categoricals(parts: Sequence[Categorical]) -> Categorical:
    """Concatenate categoricals, re-coding them onto the union of their categories.

    Examples
    --------
    >>> a = Categorical(np.array([0, -1], dtype=np.int32), ("x",))
    >>> b = Categorical(np.array([0, 1], dtype=np.int32), ("a", "x"))
    >>> merge_categoricals([a, b]).to_list()
    ['x', None, 'a', 'x']
    """
    categories = tuple(sorted(set().union(*(p.categories for p in parts))))
    index = {c: i for i, c in enumerate(categories)}
    codes = []
    for part in parts:
        lookup = np.array([index[c] for c in part.categories] + [-1], dtype=np.int32)
        codes.append(lookup[np.where(part.codes < 0, len(part.categories), part.codes)])
    merged = np.concatenate(codes) if codes else np.empty(0, dtype=np.int32)
    return Categorical(merged.astype(np.int32), categories)


def _dict_to_native(columns: Mapping[str, Sequence[Any]]) -> Any:
    # A dict of columns becomes whichever backend is installed, pyarrow first.
    for module in ("pyarrow", "polars", "pandas"):
        try:
            backend = __import__(module)
        except ImportError:
            continue
        if module == "pyarrow":
            return backend.table({k: list(v) for k, v in columns.items()})
        if module == "polars":
            return backend.DataFrame({k: list(v) for k, v in columns.items()}, strict=False)
        return backend.DataFrame(dict(columns))
    import_optional("pyarrow", extra="dataframes", feature="dict-of-columns input")
    raise AssertionError("unreachable")


def as_table(
    value: Any, name: str, columns: Mapping[str, str] | None, timezone: str | None
) -> Table | None:
    """Wrap ``value`` in a :class:`Table` (``None`` passes through)."""
    if value is None:
        return None
    if isinstance(value, Table):
        return value
    return Table(value, name, columns, timezone)
