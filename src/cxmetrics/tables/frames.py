"""DataFrames in: pandas, polars or pyarrow tables to the columnar inputs, vectorised.

:func:`to_ticket_batch` turns a tickets table plus optional history tables
(interactions or messages, calls, status changes, assignments, priority changes,
tags), linked by ticket id, into a :class:`~cxmetrics.tables.ticket_batch.TicketBatch`.
:func:`to_survey_table`, :func:`to_call_table` and :func:`to_customer_table` do
the same for survey answers, live contacts and customer lifetimes. Every rule of
the record models is checked on whole columns, with the same error codes
(``naive_datetime``, ``before_creation``, ``invalid_status_sequence``,
``status_contradicts_history``, ``milestone_contradicts_history``,
``negative_duration``, ``answered_and_abandoned``, ``score_out_of_scale``,
``left_before_joining``, ``literal_error``…), and every bad row is reported by
its table, position and id. No row ever becomes a Python object.

Columns are named as in the records (``id``, ``created_at``, ``channel``…); pass
``columns={"created_at": "opened_at"}`` for other names. Instants may be aware
datetimes, ISO 8601 strings or UTC epoch seconds; naive ones need ``timezone=``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.survey import SCALES
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.tables.columns import (
    Problems,
    Table,
    as_table,
    dictionary_indices,
    fixed_values,
    merge_categoricals,
    objects,
    string_offsets,
    take,
    valid_mask,
)
from cxmetrics.tables.schema import Collected, RecordTable
from cxmetrics.tables.ticket_batch import (
    AUTHORS,
    CREATED_BY,
    DIRECTIONS,
    Categorical,
    EventTable,
    TicketBatch,
)

__all__ = [
    "Collected",
    "RecordTable",
    "to_call_table",
    "to_customer_table",
    "to_survey_table",
    "to_ticket_batch",
]

Errors = Literal["raise", "collect"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_STATUS = {name: code for code, name in enumerate(TICKET_STATUSES)}
_SOLVED, _CLOSED = _STATUS["solved"], _STATUS["closed"]
_AGENT, _BOT = AUTHORS.index("agent"), AUTHORS.index("bot")
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


@dataclass
class _TicketIds:
    """The tickets' ids, for linking history rows to tickets."""

    text: Any  # cleaned pyarrow strings
    objects: npt.NDArray[np.object_]

    def positions(self, values: Any, match_null: bool = False) -> IntArray:
        """The ticket index of each value, -1 for none.

        A missing value is -1 too, unless ``match_null``: then it takes the first
        ticket without an id (what a hash lookup of nulls does).
        """
        _, pc = _arrow()
        if values.equals(self.text):
            # Histories written in ticket order, every ticket present: nothing to look up.
            lookup = np.arange(len(values), dtype=np.int64)
        elif (
            (sorted_ids := self.sorted_bytes) is not None
            and (queries := _fixed_width(values)) is not None
            and queries.dtype == sorted_ids.dtype
        ):
            # Ids of one width in sorted order: a binary search, no hash table of them all.
            found = np.minimum(np.searchsorted(sorted_ids, queries), sorted_ids.size - 1)
            lookup = np.where(sorted_ids[found] == queries, found, -1).astype(np.int64)
        else:
            hits = pc.index_in(values, value_set=self.text)
            lookup = np.asarray(fixed_values(hits), dtype=np.int64).copy()
            valid = valid_mask(hits)
            if valid is not None:
                lookup[~valid] = -1
        missing = valid_mask(values)
        if missing is not None:
            first = -1
            has_id = valid_mask(self.text)
            if match_null and has_id is not None:
                first = int(np.argmin(has_id))
            lookup[~missing] = first
        return lookup

    @cached_property
    def sorted_bytes(self) -> npt.NDArray[np.bytes_] | None:
        """The ids as fixed-width bytes when they all have one width and are sorted."""
        ids = _fixed_width(self.text)
        if ids is None or not ids.size or not bool((ids[1:] > ids[:-1]).all()):
            return None
        return ids


def _fixed_width(text: Any) -> npt.NDArray[np.bytes_] | None:
    """Strings all of one byte length (and no nulls) as a numpy bytes view, else None."""
    pa, _ = _arrow()
    if text.null_count or not len(text) or not pa.types.is_string(text.type):
        return None
    offsets = string_offsets(text)
    width = int(offsets[1] - offsets[0])
    if not 0 < width <= 64 or int(offsets[-1] - offsets[0]) != width * len(text):
        return None
    if not bool((np.diff(offsets) == width).all()):
        return None
    data = text.buffers()[2]
    return np.frombuffer(data, dtype=f"S{width}", count=len(text), offset=int(offsets[0]))


@dataclass
class _Linked:
    """History rows linked to tickets, and their runs when grouped by ticket."""

    ticket: IntArray  # ticket index of each row, -1 when unknown
    value: Callable[[int], Any]  # the cleaned ticket_id of a row
    starts: IntArray | None = None  # first row of each run of equal ids
    lengths: IntArray | None = None
    run_ticket: IntArray | None = None


def _ticket_rows(table: Table, tickets: _TicketIds, match_null: bool = False) -> _Linked:
    """Link the ``ticket_id`` of each row of ``table`` to a ticket.

    History tables are usually grouped by ticket, so their ids come in runs; one
    run-end encoding (adjacent comparisons) replaces hashing every row.
    """
    pa, _ = _arrow()
    chunks = table.chunks("ticket_id")
    kind = chunks[0].type
    runnable = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    if table.n and (runnable or pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        ends, values, start, last = [], [], 0, None
        for chunk in chunks:
            run_ends, run_values = _runs(chunk)
            run_ends += start
            if len(run_values) and last is not None and run_values[0].equals(last):
                # A run going on across two row groups is one run.
                next(e for e in reversed(ends) if e.size)[-1] = run_ends[0]
                run_ends, run_values = run_ends[1:], run_values.slice(1)
            ends.append(run_ends)
            values.append(run_values)
            start += len(chunk)
            last = run_values[-1] if len(run_values) else last
        run_ends = np.concatenate(ends)
        # Unless every row starts a run, linking runs beats hashing rows.
        if run_ends.size < table.n:
            run_values = pa.concat_arrays(values) if len(values) > 1 else values[0]
            if not run_values.equals(tickets.text):  # the ids as the tickets give them are clean
                run_values = table._clean(run_values)
            lookup = tickets.positions(run_values, match_null)
            lengths = np.diff(run_ends, prepend=0)

            def run_value(row: int) -> Any:
                return run_values[int(np.searchsorted(run_ends, row, side="right"))].as_py()

            ticket = np.repeat(lookup, lengths)
            return _Linked(ticket, run_value, run_ends - lengths, lengths, lookup)
    # Not grouped: a dictionary of the distinct ids is cheaper.
    indices, dictionary = table.encoded("ticket_id")
    lookup = tickets.positions(dictionary, match_null)

    def dictionary_value(row: int) -> Any:
        return None if indices[row] < 0 else dictionary[int(indices[row])].as_py()

    return _Linked(take(np.append(lookup, -1), indices), dictionary_value)


def _runs(chunk: Any) -> tuple[IntArray, Any]:
    """``(ends, values)`` of the runs of equal values in one pyarrow array."""
    pa, pc = _arrow()
    fixed = _fixed_width(chunk)
    if fixed is None:
        runs = pc.run_end_encode(chunk)
        return np.asarray(fixed_values(runs.run_ends), dtype=np.int64), runs.values
    # Ids of one width: compare neighbours as machine words rather than as strings.
    width = fixed.dtype.itemsize
    size = next(k for k in (8, 4, 2, 1) if width % k == 0)
    words = fixed.view(f"u{size}").reshape(fixed.size, width // size)
    differs = words[1:] != words[:-1]
    change = differs[:, 0] if differs.shape[1] == 1 else differs.any(axis=1)
    starts = np.flatnonzero(change) + 1
    firsts = np.concatenate([[0], starts]).astype(np.int64)
    index = pa.Array.from_buffers(pa.int64(), firsts.size, [None, pa.py_buffer(firsts)])
    return np.append(starts, fixed.size).astype(np.int64), chunk.take(index)


def _row_ids(linked: _Linked, ids: npt.NDArray[np.object_]) -> _Rows:
    """The id of each row's ticket, or the row's own ticket_id when it names none."""

    def get(row: int) -> Any:
        index = int(linked.ticket[row])
        return ids[index] if index >= 0 else linked.value(row)

    return _Rows(get)


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """The rows ``starts[i]:starts[i] + lengths[i]`` of every i, concatenated."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)


@dataclass
class _Events:
    """Rows of one history table, linked to tickets."""

    name: str
    table: Table
    ticket: IntArray  # ticket index, -1 when unknown
    at: FloatArray
    ticket_ids: _Rows
    bad: BoolArray
    in_order: bool | None = None  # rows known to be in (ticket, time) order; None: unknown
    counts: npt.NDArray[Any] | None = None  # rows per ticket, when known from the runs


def _link(table: Table, tickets: _TicketIds, problems: Problems, created: FloatArray) -> _Events:
    table.require("ticket_id", "at")
    linked = _ticket_rows(table, tickets)
    ticket = linked.ticket
    found = ticket >= 0
    ticket_ids = _row_ids(linked, tickets.objects)
    name = table.name
    problems.add(
        ~found, ids=ticket_ids, field=f"{name}.ticket_id", code="unknown_ticket",
        message="ticket_id names no ticket in the tickets table", inputs=ticket_ids,
    )  # fmt: skip
    at, bad_at = table.instants("at", problems, ticket_ids)
    no_time = np.isnan(at) & ~bad_at
    problems.add(no_time, ids=ticket_ids, field=f"{name}.at", code="missing",
                 message="Field required")  # fmt: skip
    # Grouped rows with every time given: where does time go back, and is that only
    # where a run (ticket) starts? Then each run starts at its earliest time.
    in_order, within = None, False
    starts, run_ticket = linked.starts, linked.run_ticket
    if starts is not None and run_ticket is not None and not (no_time.any() or bad_at.any()):
        back = np.flatnonzero(at[1:] < at[:-1]) + 1
        # Time going back where the ticket changes is where a run starts.
        within = not bool((ticket[back] == ticket[back - 1]).any())
        if found.all():
            in_order = within and bool((run_ticket[1:] >= run_ticket[:-1]).all())
    before = _before_creation(at, linked, created, within)
    problems.add(
        before, ids=ticket_ids, field=f"{name}.at", code="before_creation",
        message=lambda r: f"{name} row at ({_iso(at[r])}) is before created_at "
        f"({_iso(created[ticket[r]])}); an event cannot precede the ticket",
    )  # fmt: skip
    bad = ~found | bad_at | no_time | before
    counts = None
    if in_order and run_ticket is not None and linked.lengths is not None:
        weighted = np.bincount(run_ticket, weights=linked.lengths, minlength=created.size)
        counts = weighted.astype(np.int64)
    return _Events(name, table, ticket, at, ticket_ids, bad, in_order, counts)


def _before_creation(
    at: FloatArray, linked: _Linked, created: FloatArray, ordered_runs: bool
) -> BoolArray:
    """Rows of a known ticket whose time is before the ticket's creation.

    ``ordered_runs``: the times within each run are known not to decrease.
    """
    ticket = linked.ticket
    if created.size == 0 or at.size == 0:
        return np.zeros(at.size, dtype=bool)
    if linked.starts is None or linked.lengths is None or linked.run_ticket is None:
        found = ticket >= 0
        return found & (at < created[np.maximum(ticket, 0)])
    # Grouped rows: compare the earliest time of each run, then only the runs flagged.
    earliest = at[linked.starts] if ordered_runs else np.fmin.reduceat(at, linked.starts)
    run_ticket = linked.run_ticket
    flagged = (run_ticket >= 0) & (earliest < created[np.maximum(run_ticket, 0)])
    before = np.zeros(at.size, dtype=bool)
    if flagged.any():
        rows = _ranges(linked.starts[flagged], linked.lengths[flagged])
        before[rows] = at[rows] < created[ticket[rows]]
    return before


def _increasing(text: Any) -> bool:
    """Whether a string array has no nulls and every value sorts after the previous one."""
    n = len(text)
    if n < 2 or text.null_count:
        return n < 2 and not text.null_count
    _, pc = _arrow()
    return bool(pc.all(pc.greater(text.slice(1), text.slice(0, n - 1))).as_py())


def _arrow() -> tuple[Any, Any]:
    from cxmetrics.tables.columns import _pa

    return _pa()


def _iso(seconds: Any) -> str:
    value = float(seconds)
    if np.isnan(value):
        return "none"
    return str(np.datetime64(round(value * 1e6), "us")) + "+00:00"


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
    bad_ticket = missing_id | duplicate

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

    # --- histories -------------------------------------------------------------------
    # Each history is linked and converted as soon as it is there. Problems are
    # gathered per step and listed in one fixed order: every link first (tables in
    # argument order), then every conversion.
    ticket_ids = _TicketIds(id_text, id_objects)
    linking: list[Problems] = []
    converting: list[Problems] = []

    def link(value: Any, name: str) -> _Events | None:
        table = as_table(value, name, mapping.get(name), timezone)
        if table is None:
            return None
        linking.append(Problems([]))
        return _link(table, ticket_ids, linking[-1], created)

    def step() -> Problems:
        converting.append(Problems([]))
        return converting[-1]

    if interactions is not None and messages is not None:
        raise InvalidParameterError("give either interactions or messages (they are the same table)")  # fmt: skip
    interaction_name = "messages" if messages is not None else "interactions"
    bad_rows_ticket: list[IntArray] = []

    def bad_rows(ev: _Events | None) -> _Events | None:
        if ev is not None:
            bad_rows_ticket.append(ev.ticket[ev.bad & (ev.ticket >= 0)])
        return ev

    messages_ev = bad_rows(link(interactions if interactions is not None else messages, interaction_name))  # fmt: skip
    calls_ev = bad_rows(link(_ticket_calls(calls, mapping.get("calls"), timezone), "calls"))
    interactions_table = _interactions(messages_ev, calls_ev, step(), n)
    bad_rows_ticket.append(interactions_table[1])
    status_ev = bad_rows(link(status_changes, "status_changes"))
    status_table, bad_status = _status_history(status_ev, step(), n)
    bad_rows_ticket.append(bad_status)
    assignment_table = _assignments(bad_rows(link(assignments, "assignments")), n)
    priority_ev = bad_rows(link(priority_changes, "priority_changes"))
    priority_table, bad_priority = _priority_history(priority_ev, step(), n)
    bad_rows_ticket.append(bad_priority)
    for part in (*linking, *converting):
        problems.items.extend(part.items)
    tag_table = _tags(t, tags, mapping.get("tags"), ticket_ids, created, problems, timezone)  # fmt: skip

    # Status and priority follow the last change when the ticket row does not say.
    status, bad_s = _follow_history(
        status, status_given, status_table, "status", TICKET_STATUSES, problems, id_objects
    )
    priority, bad_p = _follow_history(
        priority, priority_given, priority_table, "priority", PRIORITIES, problems, id_objects
    )
    bad_ticket |= bad_s | bad_p
    bad_ticket |= _check_milestones(
        milestones, interactions_table[0], status_table, problems, id_objects, n
    )
    for rows in bad_rows_ticket:
        bad_ticket[rows] = True

    batch = TicketBatch(
        ids=id_objects,
        created_at=created,
        first_reply_at=milestones["first_reply_at"],
        solved_at=milestones["solved_at"],
        channel=channel,
        group=group,
        segment=segment,
        customer_id=customer_id,
        agent_id=agent_id,
        priority=priority.astype(np.int8),
        status=status.astype(np.int8),
        created_by=created_by.astype(np.int8),
        tags=tag_table,
        interactions=interactions_table[0],
        status_changes=status_table,
        assignments=assignment_table,
        priority_changes=priority_table,
    )
    if errors == "raise":
        problems.raise_if_any("ticket", n)
        return batch
    if bad_ticket.any():
        batch = batch.select(~bad_ticket)
    return Collected(batch, tuple(problems.items))


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


def _interactions(
    messages: _Events | None, calls: _Events | None, problems: Problems, n: int
) -> tuple[EventTable, IntArray]:
    parts: list[dict[str, Any]] = []
    bad_tickets: list[IntArray] = []
    for ev, default_kind in ((messages, "message"), (calls, "call")):
        if ev is None:
            continue
        table, ids = ev.table, ev.ticket_ids
        name = ev.name
        if table.has("kind"):
            kind_codes, _ = _literal(table, "kind", ("message", "call"), problems, ids, default_kind, f"{name}.kind")  # fmt: skip
        else:
            kind_codes = np.full(table.n, 0 if default_kind == "message" else 1, dtype=np.int8)
        is_call = kind_codes == 1
        author, author_given = _literal(table, "author", AUTHORS, problems, ids, None, f"{name}.author")  # fmt: skip
        missing_author = ~is_call & ~author_given
        problems.add(missing_author, ids=ids, field=f"{name}.author", code="missing",
                     message="Field required")  # fmt: skip
        author[is_call] = _AGENT
        public, bad_public = table.bools("public", True)
        automated, bad_automated = table.bools("automated", False)
        durations = {}
        bad = (kind_codes < 0) | (author < 0) | missing_author | bad_public | bad_automated
        for column in _DURATIONS:
            values, malformed = table.floats(column, 0.0)
            negative = values < 0
            problems.add(
                negative, ids=ids, field=f"{name}.{column}", code="negative_duration",
                message=lambda r, v=values: f"duration of {v[r]:g} s is negative; durations must be zero or more",
            )  # fmt: skip
            bad |= negative
            bad |= malformed
            values[~is_call] = 0.0  # a message has no handling time
            durations[column] = values
        abandoned, bad_ab = table.bools("abandoned", False)
        transferred, bad_tr = table.bools("transferred", False)
        # Handling time is summed only where it matters: abandoned calls.
        suspects = np.flatnonzero(is_call & abandoned)
        both = np.zeros(table.n, dtype=bool)
        talk, hold, wrap = durations["talk"], durations["hold"], durations["wrap"]
        both[suspects] = (talk[suspects] + hold[suspects] + wrap[suspects]) > 0
        problems.add(
            both, ids=ids, field=name, code="answered_and_abandoned",
            message="a contact cannot be both abandoned and answered: abandoned=True with "
            "talk, hold or wrap time; set abandoned=False or the handling times to 0",
        )  # fmt: skip
        direction, _ = _literal(table, "direction", DIRECTIONS, problems, ids, "inbound", f"{name}.direction")  # fmt: skip
        bad |= both | bad_ab | bad_tr | (direction < 0)
        agent = table.categorical("agent_id")
        known = ev.ticket >= 0
        bad_tickets.append(ev.ticket[bad & known])
        np.maximum(kind_codes, 0, out=kind_codes)
        np.maximum(author, 0, out=author)
        public |= is_call
        automated &= ~is_call
        abandoned &= is_call
        transferred &= is_call
        np.maximum(direction, 0, out=direction)
        direction[~is_call] = 0
        columns: dict[str, Any] = {
            "ticket": ev.ticket, "at": ev.at, "kind": kind_codes, "author": author,
            "public": public, "automated": automated, "agent": agent, **durations,
            "abandoned": abandoned, "transferred": transferred, "direction": direction,
        }  # fmt: skip
        if not known.all():  # rows of unknown tickets are left out (and reported)
            rows = np.flatnonzero(known)
            columns = {
                k: v.take(rows) if isinstance(v, Categorical) else v[rows]
                for k, v in columns.items()
            }
        parts.append(columns)
    if not parts:
        return EventTable.empty(n), np.empty(0, dtype=np.int64)
    if len(parts) == 1:
        merged = parts[0]
        agent = merged.pop("agent")
    else:
        agent = merge_categoricals([p.pop("agent") for p in parts])
        merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    ticket, at = merged.pop("ticket"), merged.pop("at")
    cols: dict[str, Any] = {
        "kind": merged["kind"].astype(np.int8, copy=False),
        "author": merged["author"].astype(np.int8, copy=False),
        "public": merged["public"].astype(bool, copy=False),
        "automated": merged["automated"].astype(bool, copy=False),
        "agent_id": agent,
        **{c: merged[c].astype(np.float64, copy=False) for c in _DURATIONS},
        "abandoned": merged["abandoned"].astype(bool, copy=False),
        "transferred": merged["transferred"].astype(bool, copy=False),
        "direction": merged["direction"].astype(np.int8, copy=False),
    }
    events = _build(ticket, at, cols, n, messages if calls is None else None)
    return events, np.concatenate(bad_tickets) if bad_tickets else np.empty(0, dtype=np.int64)


def _in_order(ticket: IntArray, at: FloatArray, known: bool | None = None) -> bool:
    """Whether rows are sorted by ticket, then time (a missing time only alone)."""
    if known is not None:
        return known
    if ticket.size < 2:
        return True
    if not bool((ticket[1:] >= ticket[:-1]).all()):
        return False
    if np.isnan(at.min()):
        same = ticket[1:] == ticket[:-1]
        return bool(np.all(~same | (at[1:] >= at[:-1])))
    # Times may only go back where the ticket changes.
    back = np.flatnonzero(at[1:] < at[:-1])
    return not bool((ticket[back] == ticket[back + 1]).any())


def _offsets(ticket: IntArray, n: int, counts: npt.NDArray[Any] | None = None) -> IntArray:
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ticket, minlength=n) if counts is None else counts, out=offsets[1:])
    return offsets


def _build(
    ticket: IntArray,
    at: FloatArray,
    columns: dict[str, Any],
    n: int,
    hint: _Events | None = None,
) -> EventTable:
    if _in_order(ticket, at, None if hint is None else hint.in_order):
        # Already in (ticket, time) order, as the own schema is written: no sort.
        counts = None if hint is None else hint.counts
        return EventTable(_offsets(ticket, n, counts), ticket, at, columns)
    # Rows without a time (already reported) sort last within their ticket.
    table = EventTable.build(ticket, np.nan_to_num(at, nan=np.inf), columns, n)
    clean_at = np.where(np.isinf(table.at), np.nan, table.at)
    return EventTable(table.offsets, table.ticket, clean_at, table.columns)


def _kept(ev: _Events) -> tuple[IntArray | None, IntArray, FloatArray]:
    """``(rows, ticket, at)`` of the rows of known tickets (rows None: all of them)."""
    known = ev.ticket >= 0
    if known.all():
        return None, ev.ticket, ev.at
    rows = np.flatnonzero(known)
    return rows, ev.ticket[rows], ev.at[rows]


def _status_history(ev: _Events | None, problems: Problems, n: int) -> tuple[EventTable, IntArray]:
    if ev is None:
        return EventTable.empty(n), np.empty(0, dtype=np.int64)
    ids = ev.ticket_ids
    codes, given = _literal(ev.table, "status", TICKET_STATUSES, problems, ids, None, "status_changes.status")  # fmt: skip
    missing = ~given
    problems.add(missing, ids=ids, field="status_changes.status", code="missing",
                 message="Field required")  # fmt: skip
    kept, ticket, at = _kept(ev)
    status = codes if kept is None else codes[kept]
    if _in_order(ticket, at, ev.in_order):
        table = EventTable(_offsets(ticket, n, ev.counts), ticket, at, {"status": status})
        rows = kept
    else:
        positions = np.arange(ticket.size) if kept is None else kept
        key = np.nan_to_num(at, nan=np.inf)
        table = EventTable.build(ticket, key, {"status": status, "position": positions}, n)
        rows = table["position"]
    status = table["status"]
    # A change away from closed, after a closed change of the same ticket.
    leaves = np.flatnonzero(
        (status[:-1] == _CLOSED) & (status[1:] != _CLOSED) & (status[1:] >= 0)
    ) + 1  # fmt: skip
    leaves = leaves[table.ticket[leaves] == table.ticket[leaves - 1]]
    leaves_closed = np.zeros(status.size, dtype=bool)
    leaves_closed[leaves] = True
    if leaves.size:
        source = np.arange(status.size) if rows is None else rows
        problems.add(
            leaves_closed, ids=_Rows(lambda r: ids[source[r]]), field="status_changes.status",
            code="invalid_status_sequence", positions=source,
            message=lambda r: f"moves a closed ticket to {TICKET_STATUSES[status[r]]!r} at "
            f"{_iso(table.at[r])}; closed is final (a follow-up must be a new ticket)",
        )  # fmt: skip
    invalid = codes < 0
    bad = np.concatenate([ev.ticket[invalid & (ev.ticket >= 0)], table.ticket[leaves_closed]])
    table_at = table.at
    if np.isinf(table_at).any():
        table_at = np.where(np.isinf(table_at), np.nan, table_at)
    clean = EventTable(
        table.offsets, table.ticket, table_at, {"status": status.astype(np.int8, copy=False)}
    )
    return clean, bad


def _priority_history(
    ev: _Events | None, problems: Problems, n: int
) -> tuple[EventTable, IntArray]:
    if ev is None:
        return EventTable.empty(n), np.empty(0, dtype=np.int64)
    ids = ev.ticket_ids
    codes, given = _literal(ev.table, "priority", PRIORITIES, problems, ids, None, "priority_changes.priority")  # fmt: skip
    problems.add(~given, ids=ids, field="priority_changes.priority", code="missing",
                 message="Field required")  # fmt: skip
    kept, ticket, at = _kept(ev)
    priority = codes if kept is None else codes[kept]
    table = _build(ticket, at, {"priority": priority.astype(np.int8, copy=False)}, n, ev)
    return table, ev.ticket[(codes < 0) & (ev.ticket >= 0)]


def _assignments(ev: _Events | None, n: int) -> EventTable:
    if ev is None:
        return EventTable.empty(n)
    kept, ticket, at = _kept(ev)
    agent = ev.table.categorical("agent_id")
    group = ev.table.categorical("group")
    if kept is not None:
        agent, group = agent.take(kept), group.take(kept)
    return _build(ticket, at, {"agent_id": agent, "group": group}, n, ev)


def _tags(
    tickets_table: Table,
    tags: Any,
    mapping: Mapping[str, str] | None,
    tickets: _TicketIds,
    created: FloatArray,
    problems: Problems,
    timezone: str | None,
) -> EventTable:
    n = tickets_table.n
    ticket_parts: list[IntArray] = []
    tag_parts: list[Categorical] = []
    if tickets_table.has("tags"):
        pa, pc = _arrow()
        array = tickets_table.arrow("tags")
        if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
            rows = fixed_values(pc.list_parent_indices(array))
            words = pc.list_flatten(array)
            if not (pa.types.is_string(words.type) or pa.types.is_large_string(words.type)):
                words = pc.cast(words, pa.string())
        else:
            # A text column: tags separated by commas, semicolons or pipes.
            text = pc.replace_substring_regex(tickets_table.text("tags"), "[;|]", ",")
            split = pc.split_pattern(text, ",")
            rows = fixed_values(pc.list_parent_indices(split))
            words = pc.list_flatten(split)
        encoded = pc.dictionary_encode(tickets_table._clean(words))
        indices = np.asarray(dictionary_indices(encoded), dtype=np.int64)
        names = [str(w) for w in encoded.dictionary.to_pylist()]
        order = np.argsort(np.array(names, dtype=str)) if names else np.empty(0, np.int64)
        rank = np.empty(len(names), dtype=np.int64)
        rank[order] = np.arange(len(names))
        codes = np.where(indices >= 0, rank[np.maximum(indices, 0)] if names else -1, -1)
        tag = Categorical(codes.astype(np.int32), tuple(sorted(names)))
        rows = np.asarray(rows, dtype=np.int64)
        keep = tag.codes >= 0
        ticket_parts.append(rows[keep])
        tag_parts.append(tag.take(np.flatnonzero(keep)))
    if tags is not None:
        table = as_table(tags, "tags", mapping, timezone)
        assert table is not None
        table.require("ticket_id", "tag")
        linked = _ticket_rows(table, tickets, match_null=True)
        ticket = linked.ticket
        row_ids = _Rows(linked.value)
        problems.add(ticket < 0, ids=row_ids, field="tags.ticket_id",
                     code="unknown_ticket", message="ticket_id names no ticket in the tickets table",
                     inputs=row_ids)  # fmt: skip
        tag = table.categorical("tag")
        keep = (ticket >= 0) & (tag.codes >= 0)
        ticket_parts.append(ticket[keep])
        tag_parts.append(tag.take(np.flatnonzero(keep)))
    if not ticket_parts:
        return EventTable(
            np.zeros(n + 1, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0),
            {"tag": Categorical(np.empty(0, dtype=np.int32), ())},
        )  # fmt: skip
    ticket = np.concatenate(ticket_parts)
    tag = merge_categoricals(tag_parts)
    # A tag given twice for one ticket counts once (first occurrence kept).
    key = ticket * (len(tag.categories) + 1) + tag.codes
    _, first = np.unique(key, return_index=True)
    first.sort()
    return EventTable.build(ticket[first], created[ticket[first]], {"tag": tag.take(first)}, n)


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


# --- surveys, calls, customers ---------------------------------------------------------


def _finish(
    kind: str, columns: dict[str, Any], bad: BoolArray, problems: Problems, errors: str
) -> Any:
    table = RecordTable(kind, columns)
    if errors == "raise":
        problems.raise_if_any(kind.rstrip("s") if kind != "surveys" else "survey", len(table))
        return table
    return Collected(table.select(~bad) if bad.any() else table, tuple(problems.items))


def _object_column(table: Table, column: str) -> npt.NDArray[np.object_]:
    return table.strings(column)[0]


def to_survey_table(
    surveys: Any,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of survey answers into a :class:`RecordTable`, vectorised.

    Columns as in :class:`~cxmetrics.SurveyResponse`: ``kind``, ``score``
    (required), ``scale`` (default per kind), ``responded_at``, ``ticket_id``,
    ``customer_id``, ``agent_id``, ``channel``. Rules and codes as the model:
    ``literal_error``, ``invalid_scale``, ``score_out_of_scale``, ``naive_datetime``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_survey_table(pa.table({"kind": ["csat", "nps"], "score": [5, 9]}))
    >>> t["scale"].tolist(), t["kind"].tolist()
    ([5, 10], ['csat', 'nps'])
    >>> to_survey_table(pa.table({"id": ["s1"], "kind": ["csat"], "score": [6]}))
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: 1 invalid survey rows out of 1:
      surveys row 0 (id='s1'): surveys.score: csat score 6 is outside the 5-point scale 1-5
    """
    _check_mode(errors)
    t = as_table(surveys, "surveys", columns, timezone)
    assert t is not None
    t.require("kind", "score")
    problems = Problems([])
    ids = _object_column(t, "id") if t.has("id") else np.full(t.n, None, dtype=object)
    kinds = tuple(SCALES)
    kind, given = _literal(t, "kind", kinds, problems, ids, None, "surveys.kind")
    problems.add(~given, ids=ids, field="surveys.kind", code="missing", message="Field required")
    score, bad_score = t.floats("score")
    problems.add(np.isnan(score) & ~bad_score, ids=ids, field="surveys.score", code="missing",
                 message="Field required")  # fmt: skip
    default_scale = np.array([SCALES[k][0] for k in kinds])[kind.clip(0)]
    scale_values, bad_scale = t.floats("scale")
    scale = np.where(np.isnan(scale_values), default_scale, scale_values)
    ok_kind = kind >= 0
    valid_scale = np.zeros(t.n, dtype=bool)
    for code, name in enumerate(kinds):
        allowed = SCALES[name][1]
        rows = kind == code
        valid_scale |= rows & (scale >= 2 if allowed is None else np.isin(scale, allowed))
    invalid_scale = ok_kind & ~valid_scale
    problems.add(
        invalid_scale, ids=ids, field="surveys.scale", code="invalid_scale",
        message=lambda r: f"a {kinds[kind[r]]} scale is not {scale[r]:g}", inputs=scale,
    )  # fmt: skip
    low = np.where(kind == kinds.index("nps"), 0.0, 1.0)
    high = np.where(kind == kinds.index("nps"), 10.0, scale)
    outside = ok_kind & valid_scale & ~np.isnan(score) & ((score < low) | (score > high))
    fractional = (
        ok_kind & valid_scale & (kind != kinds.index("review")) & (score != np.round(score))
    )
    fractional &= ~outside & ~np.isnan(score)
    problems.add(
        outside, ids=ids, field="surveys.score", code="score_out_of_scale",
        message=lambda r: f"{kinds[kind[r]]} score {score[r]:g} is outside the {scale[r]:g}-point "
        f"scale {low[r]:g}-{high[r]:g}", inputs=score,
    )  # fmt: skip
    problems.add(
        fractional, ids=ids, field="surveys.score", code="score_out_of_scale",
        message=lambda r: f"{kinds[kind[r]]} score {score[r]:g} must be a whole number",
        inputs=score,
    )  # fmt: skip
    responded, bad_at = t.instants("responded_at", problems, ids)
    bad = ~ok_kind | np.isnan(score) | bad_score | bad_scale | invalid_scale | outside
    bad |= fractional | bad_at
    cols: dict[str, Any] = {
        "kind": np.array(kinds, dtype=object)[kind.clip(0)],
        "score": score,
        "scale": scale.astype(np.int64),
        "responded_at": responded,
    }
    for name in ("id", "ticket_id", "customer_id", "agent_id", "channel"):
        if t.has(name):
            cols[name] = _object_column(t, name)
    return _finish("surveys", cols, bad, problems, errors)


def to_call_table(
    calls: Any,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of live contacts into a :class:`RecordTable`, vectorised.

    Columns as in :class:`~cxmetrics.Call` (``at`` required; durations in seconds
    or as durations), plus an optional ``ticket_id``. Rules and codes as the
    model: ``negative_duration``, ``answered_and_abandoned``, ``naive_datetime``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_call_table(pa.table({"at": ["2024-03-01T09:00:00Z"], "talk": [120]}))
    >>> t["talk"].tolist(), t["abandoned"].tolist(), t["channel"].tolist()
    ([120.0], [False], ['phone'])
    """
    _check_mode(errors)
    t = as_table(calls, "calls", columns, timezone)
    assert t is not None
    t.require("at")
    problems = Problems([])
    ids = _object_column(t, "id") if t.has("id") else np.full(t.n, None, dtype=object)
    at, bad = t.instants("at", problems, ids)
    missing = np.isnan(at) & ~bad
    problems.add(missing, ids=ids, field="calls.at", code="missing", message="Field required")
    bad = bad | missing
    cols: dict[str, Any] = {"at": at}
    for column in _DURATIONS:
        values, malformed = t.floats(column, 0.0)
        negative = values < 0
        problems.add(
            negative, ids=ids, field=f"calls.{column}", code="negative_duration",
            message=lambda r, v=values: f"duration of {v[r]:g} s is negative; durations must be zero or more",
        )  # fmt: skip
        bad |= negative | malformed
        cols[column] = values
    for column in ("abandoned", "transferred"):
        values_b, malformed_b = t.bools(column, False)
        bad |= malformed_b
        cols[column] = values_b
    both = cols["abandoned"] & ((cols["talk"] + cols["hold"] + cols["wrap"]) > 0)
    problems.add(
        both, ids=ids, field="calls", code="answered_and_abandoned",
        message="a contact cannot be both abandoned and answered: abandoned=True with talk, "
        "hold or wrap time; set abandoned=False or the handling times to 0",
    )  # fmt: skip
    direction, _ = _literal(t, "direction", DIRECTIONS, problems, ids, "inbound", "calls.direction")
    bad |= both | (direction < 0)
    cols["direction"] = np.array(DIRECTIONS, dtype=object)[direction.clip(0)]
    channel, channel_missing = t.strings("channel")
    channel[channel_missing] = "phone"
    cols["channel"] = channel
    for name in ("id", "ticket_id", "customer_id", "agent_id", "queue"):
        cols[name] = _object_column(t, name)
    return _finish("calls", cols, bad, problems, errors)


def to_customer_table(
    customers: Any,
    *,
    revenue_changes: Any = None,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of customer lifetimes into a :class:`RecordTable`, vectorised.

    Columns as in :class:`~cxmetrics.Customer`: ``id``, ``since`` (required),
    ``until``, ``segment``, ``revenue``. Rules and codes as the model:
    ``left_before_joining``, ``greater_than_equal`` (negative revenue),
    ``naive_datetime``.

    ``revenue_changes`` is an optional second table, one row per upgrade or
    downgrade: ``customer_id``, ``at``, ``revenue`` (the new recurring revenue), as
    :class:`~cxmetrics.RevenueChange`. Its rows must name a customer
    (``unknown_customer``) and fall within the lifetime
    (``revenue_change_outside_lifetime``); a customer with a bad change is bad,
    as the model would reject it. The table keeps them per customer in a
    ``revenue_changes`` column of ``(k, 2)`` arrays of (epoch seconds, revenue).

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_customer_table(pa.table({"id": [1, 2], "since": ["2024-01-01Z", "2024-02-01Z"],
    ...                                 "until": [None, "2024-03-01Z"]}))
    >>> t["id"].tolist(), np.isnan(t["until"]).tolist()
    (['1', '2'], [True, False])
    >>> t = to_customer_table(
    ...     pa.table({"id": ["a"], "since": ["2024-01-01Z"], "revenue": [20.0]}),
    ...     revenue_changes=pa.table({"customer_id": ["a"], "at": ["2024-03-01Z"],
    ...                               "revenue": [35.0]}))
    >>> t["revenue_changes"][0].tolist()
    [[1709251200.0, 35.0]]
    """
    _check_mode(errors)
    t = as_table(customers, "customers", columns, timezone)
    assert t is not None
    t.require("id", "since")
    problems = Problems([])
    ids, missing_id = t.strings("id")
    problems.add(missing_id, ids=ids, field="customers.id", code="missing", message="Field required")  # fmt: skip
    since, bad_since = t.instants("since", problems, ids)
    no_since = np.isnan(since) & ~bad_since
    problems.add(no_since, ids=ids, field="customers.since", code="missing", message="Field required")  # fmt: skip
    until, bad_until = t.instants("until", problems, ids)
    early = until < since
    problems.add(
        early, ids=ids, field="customers.until", code="left_before_joining",
        message=lambda r: f"until ({_iso(until[r])}) is before since ({_iso(since[r])}): a "
        "customer cannot leave before joining",
    )  # fmt: skip
    revenue, bad_revenue = t.floats("revenue")
    negative = revenue < 0
    problems.add(negative, ids=ids, field="customers.revenue", code="greater_than_equal",
                 message="Input should be greater than or equal to 0", inputs=revenue)  # fmt: skip
    bad = missing_id | bad_since | no_since | bad_until | early | bad_revenue | negative
    cols: dict[str, Any] = {"id": ids, "since": since, "until": until, "revenue": revenue}
    cols["segment"] = _object_column(t, "segment")
    if revenue_changes is not None:
        changes = as_table(revenue_changes, "revenue_changes", None, timezone)
        assert changes is not None
        cols["revenue_changes"], bad_owner = _revenue_changes(changes, ids, since, until, problems)
        bad |= bad_owner
    return _finish("customers", cols, bad, problems, errors)


def _revenue_changes(
    table: Table,
    ids: npt.NDArray[np.object_],
    since: FloatArray,
    until: FloatArray,
    problems: Problems,
) -> tuple[npt.NDArray[np.object_], BoolArray]:
    """Per customer, its validated revenue changes; and the customers a bad one spoils."""
    table.require("customer_id", "at", "revenue")
    owner_ids, missing_owner = table.strings("customer_id")
    row_of = {customer: row for row, customer in enumerate(ids.tolist()) if customer is not None}
    owner = np.fromiter((row_of.get(c, -1) for c in owner_ids.tolist()), np.int64, table.n)
    known = owner >= 0
    problems.add(
        ~known & ~missing_owner, ids=owner_ids, field="revenue_changes.customer_id",
        code="unknown_customer", message="customer_id names no customer in the customers table",
        inputs=owner_ids,
    )  # fmt: skip
    problems.add(missing_owner, ids=owner_ids, field="revenue_changes.customer_id",
                 code="missing", message="Field required")  # fmt: skip
    at, bad_at = table.instants("at", problems, owner_ids)
    no_time = np.isnan(at) & ~bad_at
    problems.add(no_time, ids=owner_ids, field="revenue_changes.at", code="missing",
                 message="Field required")  # fmt: skip
    revenue, bad_revenue = table.floats("revenue")
    no_revenue = np.isnan(revenue) & ~bad_revenue
    problems.add(no_revenue, ids=owner_ids, field="revenue_changes.revenue", code="missing",
                 message="Field required")  # fmt: skip
    negative = revenue < 0
    problems.add(negative, ids=owner_ids, field="revenue_changes.revenue",
                 code="greater_than_equal", message="Input should be greater than or equal to 0",
                 inputs=revenue)  # fmt: skip
    row = np.maximum(owner, 0)
    end = np.where(np.isnan(until[row]), np.inf, until[row])
    outside = known & ~np.isnan(at) & ((at < since[row]) | (at > end))
    problems.add(
        outside, ids=owner_ids, field="revenue_changes.at",
        code="revenue_change_outside_lifetime",
        message=lambda r: f"revenue change at {_iso(at[r])} is outside the lifetime "
        f"{_iso(since[row[r]])} – {'now' if np.isinf(end[r]) else _iso(end[r])}",
    )  # fmt: skip
    bad = ~known | bad_at | no_time | bad_revenue | no_revenue | negative | outside
    spoiled = np.zeros(ids.size, dtype=bool)
    spoiled[owner[bad & known]] = True
    good = np.flatnonzero(~bad)
    # Per customer, by time (stable: equal instants keep the table's order).
    good = good[np.lexsort((at[good], owner[good]))]
    pairs = np.column_stack([at[good], revenue[good]])
    starts = np.searchsorted(owner[good], np.arange(ids.size + 1))
    per_customer = np.full(ids.size, None, dtype=object)
    for customer in np.flatnonzero(np.diff(starts)).tolist():
        per_customer[customer] = pairs[starts[customer] : starts[customer + 1]]
    return per_customer, spoiled
