"""Where DataFrames enter the metrics: one converter per kind of input.

The metric helpers that normalise their input (``as_ticket_batch``,
``survey_scores``, ``call_columns``, ``customer_columns``) call these first; each
returns ``None`` when the input is not a table, so records keep their own path.
Tables are converted once, with the vectorised validation of
:mod:`cxmetrics.io.frames`; no row ever becomes a pydantic object.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.io._columns import is_dataframe
from cxmetrics.io.frames import (
    RecordTable,
    to_call_table,
    to_customer_table,
    to_survey_table,
    to_ticket_batch,
)

__all__ = ["as_record_table", "calls_input", "customers_input", "survey_input", "tickets_input"]


def tickets_input(value: Any) -> Any:
    """A DataFrame of tickets as a ``TicketBatch`` (``None`` for other input).

    Examples
    --------
    >>> tickets_input([]) is None
    True
    """
    if is_dataframe(value):
        return to_ticket_batch(value)
    return None


def _generated_table(value: Any) -> Any:
    """The record table of a :func:`cxmetrics.datasets.generate` table, else ``value``."""
    from cxmetrics.datasets.synthetic import CallTable, CustomerTable, SurveyTable

    if isinstance(value, (SurveyTable, CallTable, CustomerTable)):
        return value.to_table()
    return value


def as_record_table(kind: str, value: Any) -> RecordTable | None:
    """``value`` as a record table of ``kind``; ``None`` when it is not a table.

    Takes a :class:`RecordTable`, a DataFrame (validated on its columns) or a
    table of :func:`cxmetrics.datasets.generate` (already valid).

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> len(as_record_table("calls", generate(100, seed=1).calls)) > 0
    True
    >>> as_record_table("calls", []) is None
    True
    """
    value = _generated_table(value)
    if isinstance(value, RecordTable):
        if value.kind != kind:
            raise TypeError(f"expected a table of {kind}, got a table of {value.kind}")
        return value
    if is_dataframe(value):
        convert = {
            "surveys": to_survey_table,
            "calls": to_call_table,
            "customers": to_customer_table,
        }[kind]
        table: RecordTable = convert(value)
        return table
    return None


def survey_input(
    value: Any, *, kind: str, scale: int, owner: str
) -> npt.NDArray[np.float64] | None:
    """The scores of the ``kind`` answers of a survey table (``None`` for other input).

    A table may hold several kinds of survey; only the rows of ``kind`` are read.
    Their scale must be ``scale``, as for :class:`~cxmetrics.SurveyResponse`
    objects, so that answers on different scales are never mixed silently.

    Raises
    ------
    ValueError
        When rows of ``kind`` are on another scale (naming how many and where).

    Examples
    --------
    >>> import pyarrow as pa
    >>> survey_input(pa.table({"kind": ["csat", "nps"], "score": [4, 9]}),
    ...              kind="nps", scale=10, owner="nps").tolist()
    [9.0]
    """
    table = as_record_table("surveys", value)
    if table is None:
        return None
    rows = np.asarray(table["kind"] == kind, dtype=bool)
    scales = table["scale"][rows]
    other = scales != scale
    if other.any():
        positions = np.flatnonzero(rows)[other]
        raise ValueError(
            f"{owner} was asked for a {scale}-point scale but {positions.size} {kind} "
            f"answer(s) are on another scale (first at row {positions[0]}, "
            f"{int(scales[other][0])}-point); pass scale={int(scales[other][0])} or split "
            "the answers by scale"
        )
    scores: npt.NDArray[np.float64] = table["score"][rows].astype(np.float64)
    return scores


def calls_input(value: Any) -> Any:
    """A ``RecordTable`` of calls as ``CallColumns`` (else ``None``).

    Call DataFrames are read by the contact-center helper itself
    (:func:`cxmetrics.metrics._calls_input.call_columns`); the tables the loaders
    and the report build come through here.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from cxmetrics.io import to_call_table
    >>> table = to_call_table(pa.table({"at": ["2024-03-01T09:00:00Z"], "talk": [60]}))
    >>> calls_input(table).handle.tolist()
    [60.0]
    """
    value = _generated_table(value)
    if not isinstance(value, RecordTable):
        return None
    table = as_record_table("calls", value)
    assert table is not None
    from cxmetrics.metrics._calls_input import CallColumns

    n = len(table)
    nothing = np.full(n, None, dtype=object)
    return CallColumns(
        at=table["at"],
        wait=table["wait"],
        talk=table["talk"],
        hold=table["hold"],
        wrap=table["wrap"],
        abandoned=table["abandoned"],
        transferred=table["transferred"],
        inbound=np.asarray(table["direction"] == "inbound", dtype=bool),
        channel=table["channel"],
        queue=table.get("queue", nothing),
        customer_id=table.get("customer_id", nothing),
        id=table.get("id", nothing),
    )


def customers_input(value: Any) -> Any:
    """A customer table (DataFrame or ``RecordTable``) as ``CustomerColumns`` (else ``None``).

    Examples
    --------
    >>> import pyarrow as pa
    >>> cols = customers_input(pa.table({"id": ["a"], "since": ["2024-01-01T00:00:00Z"]}))
    >>> cols.until.tolist(), cols.segment.tolist()
    ([inf], [''])
    """
    table = as_record_table("customers", value)
    if table is None:
        return None
    from cxmetrics.metrics.churn import CustomerColumns

    until = np.where(np.isnan(table["until"]), math.inf, table["until"])
    segment = np.array(["" if s is None else s for s in table["segment"].tolist()], dtype=object)
    per_customer = table.get("revenue_changes")
    changed = (
        np.flatnonzero([changes is not None for changes in per_customer.tolist()])
        if per_customer is not None
        else np.empty(0, dtype=np.int64)
    )
    pairs = [per_customer[i] for i in changed.tolist()] if changed.size else []
    flat = np.concatenate(pairs) if pairs else np.empty((0, 2))
    return CustomerColumns(
        since=table["since"],
        until=until,
        segment=segment,
        revenue=table["revenue"],
        change_owner=np.repeat(changed, [len(p) for p in pairs]).astype(np.int64),
        change_at=np.ascontiguousarray(flat[:, 0], dtype=np.float64),
        change_revenue=np.ascontiguousarray(flat[:, 1], dtype=np.float64),
    )
