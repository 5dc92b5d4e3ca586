"""Tickets and their histories from DataFrames: :func:`to_ticket_batch`, vectorised.

:func:`to_ticket_batch` turns a tickets table plus optional history tables
(interactions or messages, calls, status changes, assignments, priority changes,
tags), linked by ticket id, into a :class:`~cxmetrics.tables.ticket_batch.TicketBatch`,
in named steps: the tickets' own columns (:func:`_ticket_columns`), the histories
(:func:`_histories`), the ticket fields checked against the histories
(:func:`_reconcile`), then the batch. Every rule of the record models is checked on
whole columns, with the same error codes (``naive_datetime``, ``before_creation``,
``invalid_status_sequence``, ``status_contradicts_history``,
``milestone_contradicts_history``, ``negative_duration``, ``answered_and_abandoned``,
``literal_error``…), and every bad row is reported by its table, position and id. No
row ever becomes a Python object.

Columns are named as in the records (``id``, ``created_at``, ``channel``…); pass
``columns={"created_at": "opened_at"}`` for other names. Instants may be aware
datetimes, ISO 8601 strings or UTC epoch seconds; naive ones need ``timezone=``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.tables.arrow import dictionary_indices, objects, valid_mask
from cxmetrics.tables.columns import Table, as_table
from cxmetrics.tables.frame_rules import (
    BoolArray,
    Errors,
    FloatArray,
    IntArray,
    _arrow,
    _check_mode,
    _iso,
    _literal,
)
from cxmetrics.tables.histories import (
    _AGENT,
    _BOT,
    _CLOSED,
    _SOLVED,
    _assignments,
    _interactions,
    _priority_history,
    _status_history,
    _tags,
)
from cxmetrics.tables.linking import _Events, _link, _TicketIds
from cxmetrics.tables.problems import Problems
from cxmetrics.tables.schema import Collected
from cxmetrics.tables.ticket_batch import CREATED_BY, Categorical, EventTable, TicketBatch

__all__ = ["to_ticket_batch"]


def to_ticket_batch(
    tickets: Any,
    *,
    interactions: Any = None,
    messages: Any = None,
    calls: Any = None,
    status_changes: Any = None,
    assignments: Any = None,
    priority_changes: Any = None,
    tags: Any = None,
    columns: Mapping[str, str] | Mapping[str, Mapping[str, str]] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a tickets table and its history tables into a :class:`TicketBatch`.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket: ``id``, ``created_at`` (required) and optionally
        ``channel`` (default ``"email"``), ``priority``, ``status``, ``customer_id``,
        ``agent_id``, ``group``, ``segment``, ``created_by``, ``first_reply_at``,
        ``solved_at``, and ``tags`` (a list column).
    interactions, messages : DataFrame, optional
        One row per message (or call, with ``kind="call"``): ``ticket_id``, ``at``,
        ``author``, and optionally ``public``, ``automated``, ``agent_id``,
        ``kind``, and for calls ``wait``, ``talk``, ``hold``, ``wrap``,
        ``abandoned``, ``transferred``, ``direction``. Both names are accepted.
    calls : DataFrame, optional
        Live contacts; the rows with a ``ticket_id`` join that ticket's interactions.
    status_changes : DataFrame, optional
        ``ticket_id``, ``at``, ``status``.
    assignments : DataFrame, optional
        ``ticket_id``, ``at``, ``agent_id`` and/or ``group``.
    priority_changes : DataFrame, optional
        ``ticket_id``, ``at``, ``priority``.
    tags : DataFrame, optional
        ``ticket_id``, ``tag``: one row per tag.
    columns : mapping, optional
        Column names of the source: ``{"created_at": "opened_at"}`` for the tickets
        table, or per table, ``{"tickets": {...}, "status_changes": {...}}``.
    timezone : str, optional
        IANA zone that naive instants are localised in. Without it a naive
        instant is a ``naive_datetime`` error.
    errors : {"raise", "collect"}, default="raise"
        ``"raise"``: any bad row raises :class:`~cxmetrics.RecordValidationError`
        listing every problem. ``"collect"``: return a :class:`Collected` with the
        good tickets and the problems (a ticket with a bad row is left out whole).

    Returns
    -------
    TicketBatch or Collected

    Examples
    --------
    >>> import pyarrow as pa
    >>> tickets = pa.table({"id": ["A", "B"], "created_at": ["2024-03-01T09:00:00Z"] * 2,
    ...                     "channel": ["chat", None]})
    >>> replies = pa.table({"ticket_id": ["A"], "at": ["2024-03-01T09:05:00Z"],
    ...                     "author": ["agent"]})
    >>> batch = to_ticket_batch(tickets, messages=replies)
    >>> batch.channel.to_list(), batch.interactions.offsets.tolist()
    (['chat', 'email'], [0, 1, 1])
    >>> bad = pa.table({"ticket_id": ["B"], "at": ["2024-03-01T08:00:00Z"], "author": ["agent"]})
    >>> to_ticket_batch(tickets, messages=bad)
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: 1 invalid ticket rows out of 2:
      messages row 0 (id='B'): messages.at: messages row at (2024-03-01T08:00:00.000000+00:00) is before created_at (2024-03-01T09:00:00.000000+00:00); an event cannot precede the ticket
    """
    _check_mode(errors)
    mapping = _per_table(columns)
    t = as_table(tickets, "tickets", mapping.get("tickets"), timezone)
    assert t is not None
    t.require("id", "created_at")
    problems = Problems([])
    ticket_columns = _ticket_columns(t, problems)
    histories = _histories(
        t,
        ticket_columns,
        {
            "interactions": interactions,
            "messages": messages,
            "calls": calls,
            "status_changes": status_changes,
            "assignments": assignments,
            "priority_changes": priority_changes,
            "tags": tags,
        },
        mapping,
        timezone,
        problems,
    )
    status, priority, bad_ticket = _reconcile(ticket_columns, histories, problems)
    batch = _assemble(ticket_columns, histories, status, priority)
    if errors == "raise":
        problems.raise_if_any("ticket", t.n)
        return batch
    if bad_ticket.any():
        batch = batch.select(~bad_ticket)
    return Collected(batch, tuple(problems.items))


@dataclass
class _TicketColumns:
    """The columns of the tickets table, checked; ``bad`` marks the tickets they spoil."""

    ids: _TicketIds
    created: FloatArray
    priority: npt.NDArray[np.int8]  # -1: not given (or invalid)
    priority_given: BoolArray
    status: npt.NDArray[np.int8]
    status_given: BoolArray
    created_by: npt.NDArray[np.int8]
    milestones: dict[str, FloatArray]  # first_reply_at and solved_at
    channel: Categorical
    group: Categorical
    segment: Categorical
    customer_id: Categorical
    agent_id: Categorical
    bad: BoolArray


def _ticket_columns(t: Table, problems: Problems) -> _TicketColumns:
    """Step 1: the tickets' own columns, checked; they need no history."""
    ids, bad_ticket = _ticket_ids(t, problems)
    id_objects = ids.objects
    created, bad_created = t.instants("created_at", problems, id_objects)
    no_created = np.isnan(created) & ~bad_created
    problems.add(no_created, ids=id_objects, field="created_at", code="missing",
                 message="Field required")  # fmt: skip
    bad_ticket |= bad_created | no_created

    priority, priority_given = _literal(t, "priority", PRIORITIES, problems, id_objects, None, "priority")  # fmt: skip
    status, status_given = _literal(t, "status", TICKET_STATUSES, problems, id_objects, "open", "status")  # fmt: skip
    created_by, _ = _literal(t, "created_by", CREATED_BY, problems, id_objects, "customer", "created_by")  # fmt: skip
    bad_ticket |= (priority_given & (priority < 0)) | (status < 0) | (created_by < 0)

    milestones: dict[str, FloatArray] = {}
    for name in ("first_reply_at", "solved_at"):
        at, bad_at = t.instants(name, problems, id_objects)
        before = at < created
        problems.add(
            before, ids=id_objects, field=name, code="before_creation",
            message=lambda r, at=at, name=name: f"{name} ({_iso(at[r])}) is before created_at ({_iso(created[r])})",
        )  # fmt: skip
        bad_ticket |= bad_at | before
        milestones[name] = at

    # The ticket columns need no history: encoded now, while history files may still
    # be on their way (read_files reads them in a background thread).
    channel = t.categorical("channel", default="email")
    group, segment = t.categorical("group"), t.categorical("segment")
    customer_id, agent_id = t.categorical("customer_id"), t.categorical("agent_id")
    return _TicketColumns(
        ids, created, priority, priority_given, status, status_given, created_by, milestones,
        channel, group, segment, customer_id, agent_id, bad_ticket,
    )  # fmt: skip


def _ticket_ids(t: Table, problems: Problems) -> tuple[_TicketIds, BoolArray]:
    """The tickets' ids, and the tickets without one or with one given twice."""
    n = t.n
    id_text = t.text("id")
    id_objects = objects(id_text)
    valid_id = valid_mask(id_text)
    missing_id = np.zeros(n, dtype=bool) if valid_id is None else ~valid_id
    problems.add(missing_id, ids=id_objects, field="id", code="missing",
                 message="Field required")  # fmt: skip
    duplicate = np.zeros(n, dtype=bool)
    if not _increasing(id_text):  # ids in strictly increasing order are unique
        _, pc = _arrow()
        encoded = pc.dictionary_encode(id_text)
        if len(encoded.dictionary) < n - int(missing_id.sum()):
            index = dictionary_indices(encoded)
            counts = np.bincount(index[index >= 0], minlength=len(encoded.dictionary))
            duplicate = (index >= 0) & (counts[np.maximum(index, 0)] > 1)
    problems.add(duplicate, ids=id_objects, field="id", code="duplicate_id",
                 message="duplicate ticket id; each ticket must appear once")  # fmt: skip
    return _TicketIds(id_text, id_objects), missing_id | duplicate


@dataclass
class _Histories:
    """The event tables of a batch, and the tickets that bad history rows spoil."""

    interactions: EventTable
    status_changes: EventTable
    assignments: EventTable
    priority_changes: EventTable
    tags: EventTable
    bad_rows: list[IntArray]  # ticket indices, one array per check


def _histories(
    t: Table,
    tickets: _TicketColumns,
    sources: Mapping[str, Any],
    mapping: Mapping[str, Mapping[str, str]],
    timezone: str | None,
    problems: Problems,
) -> _Histories:
    """Step 2: link each history table to the tickets and convert it.

    ``sources`` holds the history tables by their argument names. Each history is
    linked and converted as soon as it is there. Problems are gathered per step
    and listed in one fixed order: every link first (tables in argument order),
    then every conversion, then the tags.
    """
    n = t.n
    created = tickets.created
    linking: list[Problems] = []
    converting: list[Problems] = []

    def link(value: Any, name: str) -> _Events | None:
        table = as_table(value, name, mapping.get(name), timezone)
        if table is None:
            return None
        linking.append(Problems([]))
        return _link(table, tickets.ids, linking[-1], created)

    def step() -> Problems:
        converting.append(Problems([]))
        return converting[-1]

    interactions, messages = sources["interactions"], sources["messages"]
    if interactions is not None and messages is not None:
        raise InvalidParameterError("give either interactions or messages (they are the same table)")  # fmt: skip
    interaction_name = "messages" if messages is not None else "interactions"
    bad_rows_ticket: list[IntArray] = []

    def bad_rows(ev: _Events | None) -> _Events | None:
        if ev is not None:
            bad_rows_ticket.append(ev.ticket[ev.bad & (ev.ticket >= 0)])
        return ev

    messages_ev = bad_rows(link(interactions if interactions is not None else messages, interaction_name))  # fmt: skip
    calls_ev = bad_rows(link(_ticket_calls(sources["calls"], mapping.get("calls"), timezone), "calls"))  # fmt: skip
    interactions_table, bad_interactions = _interactions(messages_ev, calls_ev, step(), n)
    bad_rows_ticket.append(bad_interactions)
    status_ev = bad_rows(link(sources["status_changes"], "status_changes"))
    status_table, bad_status = _status_history(status_ev, step(), n)
    bad_rows_ticket.append(bad_status)
    assignment_table = _assignments(bad_rows(link(sources["assignments"], "assignments")), n)
    priority_ev = bad_rows(link(sources["priority_changes"], "priority_changes"))
    priority_table, bad_priority = _priority_history(priority_ev, step(), n)
    bad_rows_ticket.append(bad_priority)
    for part in (*linking, *converting):
        problems.items.extend(part.items)
    tag_table = _tags(t, sources["tags"], mapping.get("tags"), tickets.ids, created, problems, timezone)  # fmt: skip
    return _Histories(
        interactions_table, status_table, assignment_table, priority_table, tag_table,
        bad_rows_ticket,
    )  # fmt: skip


def _reconcile(
    tickets: _TicketColumns, histories: _Histories, problems: Problems
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8], BoolArray]:
    """Step 3: the tickets' status and priority, checked against their histories.

    Status and priority follow the last change when the ticket row does not say.
    Returns them with the tickets that any problem spoils.
    """
    ids = tickets.ids.objects
    status, bad_s = _follow_history(
        tickets.status, tickets.status_given, histories.status_changes, "status",
        TICKET_STATUSES, problems, ids,
    )  # fmt: skip
    priority, bad_p = _follow_history(
        tickets.priority, tickets.priority_given, histories.priority_changes, "priority",
        PRIORITIES, problems, ids,
    )  # fmt: skip
    bad_ticket = tickets.bad | bad_s | bad_p
    bad_ticket |= _check_milestones(
        tickets.milestones, histories.interactions, histories.status_changes, problems, ids,
        ids.size,
    )  # fmt: skip
    for rows in histories.bad_rows:
        bad_ticket[rows] = True
    return status, priority, bad_ticket


def _assemble(
    tickets: _TicketColumns,
    histories: _Histories,
    status: npt.NDArray[np.int8],
    priority: npt.NDArray[np.int8],
) -> TicketBatch:
    """Step 4: the batch of every ticket, good and bad."""
    return TicketBatch(
        ids=tickets.ids.objects,
        created_at=tickets.created,
        first_reply_at=tickets.milestones["first_reply_at"],
        solved_at=tickets.milestones["solved_at"],
        channel=tickets.channel,
        group=tickets.group,
        segment=tickets.segment,
        customer_id=tickets.customer_id,
        agent_id=tickets.agent_id,
        priority=priority.astype(np.int8),
        status=status.astype(np.int8),
        created_by=tickets.created_by.astype(np.int8),
        tags=histories.tags,
        interactions=histories.interactions,
        status_changes=histories.status_changes,
        assignments=histories.assignments,
        priority_changes=histories.priority_changes,
    )


def _increasing(text: Any) -> bool:
    """Whether a string array has no nulls and every value sorts after the previous one."""
    n = len(text)
    if n < 2 or text.null_count:
        return n < 2 and not text.null_count
    _, pc = _arrow()
    return bool(pc.all(pc.greater(text.slice(1), text.slice(0, n - 1))).as_py())


def _per_table(columns: Any) -> dict[str, dict[str, str]]:
    if not columns:
        return {}
    if all(isinstance(v, Mapping) for v in columns.values()):
        return {k: dict(v) for k, v in columns.items()}
    if any(isinstance(v, Mapping) for v in columns.values()):
        raise InvalidParameterError(
            "The 'columns' parameter must map column names, or table names to such "
            f"mappings, not both. Got {dict(columns)!r} instead."
        )
    return {"tickets": dict(columns)}


def _ticket_calls(calls: Any, mapping: Mapping[str, str] | None, timezone: str | None) -> Any:
    if calls is None:
        return None
    table = as_table(calls, "calls", mapping, timezone)
    assert table is not None
    if not table.has("ticket_id"):
        return None
    keep = ~table.strings("ticket_id")[1]
    if keep.all():
        return table
    filtered = Table(table.frame.filter(keep.tolist()).to_native(), "calls", mapping, timezone)
    return filtered


def _follow_history(
    codes: npt.NDArray[np.int8],
    given: BoolArray,
    history: EventTable,
    name: str,
    allowed: tuple[str, ...],
    problems: Problems,
    ids: npt.NDArray[Any],
) -> tuple[npt.NDArray[np.int8], BoolArray]:
    n = codes.size
    counts = history.counts
    has = counts > 0
    last = np.full(n, -1, dtype=np.int64)
    if len(history):
        last[has] = history[name][history.offsets[1:][has] - 1]
    contradicts = has & given & (last >= 0) & (codes >= 0) & (last != codes)
    problems.add(
        contradicts, ids=ids, field=name, code=f"{name}_contradicts_history",
        message=lambda r: f"{name} {allowed[codes[r]]!r} contradicts {name}_changes, whose last "
        f"change ({_iso(history.at[history.offsets[r + 1] - 1])}) is to {allowed[last[r]]!r}; "
        f"give the matching {name} or omit it",
    )  # fmt: skip
    follow = has & ~given & (last >= 0)
    result = np.where(follow, last, codes).astype(np.int8)
    return result, contradicts


def _check_milestones(
    milestones: dict[str, FloatArray],
    interactions: EventTable,
    status_changes: EventTable,
    problems: Problems,
    ids: npt.NDArray[Any],
    n: int,
) -> BoolArray:
    bad = np.zeros(n, dtype=bool)

    def touches() -> BoolArray:
        message = interactions["kind"] == 0
        author = interactions["author"]
        replied: BoolArray = interactions["public"] & ((author == _AGENT) | (author == _BOT))
        return np.where(message, replied, ~interactions["abandoned"])

    def solves() -> BoolArray:
        status = status_changes["status"]
        solved: BoolArray = (status == _SOLVED) | (status == _CLOSED)
        return solved

    checks = (
        ("first_reply_at", interactions, touches, "public agent or bot interaction in interactions"),
        ("solved_at", status_changes, solves, "change to solved or closed in status_changes"),
    )  # fmt: skip
    for name, table, mask, what in checks:
        at = milestones[name]
        # Only tickets giving the milestone and a history can contradict it.
        given = ~np.isnan(at) & (table.counts > 0)
        if not len(table) or not given.any():
            continue
        rows = np.flatnonzero(mask())
        hit = table.at[rows] == at[table.ticket[rows]]
        matched = np.bincount(table.ticket[rows][hit], minlength=n) > 0
        wrong = given & ~matched
        problems.add(
            wrong, ids=ids, field=name, code="milestone_contradicts_history",
            message=lambda r, name=name, at=at, what=what: f"{name} ({_iso(at[r])}) is not the "
            f"time of any {what}; fix the history or omit {name}",
        )  # fmt: skip
        bad |= wrong
    return bad
