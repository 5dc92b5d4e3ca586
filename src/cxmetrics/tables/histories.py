"""History tables to the event tables of a batch: interactions, statuses, assignments, tags.

Each function takes the rows of one history as :func:`~cxmetrics.tables.linking._link`
linked them to tickets, checks the columns of that history with the models' rules
(``literal_error``, ``missing``, ``negative_duration``, ``answered_and_abandoned``,
``invalid_status_sequence``…) and builds the
:class:`~cxmetrics.tables.ticket_batch.EventTable` in (ticket, time) order, without
sorting when the rows come in that order already. Rows naming no ticket are left
out (:func:`_link` reported them); each function also returns the tickets that a
bad row spoils.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.tables.arrow import dictionary_indices, fixed_values
from cxmetrics.tables.categoricals import merge_categoricals
from cxmetrics.tables.columns import Table, as_table
from cxmetrics.tables.frame_rules import (
    _DURATIONS,
    FloatArray,
    IntArray,
    _arrow,
    _iso,
    _literal,
    _Rows,
)
from cxmetrics.tables.linking import _Events, _ticket_rows, _TicketIds
from cxmetrics.tables.problems import Problems
from cxmetrics.tables.ticket_batch import AUTHORS, DIRECTIONS, Categorical, EventTable

_STATUS = {name: code for code, name in enumerate(TICKET_STATUSES)}
_SOLVED, _CLOSED = _STATUS["solved"], _STATUS["closed"]
_AGENT, _BOT = AUTHORS.index("agent"), AUTHORS.index("bot")


def _interactions(
    messages: _Events | None, calls: _Events | None, problems: Problems, n: int
) -> tuple[EventTable, IntArray]:
    """The interactions of the messages and the ticket calls, and the tickets of bad rows."""
    parts: list[dict[str, Any]] = []
    bad_tickets: list[IntArray] = []
    for ev, default_kind in ((messages, "message"), (calls, "call")):
        if ev is None:
            continue
        columns, bad = _interaction_columns(ev, default_kind, problems)
        bad_tickets.append(bad)
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


def _interaction_columns(
    ev: _Events, default_kind: str, problems: Problems
) -> tuple[dict[str, Any], IntArray]:
    """The checked columns of one interactions table's rows of known tickets.

    Also the ticket of each bad row; ``default_kind`` is the kind of a row that
    does not say (``"message"`` or ``"call"``).
    """
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
    public, bad_public = table.bools("public", True, problems=problems, ids=ids)
    automated, bad_automated = table.bools("automated", False, problems=problems, ids=ids)
    durations = {}
    bad = (kind_codes < 0) | (author < 0) | missing_author | bad_public | bad_automated
    for column in _DURATIONS:
        values, malformed = table.floats(column, problems=problems, ids=ids)
        if not table.has(column):
            values = np.zeros(table.n)
        # A call row with a missing duration is a problem, as ``Call(talk=None)``
        # is; message rows have no handling time (their cells are ignored).
        absent = is_call & np.isnan(values) & ~malformed
        problems.add(absent, ids=ids, field=f"{name}.{column}", code="missing",
                     message="Field required (a missing duration is not 0 s)")  # fmt: skip
        malformed |= absent
        values = np.where(np.isnan(values), 0.0, values)
        negative = values < 0
        problems.add(
            negative, ids=ids, field=f"{name}.{column}", code="negative_duration",
            message=lambda r, v=values: f"duration of {v[r]:g} s is negative; durations must be zero or more",
        )  # fmt: skip
        bad |= negative
        bad |= malformed
        values[~is_call] = 0.0  # a message has no handling time
        durations[column] = values
    abandoned, bad_ab = table.bools("abandoned", False, problems=problems, ids=ids)
    transferred, bad_tr = table.bools("transferred", False, problems=problems, ids=ids)
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
    bad_tickets = ev.ticket[bad & known]
    if not known.all():  # rows of unknown tickets are left out (and reported)
        rows = np.flatnonzero(known)
        columns = {
            k: v.take(rows) if isinstance(v, Categorical) else v[rows] for k, v in columns.items()
        }
    return columns, bad_tickets


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
