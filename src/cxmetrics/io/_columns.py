"""Column access on any DataFrame (through narwhals): ids, strings, instants, numbers.

Every helper returns whole numpy arrays plus a boolean mask of the rows that are
missing or malformed, so the validation built on them is vectorised: a problem is
a mask, and only the rows it flags are ever turned into Python error dicts.
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
from cxmetrics.batch import Categorical
from cxmetrics.exceptions import InvalidParameterError, RecordValidationError

__all__ = ["Problems", "Table", "as_table", "localize", "parse_iso"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

_MAX_LISTED = 20
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")


def _nw() -> Any:
    return import_optional("narwhals", extra="dataframes", feature="DataFrame input")


def _pa() -> tuple[Any, Any]:
    pa = import_optional("pyarrow", extra="dataframes", feature="DataFrame input")
    pc = import_optional("pyarrow.compute", extra="dataframes", feature="DataFrame input")
    return pa, pc


def _numbers(array: Any) -> FloatArray:
    """A numeric pyarrow array as float64 numpy, NaN where null."""
    pa, _ = _pa()
    values = np.asarray(array.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    return values


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

    The UTC offset is looked up once per distinct local half hour (offsets change
    on such boundaries), so a million instants cost a few thousand lookups. A wall
    time repeated by a DST fold takes its first occurrence; a time skipped by a DST
    gap is read with the offset before the gap (Python's ``fold=0``).

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
    blocks = np.floor(local_seconds[known] / 1800.0)
    unique, inverse = np.unique(blocks, return_inverse=True)
    epoch = datetime(1970, 1, 1)  # noqa: DTZ001 - a naive wall clock on purpose
    offsets = np.array(
        [
            (epoch + timedelta(seconds=float(b) * 1800.0))
            .replace(tzinfo=zone)
            .utcoffset()
            .total_seconds()  # type: ignore[union-attr]
            for b in unique
        ]
    )
    out[known] = local_seconds[known] - offsets[inverse]
    return out


def parse_iso(values: npt.NDArray[Any]) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Parse ISO 8601 strings into seconds: ``(seconds, naive, malformed)``.

    Offsets ``Z``, ``+HH:MM`` and ``+HHMM`` are applied; strings without one are
    returned as naive wall-clock seconds with ``naive`` set. Empty strings and
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

    zulu = present & (char_at(length - 1) == ord("Z"))
    colon = ~zulu & (length > 16) & np.isin(char_at(length - 6), [43, 45])
    colon &= char_at(length - 3) == ord(":")
    compact = ~zulu & ~colon & (length > 16) & np.isin(char_at(length - 5), [43, 45])
    offset = np.zeros(n)
    sign_at = np.where(colon, length - 6, length - 5)
    sign = np.where(char_at(sign_at) == ord("-"), -1.0, 1.0)
    hours = digits(sign_at + 1)
    minutes = np.where(colon, digits(length - 2), digits(length - 2))
    has_offset = colon | compact
    offset = np.where(has_offset, sign * (hours * 3600 + minutes * 60), 0.0)
    body_length = np.where(
        zulu, length - 1, np.where(colon, length - 6, np.where(compact, length - 5, length))
    )
    # Blank out the offset so numpy parses the wall-clock part alone.
    chars[np.arange(width)[None, :] >= body_length[:, None]] = 0
    body = chars.view(f"<U{width}").ravel()
    parsed = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    try:
        parsed[present] = body[present].astype("datetime64[us]")
    except ValueError:
        for row in np.flatnonzero(present):  # only on malformed input: find the culprits
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
        ids: npt.NDArray[Any],
        field: str,
        code: str,
        message: str | Any,
        inputs: npt.NDArray[Any] | None = None,
        positions: npt.NDArray[np.int64] | None = None,
    ) -> None:
        """Record one problem per row where ``mask`` is true.

        ``message`` is a string, or a callable of the row that returns one.
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
        nw = _nw()
        if isinstance(native, Mapping):
            native = _dict_to_native(native)
        try:
            self.frame = nw.from_native(native, eager_only=True)
        except TypeError as exc:
            raise InvalidParameterError(
                f"the {name} table must be a pandas, polars or pyarrow table (or a dict of "
                f"columns); got {type(native).__name__}"
            ) from exc
        self.name = name
        self.mapping = dict(columns or {})
        self.timezone = timezone
        self.available = set(self.frame.columns)
        self.n = int(self.frame.shape[0])

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
            array = self.series(column).to_arrow()
            cache[column] = array.combine_chunks() if hasattr(array, "combine_chunks") else array
        return cache[column]

    def text(self, column: str) -> Any:
        """The column as a pyarrow string array, whitespace-stripped; '' is null."""
        return self._clean(self.arrow(column))

    def _clean(self, array: Any) -> Any:
        pa, pc = _pa()
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        kind = array.type
        if pa.types.is_floating(kind):
            values = np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)
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
        array = pc.utf8_trim_whitespace(array)
        return pc.if_else(pc.equal(array, ""), pa.scalar(None, array.type), array)

    def strings(self, column: str) -> tuple[npt.NDArray[np.object_], BoolArray]:
        """``(values, missing)``: stripped strings as objects (None where missing)."""
        if not self.has(column):
            return np.full(self.n, None, dtype=object), np.ones(self.n, dtype=bool)
        array = self.text(column)
        values = np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)
        missing = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        return values, missing

    def codes(
        self, column: str, lower: bool = False
    ) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
        """Dictionary codes of a text column: ``(codes, categories)``, -1 = missing.

        Categories are sorted; the work on strings happens once per distinct value.
        """
        if not self.has(column):
            return np.full(self.n, -1, dtype=np.int64), ()
        indices, dictionary = self.encoded(column)
        words = dictionary.to_pylist()
        if lower:
            words = [None if w is None else w.lower() for w in words]
        present = sorted({w for w in words if w is not None})
        rank = {w: i for i, w in enumerate(present)}
        remap = np.array([-1 if w is None else rank[w] for w in words] + [-1], dtype=np.int64)
        codes = remap[np.where(indices >= 0, indices, len(words))]
        return codes, tuple(present)

    def encoded(self, column: str) -> tuple[npt.NDArray[np.int64], Any]:
        """``(indices, dictionary)`` of a text column: -1 for nulls; strings cleaned once.

        A dictionary-typed column (Parquet, pandas categories) is used as it is, so
        string work happens once per distinct value, never per row.
        """
        pa, pc = _pa()
        array = self.arrow(column)
        if not pa.types.is_dictionary(array.type):
            array = pc.dictionary_encode(self._clean(array))
            dictionary = array.dictionary
        else:
            dictionary = self._clean(array.dictionary)
        indices = np.asarray(
            array.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64
        )
        return indices, dictionary

    def categorical(self, column: str, default: str | None = None) -> Categorical:
        """A :class:`Categorical` of ``column`` (missing → ``default`` or code -1)."""
        codes, categories = self.codes(column)
        if default is not None and (codes < 0).any():
            if default not in categories:
                categories = tuple(sorted((*categories, default)))
                old = self.codes(column)[1]
                lookup = np.array([categories.index(c) for c in old], dtype=np.int64)
                codes = np.where(codes >= 0, lookup[np.maximum(codes, 0)] if old else -1, -1)
            codes = np.where(codes < 0, categories.index(default), codes)
        return Categorical(codes.astype(np.int32), categories)

    def floats(self, column: str, default: float = np.nan) -> tuple[FloatArray, BoolArray]:
        """``(values, malformed)`` of a numeric column (missing → ``default``).

        Durations given as timedeltas are read as seconds.
        """
        if not self.has(column):
            return np.full(self.n, default), np.zeros(self.n, dtype=bool)
        pa, pc = _pa()
        array = self.arrow(column)
        kind = array.type
        bad = np.zeros(self.n, dtype=bool)
        if pa.types.is_duration(kind):
            unit = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[kind.unit]
            values = _numbers(pc.cast(array, pa.int64())) / unit
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
            values = _numbers(pc.cast(array, pa.float64()))
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
        values = np.where(np.isnan(values) & ~bad, default, values)
        return values, bad

    def bools(self, column: str, default: bool) -> tuple[BoolArray, BoolArray]:
        """``(values, malformed)`` of a boolean column (also "true"/"false"/0/1 text)."""
        if not self.has(column):
            return np.full(self.n, default), np.zeros(self.n, dtype=bool)
        pa, _ = _pa()
        array = self.arrow(column)
        if pa.types.is_boolean(array.type):
            values = np.asarray(array.fill_null(default).to_numpy(zero_copy_only=False), dtype=bool)
            return values, np.zeros(self.n, dtype=bool)
        if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
            numbers, bad = self.floats(column, default=float(default))
            return numbers != 0, bad | ~np.isin(numbers, [0.0, 1.0])
        codes, categories = self.codes(column, lower=True)
        truth = np.array([c in _TRUE for c in categories] + [default], dtype=bool)
        known = np.array([c in _TRUE or c in _FALSE for c in categories] + [True], dtype=bool)
        index = np.where(codes < 0, len(categories), codes)
        return truth[index], ~known[index]

    def instants(
        self, column: str, problems: Problems | None, ids: npt.NDArray[Any]
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
        array = self.arrow(column)
        kind = array.type
        field = f"{self.name}.{column}" if self.name != "tickets" else column
        bad = np.zeros(n, dtype=bool)
        if pa.types.is_timestamp(kind):
            scale = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[kind.unit]
            seconds = _numbers(pc.cast(array, pa.int64())) / scale
            naive = ~np.isnan(seconds) if kind.tz is None else np.zeros(n, dtype=bool)
        elif pa.types.is_date(kind):
            seconds = _numbers(pc.cast(pc.cast(array, pa.timestamp("s")), pa.int64()))
            naive = ~np.isnan(seconds)
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
            seconds = _numbers(pc.cast(array, pa.float64()))
            naive = np.zeros(n, dtype=bool)
        else:
            values = np.asarray(self.text(column).to_numpy(zero_copy_only=False), dtype=object)
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
        if naive.any():
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
