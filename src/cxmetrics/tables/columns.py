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
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.arrow import (
    BoolArray,
    FloatArray,
    bool_values,
    dictionary_indices,
    fixed_values,
    float_values,
    is_clean_text,
    load_pyarrow,
    objects,
    string_offsets,
    take,
    valid_mask,
    with_nulls,
)
from cxmetrics.tables.native import dict_to_native, is_arrow_table
from cxmetrics.tables.problems import Problems
from cxmetrics.tables.ticket_batch import Categorical
from cxmetrics.tables.timestamps import localize, parse_iso

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "Table", "as_table", "epoch_numbers"]

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
# Above this many distinct values, categories are deduplicated and sorted in arrow.
_SORT_IN_ARROW = 512


def _nw() -> Any:
    return import_optional("narwhals", extra="dataframes", feature="DataFrame input")


def _numbers(array: Any) -> FloatArray:
    """A numeric pyarrow array as float64 numpy, NaN where null."""
    pa, pc = load_pyarrow()
    return float_values(pc.cast(array, pa.float64()))


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
            native = dict_to_native(native)
        self.name = name
        self.mapping = dict(columns or {})
        self.timezone = timezone
        self._frame: Any = None
        self._loaded: Any = None
        self._pending: Any = None
        if is_arrow_table(native):
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
                array = self._series_arrow(column)
                if hasattr(array, "combine_chunks"):
                    array = array.combine_chunks()
            cache[column] = array
        return cache[column]

    def _series_arrow(self, column: str) -> Any:
        """The column as pyarrow; a column mixing types (3.0 and '3') is read as text."""
        pa, _ = load_pyarrow()
        series = self.series(column)
        try:
            if not _mixed_objects(series.to_native()):
                return series.to_arrow()
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            pass
        values = series.to_list()
        return pa.array([None if v is None or v != v else str(v) for v in values], type=pa.string())

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
        pa, pc = load_pyarrow()
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
        if is_clean_text(array):
            return array
        array = pc.utf8_trim_whitespace(array)
        offsets = string_offsets(array)
        return with_nulls(array, offsets[1:] == offsets[:-1])

    def strings(self, column: str) -> tuple[npt.NDArray[np.object_], BoolArray]:
        """``(values, missing)``: stripped strings as objects (None where missing)."""
        if not self.has(column):
            return np.full(self.n, None, dtype=object), np.ones(self.n, dtype=bool)
        pa, _ = load_pyarrow()
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
        _, pc = load_pyarrow()
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
        pa, pc = load_pyarrow()
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

    def field(self, column: str) -> str:
        """The dotted field name problems give for ``column`` (tickets' are bare)."""
        return f"{self.name}.{column}" if self.name != "tickets" else column

    def floats(
        self,
        column: str,
        default: float = np.nan,
        *,
        problems: Problems | None = None,
        ids: Any = None,
    ) -> tuple[FloatArray, BoolArray]:
        """``(values, malformed)`` of a numeric column (missing → ``default``).

        Durations given as timedeltas are read as seconds. Text that is not a
        number (``float_parsing``), infinities (``finite_number``) and booleans
        (``float_type``) are malformed; with ``problems`` each such cell is
        recorded there, naming the column and the row.
        """
        if not self.has(column):
            return np.full(self.n, default), np.zeros(self.n, dtype=bool)
        pa, pc = load_pyarrow()
        kind = self.kind(column)
        bad = np.zeros(self.n, dtype=bool)
        if pa.types.is_duration(kind):
            unit = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[kind.unit]
            values = self._float_values(column) / unit
        elif pa.types.is_boolean(kind):
            values = self._float_values(column)
            wrong_type = ~np.isnan(values)
            self._report(problems, wrong_type, ids, column, "float_type",
                         "Input should be a valid number, not a boolean")  # fmt: skip
            bad |= wrong_type
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
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
                self._report(problems, bad, ids, column, "float_parsing",
                             "Input should be a valid number, unable to parse string as a number")  # fmt: skip
        infinite = np.isinf(values)
        if infinite.any():
            self._report(problems, infinite, ids, column, "finite_number",
                         "Input should be a finite number")  # fmt: skip
            bad |= infinite
        if not np.isnan(default):
            unknown = np.isnan(values) & ~bad
            if unknown.any():
                values[unknown] = default
        return values, bad

    def _report(
        self,
        problems: Problems | None,
        mask: BoolArray,
        ids: Any,
        column: str,
        code: str,
        message: str,
    ) -> None:
        """Record one problem per malformed cell, with the text the cell held."""
        if problems is None or not mask.any():
            return
        raw = self.__dict__.setdefault("_raw", {})

        def cell(row: int) -> Any:
            if column not in raw:
                raw[column] = self.arrow(column).to_pylist()
            return raw[column][row]

        problems.add(
            mask,
            ids=ids if ids is not None else np.full(self.n, None, dtype=object),
            field=self.field(column),
            code=code,
            message=message,
            inputs=_Cells(cell),
        )

    def _float_values(self, column: str) -> FloatArray:
        chunks = self.chunks(column)
        if len(chunks) == 1:
            return float_values(chunks[0])
        pa, _ = load_pyarrow()
        return float_values(pa.chunked_array(chunks))

    def bools(
        self,
        column: str,
        default: bool,
        *,
        problems: Problems | None = None,
        ids: Any = None,
    ) -> tuple[BoolArray, BoolArray]:
        """``(values, malformed)`` of a boolean column (also "true"/"false"/0/1 text).

        With ``problems``, each cell that is not a boolean (``bool_parsing``) is
        recorded there, naming the column and the row.
        """
        values, bad = self._bools(column, default)
        self._report(problems, bad, ids, column, "bool_parsing",
                     "Input should be a valid boolean (true/false, yes/no, 1/0)")  # fmt: skip
        return values, bad

    def _bools(self, column: str, default: bool) -> tuple[BoolArray, BoolArray]:
        if not self.has(column):
            return np.full(self.n, default), np.zeros(self.n, dtype=bool)
        pa, _ = load_pyarrow()
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
        truth = np.array([default if w is None else w in TRUE_WORDS for w in words], dtype=bool)
        known = np.array(
            [w is None or w in TRUE_WORDS or w in FALSE_WORDS for w in words], dtype=bool
        )
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
        pa, pc = load_pyarrow()
        kind = self.kind(column)
        field = self.field(column)
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
            numbers = self._float_values(column)
            seconds = epoch_numbers(numbers)
            implausible = np.isnan(seconds) & ~np.isnan(numbers)
            if implausible.any() and problems is not None:
                problems.add(
                    implausible, ids=ids, field=field, code="datetime_parsing",
                    message="is not a plausible instant: numbers are UTC epoch seconds, or "
                    "milliseconds above 2e10 (as the record models read them), within years "
                    "1-9999", inputs=numbers,
                )  # fmt: skip
            bad |= implausible
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


# Epoch numbers above this magnitude are milliseconds, as pydantic reads them.
_MILLISECONDS_ABOVE = 2e10
# The instants a datetime can hold: 0001-01-01 to 9999-12-31T23:59:59 UTC.
_EARLIEST, _LATEST = -62135596800.0, 253402300799.0


def epoch_numbers(values: FloatArray) -> FloatArray:
    """Epoch numbers as UTC seconds, read as the record models read them.

    Magnitudes above 2e10 are milliseconds (pydantic's rule, so a DataFrame and a
    ``Ticket`` read the same number as the same instant); infinities and instants
    outside years 1-9999 become NaN (the caller reports them).

    Examples
    --------
    >>> epoch_numbers(np.array([1709283600.0, 1709283600000.0, np.inf, 1e20])).tolist()
    [1709283600.0, 1709283600.0, nan, nan]
    """
    if values.size:
        low, high = np.nanmin(values, initial=np.inf), np.nanmax(values, initial=-np.inf)
        if low >= -_MILLISECONDS_ABOVE and high <= _MILLISECONDS_ABOVE:
            return values  # the common case, seconds in range: no copy
    with np.errstate(invalid="ignore"):
        seconds = np.where(np.abs(values) > _MILLISECONDS_ABOVE, values / 1e3, values)
        outside = (seconds < _EARLIEST) | (seconds > _LATEST)
    return np.where(outside, np.nan, seconds)


def _mixed_objects(native: Any) -> bool:
    """Whether a pandas object column mixes kinds (``[30.0, True]``, ``[5, "five"]``).

    Arrow would read such a column as numbers (``True`` as 1.0) or fail; as text,
    each cell is read on its own and the bad ones are reported.
    """
    if type(native).__module__.split(".")[0] != "pandas" or native.dtype.kind != "O":
        return False
    import pandas as pd  # present: the column is a pandas one

    if pd.api.types.infer_dtype(native, skipna=True) not in ("mixed", "mixed-integer"):
        return False
    # Lists of tags (or other nested values) are read by arrow as lists: not a mix.
    nested = (list, tuple, dict, set, np.ndarray)
    return not any(isinstance(value, nested) for value in native.tolist())


class _Cells:
    """The cells of a column, looked up only for the rows a problem names."""

    def __init__(self, get: Any) -> None:
        self.get = get

    def __getitem__(self, row: Any) -> Any:
        return self.get(int(row))


def as_table(
    value: Any, name: str, columns: Mapping[str, str] | None, timezone: str | None
) -> Table | None:
    """Wrap ``value`` in a :class:`Table` (``None`` passes through)."""
    if value is None:
        return None
    if isinstance(value, Table):
        return value
    return Table(value, name, columns, timezone)
