"""The library's own table schema, and conversions between records, batches and tables.

A data set is up to thirteen tables, each named after its role:

=================  =============================================================
table              columns
=================  =============================================================
tickets            id, created_at, channel, priority, status, customer_id,
                   agent_id, group, segment, created_by, first_reply_at, solved_at
interactions       ticket_id, at, kind (message/call), author, public, automated,
                   agent_id, wait, talk, hold, wrap, abandoned, transferred,
                   direction
status_changes     ticket_id, at, status
assignments        ticket_id, at, agent_id, group
priority_changes   ticket_id, at, priority
tags               ticket_id, tag
surveys            kind, score, scale, responded_at, ticket_id, customer_id,
                   agent_id, channel
calls              id, at, ticket_id, customer_id, agent_id, queue, channel, wait,
                   talk, hold, wrap, abandoned, transferred, direction
customers          id, since, until, segment, revenue
revenue_changes    customer_id, at, revenue
survey_sends       kind, sent_at, responded_at, ticket_id, customer_id, agent_id,
                   channel (the surveys sent, answered or not)
staff_surveys      as surveys (kind nps, score 0-10): the staff's answers (eNPS)
qa_evaluations     id, ticket_id, agent_id, evaluator_id, channel, evaluated_at,
                   and one column per scorecard criterion (a share in [0, 1])
callbacks          requested_at, called_back_at, id, source, agent_id, channel,
                   queue (callback requests and voicemails)
=================  =============================================================

Instants are UTC timestamps, durations seconds. In this schema the calls that are
part of a ticket's history are rows of ``interactions``; the ``calls`` table holds
the contact-center contacts (which may repeat them, with their own ids).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.models.customer import Customer
from cxmetrics.models.interaction import Call
from cxmetrics.models.survey import SurveyResponse, SurveySent
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.tables.ticket_batch import (
    AUTHORS,
    CREATED_BY,
    DIRECTIONS,
    Categorical,
    EventTable,
    TicketBatch,
)

__all__ = [
    "INSTANT_COLUMNS",
    "TABLES",
    "TICKET_TABLES",
    "Collected",
    "ConvertsToRecordTable",
    "RecordTable",
    "batch_to_tables",
    "records_to_table",
    "table_to_records",
]

TICKET_TABLES: tuple[str, ...] = (
    "tickets",
    "interactions",
    "status_changes",
    "assignments",
    "priority_changes",
    "tags",
)
TABLES: tuple[str, ...] = (
    *TICKET_TABLES,
    "surveys",
    "calls",
    "customers",
    "revenue_changes",
    "survey_sends",
    "staff_surveys",
    "qa_evaluations",
    "callbacks",
)
"""Table names of the own schema, in the order they are written."""

INSTANT_COLUMNS = frozenset(
    {
        "created_at",
        "first_reply_at",
        "solved_at",
        "at",
        "responded_at",
        "since",
        "until",
        "sent_at",
        "evaluated_at",
        "requested_at",
        "called_back_at",
    }
)
"""Columns holding instants (UTC epoch seconds in memory, timestamps on disk)."""

Columns = dict[str, npt.NDArray[Any]]


@dataclass(frozen=True, eq=False)
class RecordTable:
    """Survey answers, calls or customers as named numpy columns.

    Instants are float64 UTC epoch seconds (NaN = missing), durations seconds,
    strings ``object`` arrays with ``None`` for missing. Metrics that read columns
    take it directly (``table["score"]``, ``"at" in table.columns``).

    Attributes
    ----------
    kind : {"surveys", "calls", "customers"}
    columns : dict of str to numpy array

    Examples
    --------
    >>> t = RecordTable("surveys", {"kind": np.array(["csat", "nps"], dtype=object),
    ...                             "score": np.array([5.0, 9.0])})
    >>> len(t), t.select(np.array([False, True]))["score"].tolist()
    (2, [9.0])
    """

    kind: str
    columns: dict[str, npt.NDArray[Any]]

    def __len__(self) -> int:
        return int(next(iter(self.columns.values())).size) if self.columns else 0

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self.columns[name]

    def get(self, name: str, default: Any = None) -> Any:
        """The column ``name``, or ``default``."""
        return self.columns.get(name, default)

    def select(self, index: npt.ArrayLike) -> RecordTable:
        """The rows at ``index`` (positions or a boolean mask)."""
        positions = np.asarray(index)
        return RecordTable(self.kind, {k: v[positions] for k, v in self.columns.items()})

    def to_records(self) -> list[Any]:
        """Return the rows as validated record objects (for small tables only)."""
        return table_to_records(self)


class ConvertsToRecordTable(ABC):
    """A table that can present itself as a :class:`RecordTable` without copies.

    The synthetic generator's survey, call and customer tables are such tables:
    every metric and the report accept them wherever a ``RecordTable`` goes.
    """

    @abstractmethod
    def to_table(self) -> RecordTable:
        """Return the rows as a :class:`RecordTable`."""


@dataclass(frozen=True)
class Collected:
    """What an ``errors="collect"`` conversion returns: the good rows and the bad.

    Attributes
    ----------
    data : TicketBatch or RecordTable
        Everything that passed validation (a ticket with any bad row is left out
        whole, its history included).
    errors : tuple of dict
        One dict per problem: ``position``, ``id``, ``field``, ``type``,
        ``message``, ``input``.
    """

    data: Any
    errors: tuple[dict[str, object], ...] = field(default=())


def _decode(column: Categorical) -> npt.NDArray[np.object_]:
    lookup = np.array([*column.categories, None], dtype=object)
    result: npt.NDArray[np.object_] = lookup[column.codes]
    return result


def _codes(codes: npt.NDArray[Any], names: tuple[str, ...]) -> npt.NDArray[np.object_]:
    lookup = np.array([*names, None], dtype=object)
    result: npt.NDArray[np.object_] = lookup[np.where(codes < 0, len(names), codes)]
    return result


def batch_to_tables(batch: TicketBatch) -> dict[str, Columns]:
    """Return a batch as the own-schema ticket tables (numpy columns), vectorised.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> tables = batch_to_tables(generate(20, seed=1).tickets)
    >>> sorted(tables), len(tables["tickets"]["id"])
    (['assignments', 'interactions', 'priority_changes', 'status_changes', 'tags', 'tickets'], 20)
    """
    ids = batch.ids.astype(object)
    tables: dict[str, Columns] = {
        "tickets": {
            "id": ids,
            "created_at": batch.created_at,
            "channel": _decode(batch.channel),
            "priority": _codes(batch.priority, PRIORITIES),
            "status": _codes(batch.status, TICKET_STATUSES),
            "customer_id": _decode(batch.customer_id),
            "agent_id": _decode(batch.agent_id),
            "group": _decode(batch.group),
            "segment": _decode(batch.segment),
            "created_by": _codes(batch.created_by, CREATED_BY),
            "first_reply_at": batch.first_reply_at,
            "solved_at": batch.solved_at,
        }
    }
    ix = batch.interactions
    tables["interactions"] = _events(ix, ids)
    if len(ix):
        tables["interactions"].update(
            kind=_codes(ix["kind"], ("message", "call")),
            author=_codes(ix["author"], AUTHORS),
            public=ix["public"],
            automated=ix["automated"],
            agent_id=_decode(ix["agent_id"]),
            wait=ix["wait"],
            talk=ix["talk"],
            hold=ix["hold"],
            wrap=ix["wrap"],
            abandoned=ix["abandoned"],
            transferred=ix["transferred"],
            direction=_codes(ix["direction"], DIRECTIONS),
        )
    else:
        tables["interactions"].update(
            kind=_empty(), author=_empty(), public=np.empty(0, bool), agent_id=_empty()
        )
    sc = batch.status_changes
    tables["status_changes"] = {
        **_events(sc, ids),
        "status": _codes(sc["status"], TICKET_STATUSES) if len(sc) else _empty(),
    }
    asg = batch.assignments
    tables["assignments"] = {
        **_events(asg, ids),
        "agent_id": _decode(asg["agent_id"]) if len(asg) else _empty(),
        "group": _decode(asg["group"]) if len(asg) else _empty(),
    }
    pc = batch.priority_changes
    tables["priority_changes"] = {
        **_events(pc, ids),
        "priority": _codes(pc["priority"], PRIORITIES) if len(pc) else _empty(),
    }
    tg = batch.tags
    tables["tags"] = {
        "ticket_id": ids[tg.ticket],
        "tag": _decode(tg["tag"]) if len(tg) else _empty(),
    }
    return tables


def _empty() -> npt.NDArray[np.object_]:
    return np.empty(0, dtype=object)


def _events(table: EventTable, ids: npt.NDArray[np.object_]) -> Columns:
    return {"ticket_id": ids[table.ticket], "at": table.at}


def _seconds(value: Any) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value.total_seconds())


_RECORD_FIELDS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "surveys": (
        SurveyResponse,
        (
            "kind",
            "score",
            "scale",
            "responded_at",
            "ticket_id",
            "customer_id",
            "agent_id",
            "channel",
            "comment",
            "reason",
            "sent_at",
        ),
    ),
    "calls": (
        Call,
        (
            "id",
            "at",
            "customer_id",
            "agent_id",
            "queue",
            "channel",
            "wait",
            "talk",
            "hold",
            "wrap",
            "abandoned",
            "transferred",
            "direction",
        ),
    ),
    "customers": (Customer, ("id", "since", "until", "segment", "revenue")),
    "survey_sends": (
        SurveySent,
        ("kind", "sent_at", "responded_at", "ticket_id", "customer_id", "agent_id", "channel"),
    ),
}


def records_to_table(kind: str, records: Iterable[Any]) -> RecordTable:
    """Turn validated records (surveys, calls or customers) into a :class:`RecordTable`.

    One pass over the objects; the result is the same as converting a DataFrame of
    them with :func:`~cxmetrics.io.to_survey_table` (or the call / customer one).

    Examples
    --------
    >>> t = records_to_table("surveys", [SurveyResponse(kind="nps", score=9)])
    >>> t["score"].tolist(), t["scale"].tolist()
    ([9.0], [10])
    """
    if isinstance(records, RecordTable):
        return records
    rows = list(records)
    _, names = _RECORD_FIELDS[kind]
    columns: Columns = {}
    for name in names:
        values = [getattr(r, name, None) for r in rows]
        if name in INSTANT_COLUMNS or name in ("wait", "talk", "hold", "wrap"):
            columns[name] = np.array([_seconds(v) for v in values], dtype=np.float64)
        elif name in ("score", "revenue"):
            columns[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        elif name == "scale":
            columns[name] = np.array(values, dtype=np.int64)
        elif name in ("abandoned", "transferred"):
            columns[name] = np.array(values, dtype=bool)
        else:
            column = np.empty(len(values), dtype=object)
            column[:] = values
            columns[name] = column
    if kind == "calls":
        columns["ticket_id"] = np.full(len(rows), None, dtype=object)
    if kind == "customers" and any(getattr(r, "revenue_changes", ()) for r in rows):
        changes = np.full(len(rows), None, dtype=object)
        for row, record in enumerate(rows):
            if record.revenue_changes:
                changes[row] = np.array(
                    [(c.at.timestamp(), c.revenue) for c in record.revenue_changes],
                    dtype=np.float64,
                )
        columns["revenue_changes"] = changes
    return RecordTable(kind, columns)


def _utc(seconds: float) -> datetime | None:
    if np.isnan(seconds):
        return None
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc)


def table_to_records(table: RecordTable) -> list[Any]:
    """Turn a :class:`RecordTable` back into validated records (one object per row).

    Meant for small tables and for metrics that only take records.

    Examples
    --------
    >>> t = records_to_table("surveys", [SurveyResponse(kind="csat", score=4)])
    >>> table_to_records(t)[0].score
    4.0
    """
    model, names = _RECORD_FIELDS[table.kind]
    present = [name for name in names if name in table.columns]
    records = []
    for row in range(len(table)):
        values: dict[str, Any] = {}
        for name in present:
            value = table[name][row]
            if name in INSTANT_COLUMNS:
                value = _utc(value)
            elif isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and np.isnan(value):
                value = None
            if value is not None:
                values[name] = value
        changes = table.get("revenue_changes")
        if changes is not None and changes[row] is not None:
            values["revenue_changes"] = [
                {"at": _utc(at), "revenue": revenue} for at, revenue in changes[row].tolist()
            ]
        records.append(model(**values))
    return records
