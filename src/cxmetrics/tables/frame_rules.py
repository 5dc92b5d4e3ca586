"""The rules every DataFrame conversion shares: modes, literal columns, messages.

The conversions of :mod:`cxmetrics.tables.ticket_frames` and
:mod:`cxmetrics.tables.record_frames` check every rule of the record models on
whole columns, with the same error codes; what they have in common is here: the
``errors`` mode, a literal column coded into its allowed values
(``literal_error``), the values of the rows a problem names, looked up only
then, and instants written as in the models' messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.columns import Table
from cxmetrics.tables.problems import Problems

Errors = Literal["raise", "collect"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

# The handling times of a call, in seconds.
_DURATIONS = ("wait", "talk", "hold", "wrap")


class _Rows:
    """Values of rows computed on demand: only the rows a problem names are looked up."""

    def __init__(self, get: Callable[[int], Any]) -> None:
        self.get = get

    def __getitem__(self, row: Any) -> Any:
        return self.get(int(row))


def _literal(
    table: Table,
    column: str,
    allowed: tuple[str, ...],
    problems: Problems,
    ids: Any,
    default: str | None,
    field: str,
) -> tuple[npt.NDArray[np.int8], BoolArray]:
    """Codes into ``allowed`` (-1 = missing and no default, or invalid), and the rows given."""
    if not table.has(column):
        fill = -1 if default is None else allowed.index(default)
        return np.full(table.n, fill, dtype=np.int8), np.zeros(table.n, dtype=bool)
    indices, dictionary = table.encoded(column)
    words = [None if w is None else w.lower() for w in dictionary.to_pylist()]
    # One code per distinct value: its place in allowed, -2 when not allowed, -1 missing.
    codes = [-1 if w is None else allowed.index(w) if w in allowed else -2 for w in words]
    result = table.lookup(column, np.array(codes, dtype=np.int8), -1)
    given = result != -1
    bad = result == -2
    if bad.any():
        expected = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
        problems.add(
            bad, ids=ids, field=field, code="literal_error", message=f"Input should be {expected}",
            inputs=_Rows(lambda r: words[indices[r]]),
        )  # fmt: skip
        result[bad] = -1
    if default is not None:
        result[~given] = allowed.index(default)
    return result, given


def _check_mode(errors: str) -> None:
    if errors not in ("raise", "collect"):
        raise InvalidParameterError(
            f"The 'errors' parameter must be 'raise' or 'collect'. Got {errors!r} instead."
        )


def _arrow() -> tuple[Any, Any]:
    from cxmetrics.tables.arrow import load_pyarrow

    return load_pyarrow()


def _iso(seconds: Any) -> str:
    value = float(seconds)
    if np.isnan(value):
        return "none"
    return str(np.datetime64(round(value * 1e6), "us")) + "+00:00"
