"""Column steps shared by the generic log loaders: reading, grouping, finishing.

Whole columns are read and validated (times, mapped values), rows are grouped by
case or conversation and ordered by time, and the result is built once the bad
rows are known (every problem kept, or raised).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.core.arrays import distinct
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io._source import Source, _pa
from cxmetrics.tables.problems import Problems
from cxmetrics.tables.schema import Collected
from cxmetrics.tables.timestamps import localize

__all__ = [
    "BoolArray",
    "FloatArray",
    "Groups",
    "IntArray",
    "arrow_table",
    "finish",
    "group_codes",
    "group_rows",
    "mapped_codes",
    "objects_of",
    "read_times",
    "text_column",
    "whole_groups",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def text_column(source: Source, column: str) -> Any:
    """A column as stripped pyarrow strings, '' as null."""
    return source.view(None).text(column)


def objects_of(array: Any) -> npt.NDArray[np.object_]:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)


def read_times(
    source: Source,
    column: str,
    fmt: str | None,
    timezone: str | None,
    problems: Problems,
    ids: npt.NDArray[Any],
) -> tuple[FloatArray, BoolArray]:
    """Epoch seconds of a time column and the rows that are malformed or naive."""
    if fmt is None:
        view = source.view(timezone)
        view.name = source.name
        seconds, bad = view.instants(column, problems, ids)
        missing = np.isnan(seconds) & ~bad
        problems.add(missing, ids=ids, field=column, code="missing", message="Field required")
        return seconds, bad | missing
    pa, pc = _pa()
    text = text_column(source, column)
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    seconds = np.asarray(
        pc.cast(pc.cast(parsed, pa.int64()), pa.float64()).to_numpy(zero_copy_only=False),
        dtype=np.float64,
    )
    given = np.asarray(text.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    malformed = given & np.isnan(seconds)
    raw = objects_of(text)
    problems.add(
        malformed, ids=ids, field=column, code="datetime_parsing", inputs=raw,
        message=f"does not match the format {fmt!r}",
    )  # fmt: skip
    missing = ~given
    problems.add(missing, ids=ids, field=column, code="missing", message="Field required")
    bad = malformed | missing
    if "%z" not in fmt:
        if timezone is None:
            naive = ~bad
            problems.add(
                naive, ids=ids, field=column, code="naive_datetime",
                message="timestamp has no UTC offset; pass timezone='Area/City' to say which "
                "zone it is in", inputs=raw,
            )  # fmt: skip
            bad |= naive
        else:
            seconds = localize(seconds, timezone)
    return seconds, bad


def mapped_codes(
    source: Source,
    column: str,
    mapping: Mapping[str, str | None] | None,
    allowed: tuple[str, ...],
    what: str,
    problems: Problems,
    ids: npt.NDArray[Any],
) -> tuple[npt.NDArray[np.int64], BoolArray]:
    """Codes into ``allowed`` after ``mapping`` (-1 = mapped to None / missing), and bad rows.

    Without a mapping, values must be ``allowed`` names (any case). Values are
    looked up once per distinct value.
    """
    _, pc = _pa()
    encoded = pc.dictionary_encode(text_column(source, column))
    indices = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False))
    words = [str(w) for w in encoded.dictionary.to_pylist()]
    lookup = np.full(len(words) + 1, -1, dtype=np.int64)
    unknown = np.zeros(len(words) + 1, dtype=bool)
    for i, word in enumerate(words):
        if mapping is not None:
            if word in mapping:
                target = mapping[word]
            elif word.lower() in allowed and not any(k.lower() == word.lower() for k in mapping):
                target = word.lower()
            else:
                unknown[i] = True
                continue
        else:
            target = word.lower()
        if target is None:
            continue
        if target not in allowed:
            if mapping is not None and word in mapping:
                raise InvalidParameterError(
                    f"the {what} map sends {word!r} to {target!r}, which is not one of "
                    f"{', '.join(allowed)} (or None to ignore it)"
                )
            unknown[i] = True
            continue
        lookup[i] = allowed.index(target)
    position = np.where(indices < 0, len(words), indices)
    bad = unknown[position]
    names = np.array([*words, None], dtype=object)
    problems.add(
        bad, ids=ids, field=column, code=f"unknown_{what}", inputs=names[position],
        message=lambda r: f"{what} {names[position[r]]!r} is not mapped; add it to the {what} "
        f"map (one of {', '.join(allowed)}, or None to ignore it)",
    )  # fmt: skip
    return lookup[position], bad


def finish(
    problems: Problems,
    bad_row: BoolArray,
    source: Source,
    build: Any,
    errors: str,
    what: str,
) -> Any:
    problems.items[:0] = source.malformed
    for problem in problems.items:
        problem.setdefault("table", source.name)
    if errors == "raise":
        problems.raise_if_any(what, source.n + len(source.malformed))
        return build(np.ones(source.n, dtype=bool))
    result = build(~bad_row)
    if isinstance(result, Collected):
        return Collected(result.data, (*problems.items, *result.errors))
    return Collected(result, tuple(problems.items))


def group_codes(ids: Any) -> tuple[IntArray, npt.NDArray[np.object_]]:
    """Dense codes of a text column (-1 = missing) and the distinct values."""
    _, pc = _pa()
    encoded = pc.dictionary_encode(ids)
    codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
    return codes, objects_of(encoded.dictionary)


def _first_last(codes: IntArray, order: IntArray, n_cases: int) -> tuple[IntArray, IntArray]:
    """Row of the first and of the last event of each case, given rows sorted by case."""
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, np.arange(n_cases), side="left")
    ends = np.searchsorted(sorted_codes, np.arange(n_cases), side="right") - 1
    return order[starts], order[ends]


def arrow_table(columns: Mapping[str, Any]) -> Any:
    pa, _ = _pa()
    arrays = {}
    for name, values in columns.items():
        if values.dtype == object:
            arrays[name] = pa.array(values.tolist(), type=pa.string())
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


@dataclass(frozen=True)
class Groups:
    """Rows of cases (or conversations) ordered by group, then time, then file order."""

    order: IntArray  # the rows, in that order
    used: IntArray  # the codes of the groups present, ascending
    of: IntArray  # each ordered row's group, numbered 0 .. used.size - 1
    first: IntArray  # position in ``order`` of each group's first row
    last: IntArray  # and of its last row


def group_rows(rows: IntArray, at: FloatArray, code: IntArray, n_codes: int) -> Groups:
    """``rows`` grouped by ``code`` (of ``n_codes`` values), by time within a group."""
    order = rows[np.lexsort((rows, at[rows], code[rows]))]
    used = distinct(code[order])
    renumber = np.full(n_codes, -1, dtype=np.int64)
    renumber[used] = np.arange(used.size)
    group_of = renumber[code[order]]
    first, last = _first_last(group_of, np.arange(order.size), used.size)
    return Groups(order, used, group_of, first, last)


def whole_groups(bad_row: BoolArray, code: IntArray, n_codes: int) -> BoolArray:
    """Bad rows spread to their whole group; rows without a group are bad too."""
    bad_group = np.zeros(n_codes, dtype=bool)
    bad_group[code[bad_row & (code >= 0)]] = True
    spread: BoolArray = bad_row | (code < 0) | bad_group[np.maximum(code, 0)]
    return spread
