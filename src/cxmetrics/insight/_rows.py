"""Reading the insight functions' row inputs into plain numpy columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.core.periods import period_label_codes
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.columns import as_table
from cxmetrics.tables.inputs import as_record_table
from cxmetrics.tables.native import is_dataframe
from cxmetrics.tables.problems import Problems
from cxmetrics.tables.schema import (
    INSTANT_COLUMNS,
    ConvertsToRecordTable,
    RecordTable,
    records_to_table,
)

__all__ = ["Columns", "group_codes", "row_columns", "survey_table"]

Columns = dict[str, npt.NDArray[Any]]


def _seconds(value: Any) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidParameterError(
                "instants must be timezone-aware datetimes; got a naive one "
                "(attach a timezone, e.g. value.replace(tzinfo=timezone.utc))"
            )
        return value.timestamp()
    return float(value)


def row_columns(
    rows: Any, *, name: str, fields: Sequence[str], required: Sequence[str] = ()
) -> Columns:
    """``fields`` of ``rows`` as numpy columns (instants as epoch seconds, NaN missing).

    ``rows`` is a DataFrame or mapping of columns (read with the column vocabulary
    of :mod:`cxmetrics.tables.columns`), or an iterable of mappings or objects.

    Examples
    --------
    >>> cols = row_columns([{"ticket_id": "T1", "channel": "chat"}, {"ticket_id": 2}],
    ...                    name="sends", fields=("ticket_id", "channel"))
    >>> cols["ticket_id"].tolist(), cols["channel"].tolist()
    (['T1', '2'], ['chat', None])
    """
    if isinstance(rows, (RecordTable, ConvertsToRecordTable)):  # a table already read: valid
        record_table = rows if isinstance(rows, RecordTable) else rows.to_table()
        n = len(record_table)
        missing = [f for f in required if record_table.get(f) is None]
        if missing:
            raise InvalidParameterError(f"the {name} table has no {missing[0]!r} column")
        return {
            field: record_table.get(field)
            if record_table.get(field) is not None
            else np.full(n, np.nan if field in INSTANT_COLUMNS else None,
                         dtype=np.float64 if field in INSTANT_COLUMNS else object)
            for field in fields
        }  # fmt: skip
    if is_dataframe(rows) or isinstance(rows, Mapping):
        table = as_table(rows, name, None, None)
        assert table is not None
        table.require(*required)
        problems = Problems([])
        out: Columns = {}
        for field in fields:
            if field in INSTANT_COLUMNS:
                out[field] = table.instants(field, problems, None)[0]
            elif table.has(field):
                out[field] = table.strings(field)[0]
            else:
                out[field] = np.full(table.n, None, dtype=object)
        problems.raise_if_any(name, table.n)
        return out
    items = list(rows)
    out = {}
    for field in fields:
        values = [
            item.get(field) if isinstance(item, Mapping) else getattr(item, field, None)
            for item in items
        ]
        if field in required and any(v is None for v in values):
            row = next(i for i, v in enumerate(values) if v is None)
            raise InvalidParameterError(f"{name} row {row}: the field {field!r} is required")
        if field in INSTANT_COLUMNS:
            out[field] = np.array([_seconds(v) for v in values], dtype=np.float64)
        else:
            column = np.empty(len(values), dtype=object)
            column[:] = [None if v is None else str(v) for v in values]
            out[field] = column
    return out


def survey_table(surveys: Any) -> RecordTable:
    """Survey answers (records, a survey table or DataFrame) as a survey ``RecordTable``.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> len(survey_table([SurveyResponse(kind="csat", score=4)]))
    1
    """
    table = as_record_table("surveys", surveys)
    if table is not None:
        return table
    return records_to_table("surveys", surveys)


def group_codes(
    columns: Mapping[str, npt.NDArray[Any]],
    *,
    by: Sequence[str],
    period: str | None,
    instants: npt.NDArray[np.float64] | None,
    timezone: str,
) -> tuple[npt.NDArray[np.int64], list[tuple[Any, ...]]]:
    """Each row's group code, and the groups as sorted tuples (``by`` values, then period).

    A missing value reads ``"(none)"``, a missing instant ``"(no date)"``. Codes
    index the sorted distinct tuples; each column is coded once with ``np.unique``
    and the codes combined, so no tuple is built per row.

    Examples
    --------
    >>> codes, names = group_codes({"channel": np.array(["b", None, "b"], dtype=object)},
    ...                            by=("channel",), period=None, instants=None, timezone="UTC")
    >>> codes.tolist(), names
    ([1, 0, 1], [('(none)',), ('b',)])
    """
    n = len(next(iter(columns.values()))) if columns else 0
    parts: list[npt.NDArray[Any]] = []
    for name in by:
        if name not in columns:
            raise InvalidParameterError(
                f"cannot group by {name!r}: the rows have no such field "
                f"(fields: {', '.join(sorted(columns))})"
            )
        labels = np.empty(n, dtype=object)
        labels[:] = ["(none)" if v is None else str(v) for v in columns[name].tolist()]
        parts.append(labels)
    if period is not None:
        assert instants is not None
        labels = np.full(n, "(no date)", dtype=object)
        known = ~np.isnan(instants)
        if known.any():
            names_known, of_known = period_label_codes(instants[known], period, timezone)
            labels[known] = names_known[of_known]
        parts.append(labels)
    if not n:
        return np.empty(0, dtype=np.int64), []
    combined = np.zeros(n, dtype=np.int64)
    for labels in parts:
        values, codes = np.unique(labels, return_inverse=True)
        # Ranks keep each column's order, so the combined code sorts as the tuples do;
        # renumbering after each column keeps it small.
        _, combined = np.unique(combined * values.size + codes.ravel(), return_inverse=True)
        combined = combined.ravel().astype(np.int64, copy=False)
    _, first = np.unique(combined, return_index=True)
    names = [tuple(labels[row] for labels in parts) for row in first.tolist()]
    return combined, names
