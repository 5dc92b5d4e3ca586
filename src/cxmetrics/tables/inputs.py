"""The single input layer: every accepted form of each kind of input becomes its table.

Metrics, the SLA evaluator, the report and the engines call these, and only these,
to read their input:

=====================  ==========================================================
function               takes
=====================  ==========================================================
``as_ticket_batch``    a ``TicketBatch``, a ``TicketTable``, ``Ticket`` records,
                       a pandas / polars / pyarrow tickets table
``call_columns``       ``CallColumns``, ``Call`` records or tickets, a call
                       ``RecordTable`` or generated table, a DataFrame or dict
``customer_columns``   ``Customer`` records, a customer table, a DataFrame or dict
``survey_scores``      numbers, ``SurveyResponse`` records, a survey table or
                       DataFrame
``qa_input``           ``QAEvaluation`` records or mappings, a QA table or
                       DataFrame (one column per criterion)
=====================  ==========================================================

DataFrames are converted once, with the vectorised validation of
:mod:`cxmetrics.tables.ticket_frames` and :mod:`cxmetrics.tables.record_frames`; no
row ever becomes a pydantic object.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError, RecordValidationError
from cxmetrics.models.qa import QAEvaluation
from cxmetrics.tables.calls import CallColumns, calls_from_records
from cxmetrics.tables.customers import CustomerColumns, customers_from_records
from cxmetrics.tables.native import is_dataframe
from cxmetrics.tables.record_frames import QA_FIELDS, QA_SCORE_PREFIX, READERS
from cxmetrics.tables.schema import ConvertsToRecordTable, RecordTable
from cxmetrics.tables.surveys import scores_from_items
from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tables.ticket_frames import to_ticket_batch

__all__ = [
    "as_record_table",
    "as_ticket_batch",
    "call_columns",
    "callback_input",
    "calls_input",
    "customer_columns",
    "customers_input",
    "qa_input",
    "survey_input",
    "survey_scores",
]


def _generated_table(value: Any) -> Any:
    """The record table of a table that converts itself (the generator's), else ``value``."""
    if isinstance(value, ConvertsToRecordTable):
        return value.to_table()
    return value


def as_record_table(kind: str, value: Any) -> RecordTable | None:
    """``value`` as a record table of ``kind``; ``None`` when it is not a table.

    Takes a :class:`RecordTable`, a DataFrame or a dict of columns (validated on
    its columns, by the one reader of each kind: :func:`~cxmetrics.io.to_call_table`
    and its siblings) or a table of :func:`cxmetrics.datasets.generate` (already
    valid).

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
        # Staff answers are survey answers: a survey table, read by the same metrics.
        expected = "surveys" if kind == "staff_surveys" else kind
        if value.kind != expected:
            raise InvalidParameterError(f"expected a table of {kind}, got a table of {value.kind}")
        return value
    if is_dataframe(value) or isinstance(value, Mapping):
        convert = READERS[kind]
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
    RecordValidationError
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
        raise InvalidParameterError(
            f"{owner} was asked for a {scale}-point scale but {positions.size} {kind} "
            f"answer(s) are on another scale (first at row {positions[0]}, "
            f"{int(scales[other][0])}-point); pass scale={int(scales[other][0])} or split "
            "the answers by scale"
        )
    scores: npt.NDArray[np.float64] = table["score"][rows].astype(np.float64)
    return scores


def qa_input(value: Any) -> RecordTable:
    """QA evaluations in any accepted form as a QA :class:`RecordTable`.

    A QA table, a DataFrame or dict of columns (read by
    :func:`~cxmetrics.io.to_qa_table`: one column per criterion), or an iterable of
    :class:`~cxmetrics.QAEvaluation` objects or mappings (validated as the model,
    then laid out as the same columns).

    Raises
    ------
    InvalidParameterError
        For an item that is neither a ``QAEvaluation`` nor a mapping.
    RecordValidationError
        For a mapping the model rejects, naming its position.

    Examples
    --------
    >>> t = qa_input([{"agent_id": "ann", "scores": {"tone": 1.0}},
    ...               {"scores": {"accuracy": 0.5}}])
    >>> t["agent_id"].tolist(), t["scores.accuracy"].tolist()
    (['ann', None], [nan, 0.5])
    """
    table = as_record_table("qa_evaluations", value)
    if table is not None:
        return table
    records = []
    for position, item in enumerate(value):
        if isinstance(item, QAEvaluation):
            records.append(item)
        elif isinstance(item, Mapping):
            try:
                records.append(QAEvaluation.model_validate(dict(item)))
            except ValueError as exc:
                raise RecordValidationError(f"QA evaluation {position}: {exc}") from None
        else:
            raise InvalidParameterError(
                f"QA metrics take QAEvaluation objects or mappings; item {position} is "
                f"{type(item).__name__}"
            )
    criteria = sorted({name for record in records for name in record.scores})
    columns: dict[str, Any] = {}
    for name in QA_FIELDS:
        column = np.empty(len(records), dtype=object)
        column[:] = [getattr(record, name) for record in records]
        columns[name] = column
    columns["evaluated_at"] = np.array(
        [np.nan if r.evaluated_at is None else r.evaluated_at.timestamp() for r in records],
        dtype=np.float64,
    )
    for name in criteria:
        columns[QA_SCORE_PREFIX + name] = np.array(
            [record.scores.get(name, np.nan) for record in records], dtype=np.float64
        )
    return RecordTable("qa_evaluations", columns)


CALLBACK_FIELDS = ("id", "requested_at", "called_back_at", "source", "agent_id", "channel",
                   "queue")  # fmt: skip
"""The fields of a callback request."""


def callback_input(value: Any) -> RecordTable:
    """Callback requests in any accepted form as a ``callbacks`` :class:`RecordTable`.

    A callbacks table, a DataFrame or dict of columns, or an iterable of mappings
    or objects with ``requested_at``, ``called_back_at``… All are read by
    :func:`~cxmetrics.io.to_callback_table`, so one rule applies everywhere.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> t = callback_input([{"requested_at": t0, "called_back_at": None, "source": "voicemail"}])
    >>> t["source"].tolist(), np.isnan(t["called_back_at"]).tolist()
    (['voicemail'], [True])
    """
    table = as_record_table("callbacks", value)
    if table is not None:
        return table
    items = list(value)
    columns = {
        name: [
            item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
            for item in items
        ]
        for name in CALLBACK_FIELDS
    }
    present = {name: c for name, c in columns.items() if any(v is not None for v in c)}
    converted: RecordTable = READERS["callbacks"](present or {"requested_at": []})
    return converted


def calls_input(value: Any) -> Any:
    """A table of calls (DataFrame, dict of columns, ``RecordTable``) as ``CallColumns``.

    ``None`` for other input. Every table of calls, whichever its backend, is read
    by :func:`~cxmetrics.io.to_call_table`, so one rule applies everywhere (a
    missing duration is a problem naming its column and row, never 0 s).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from cxmetrics.io import to_call_table
    >>> table = to_call_table(pa.table({"at": ["2024-03-01T09:00:00Z"], "talk": [60]}))
    >>> calls_input(table).handle.tolist()
    [60.0]
    """
    table = as_record_table("calls", value)
    if table is None:
        return None
    n = len(table)
    nothing = None
    if not {"queue", "customer_id", "id"} <= table.columns.keys():
        nothing = np.empty(n, dtype=object)  # None in every row
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


def as_ticket_batch(tickets: Any) -> TicketBatch:
    """Return ``tickets`` as a :class:`TicketBatch`.

    Accepts a batch (returned as is), a :class:`~cxmetrics.tickets.TicketTable`
    (the batch it was measured from), an iterable of :class:`~cxmetrics.Ticket`,
    or a pandas / polars / pyarrow tickets table (converted by
    :func:`cxmetrics.io.to_ticket_batch`; pass history tables through that
    function directly).

    Examples
    --------
    >>> as_ticket_batch([]).ids.size
    0
    """
    if isinstance(tickets, TicketBatch):
        return tickets
    measured_from = getattr(tickets, "batch", None)  # a TicketTable: the batch it measured
    if isinstance(measured_from, TicketBatch):
        return measured_from
    if is_dataframe(tickets):  # DataFrames: vectorised, validated on columns
        batch: TicketBatch = to_ticket_batch(tickets)
        return batch
    return TicketBatch.from_tickets(tickets)


def call_columns(items: Any, *, owner: str) -> CallColumns:
    """Return ``items`` as :class:`CallColumns`.

    Parameters
    ----------
    items : iterable of Call or Ticket, CallColumns, or a mapping of columns
        ``Call`` records; tickets contribute their ``calls``. A mapping (a dict of
        arrays or a pandas DataFrame; polars and Arrow tables are read through
        narwhals, the ``dataframes`` extra) needs ``at`` (aware datetimes, or UTC epoch
        seconds) and optionally ``wait``, ``talk``, ``hold``, ``wrap`` (seconds or
        timedeltas), ``abandoned``, ``transferred``, ``direction``, ``channel``,
        ``queue``, ``customer_id`` and ``id``.
    owner : str
        The public function or class, for messages.

    Raises
    ------
    InvalidParameterError
        For an item that is neither a ``Call`` nor a ``Ticket``.
    RecordValidationError
        For column input with missing or negative durations, naive instants, or
        contacts both answered and abandoned, naming the rows (and their ids).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> cols = call_columns([Call(at=at, wait=20, talk=100)], owner="aht")
    >>> cols.talk.tolist(), cols.abandoned.tolist()
    ([100.0], [False])
    """
    if isinstance(items, CallColumns):
        return items
    converted: CallColumns | None = calls_input(items)
    if converted is not None:
        return converted
    return calls_from_records(items, owner=owner)


def customer_columns(customers: Iterable[Any], *, owner: str) -> CustomerColumns:
    """Return ``customers`` as :class:`CustomerColumns`.

    Parameters
    ----------
    customers : iterable of Customer, or a table
        ``Customer`` records, or columns (a dict of arrays, a pandas, polars or
        Arrow table) with ``since`` (aware instants or UTC epoch seconds) and
        optionally ``id``, ``until`` (missing while active), ``segment`` and
        ``revenue``. Revenue changes need records.
    owner : str
        The public function or class, for messages.

    Raises
    ------
    InvalidParameterError
        For an item that is not a ``Customer``, naming its position.
    RecordValidationError
        For columns with a missing or naive ``since``, a customer leaving before
        joining, or a negative revenue, naming the rows and their ids.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Customer
    >>> c = Customer(id="a", since=datetime(1970, 1, 2, tzinfo=timezone.utc))
    >>> customer_columns([c], owner="churn_rate").since.tolist()
    [86400.0]
    """
    converted: CustomerColumns | None = customers_input(customers)
    if converted is not None:
        return converted
    return customers_from_records(customers, owner=owner)


def survey_scores(
    responses: Iterable[Any] | npt.ArrayLike, *, kind: str, scale: int, owner: str
) -> npt.NDArray[np.float64]:
    """Return the scores of ``responses`` as floats, checked against ``kind`` and ``scale``.

    Numbers are checked against the scale here (vectorised); ``SurveyResponse``
    objects were checked when built and must match ``kind`` and ``scale``, so that
    answers from different surveys or scales are never silently mixed.

    Raises
    ------
    RecordValidationError
        Naming the positions and values of out-of-range or fractional scores, or
        of responses on another scale.
    InvalidParameterError
        For a response of another survey kind, or an item that is not a number.
    """
    table_scores = survey_input(responses, kind=kind, scale=scale, owner=owner)
    if table_scores is not None:
        return table_scores
    return scores_from_items(responses, kind=kind, scale=scale, owner=owner)
