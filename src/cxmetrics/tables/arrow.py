"""pyarrow to numpy through buffers: validity masks, value views, offsets, takes.

Array.to_numpy, pa.scalar and pa.array consult pyarrow's pandas shim, which imports
pandas (about 0.4 s) on first use. Reading the buffers directly keeps a pyarrow-only
load free of pandas, and is a view rather than a copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.exceptions import InvalidParameterError

__all__ = [
    "BoolArray",
    "FloatArray",
    "bool_values",
    "dictionary_indices",
    "fixed_values",
    "float_values",
    "is_clean_text",
    "load_pyarrow",
    "objects",
    "string_offsets",
    "take",
    "valid_mask",
    "values_view",
    "with_nulls",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def load_pyarrow() -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.compute)``, or an error naming the ``dataframes`` extra."""
    pa = import_optional("pyarrow", extra="dataframes", feature="DataFrame input")
    pc = import_optional("pyarrow.compute", extra="dataframes", feature="DataFrame input")
    return pa, pc


_INTS = {8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}
_UINTS = {8: np.uint8, 16: np.uint16, 32: np.uint32, 64: np.uint64}
_FLOATS = {16: np.float16, 32: np.float32, 64: np.float64}


def _fixed_dtype(kind: Any) -> Any:
    """The numpy dtype of a fixed-width pyarrow type's values, or None."""
    pa, _ = load_pyarrow()
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
    pa, _ = load_pyarrow()
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
    pa, pc = load_pyarrow()
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
    pa, _ = load_pyarrow()
    dtype = np.int64 if pa.types.is_large_string(array.type) else np.int32
    width = np.dtype(dtype).itemsize
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array) + 1, offset=array.offset * width
    )


def is_clean_text(array: Any) -> bool:
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


def with_nulls(array: Any, missing: BoolArray) -> Any:
    """A string array with the ``missing`` rows made null (buffers shared)."""
    pa, _ = load_pyarrow()
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
