"""DataFrame detection: which values are tables, and a dict of columns made one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cxmetrics._optional import import_optional

__all__ = ["dict_to_native", "is_arrow_table", "is_dataframe"]


def is_arrow_table(value: Any) -> bool:
    """Whether ``value`` is a pyarrow table."""
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


def dict_to_native(columns: Mapping[str, Sequence[Any]]) -> Any:
    """A dict of columns as whichever backend is installed, pyarrow first."""
    for module in ("pyarrow", "polars", "pandas"):
        try:
            backend = __import__(module)
        except ImportError:
            continue
        if module == "pyarrow":
            return backend.table({k: _arrow_column(backend, v) for k, v in columns.items()})
        if module == "polars":
            return backend.DataFrame({k: list(v) for k, v in columns.items()}, strict=False)
        return backend.DataFrame(dict(columns))
    import_optional("pyarrow", extra="dataframes", feature="dict-of-columns input")
    raise AssertionError("unreachable")


def _arrow_column(pa: Any, values: Sequence[Any]) -> Any:
    """One column as pyarrow; a column mixing types (``[60, "sixty"]``) is read as text.

    As text, every cell reaches the column readers, which report the unreadable ones
    by column and row instead of the whole column failing with an Arrow error.
    """
    if (
        type(values) is np.ndarray
        and values.ndim == 1
        and values.size
        and values.dtype.kind in "biuf"
    ):
        # A numeric numpy column: its buffer as is, no Python object per cell (the
        # type and values a list of its numpy scalars gets; NaN stays NaN, not null).
        return pa.array(values)
    cells = list(values)
    try:
        return pa.array(cells)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return pa.array([None if v is None or v != v else str(v) for v in cells], pa.string())
