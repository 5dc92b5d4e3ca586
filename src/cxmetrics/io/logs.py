"""Generic loaders: event logs (one row per status change) and message logs (one row per message).

Both shapes are what many exports share: process-mining logs and ticket-history
exports are event logs (case id, timestamp, status or activity, optional actor);
chat, e-mail and social-media exports are message logs (conversation or
reply-to links, author role, timestamp). The loaders parse and validate whole
columns, then build a :class:`~cxmetrics.tables.ticket_batch.TicketBatch` through
:func:`~cxmetrics.io.to_ticket_batch`, so the record models' rules apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import FCR_FLAG_TAG
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io._log_columns import (
    BoolArray,
    FloatArray,
    Groups,
    IntArray,
    arrow_table,
    finish,
    group_codes,
    group_rows,
    mapped_codes,
    objects_of,
    read_times,
    text_column,
    whole_groups,
)
from cxmetrics.io._source import Source, _pa, read_source
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.tables.frame_rules import _check_mode
from cxmetrics.tables.problems import Problems
from cxmetrics.tables.ticket_batch import AUTHORS
from cxmetrics.tables.ticket_frames import to_ticket_batch

__all__ = ["read_event_log", "read_message_log"]

_TRUE = ("true", "t", "yes", "y", "1")

Errors = Literal["raise", "collect"]


def read_event_log(
    source: Any,
    *,
    case: str = "case_id",
    timestamp: str = "timestamp",
    status: str = "status",
    actor: str | None = None,
    group: str | None = None,
    fcr_flag: str | None = None,
    reopen_closed: bool = False,
    status_map: Mapping[str, str | None] | None = None,
    created_at: str | None = None,
    ticket_columns: Mapping[str, str] | None = None,
    value_maps: Mapping[str, Mapping[str, str | None]] | None = None,
    timestamp_format: str | None = None,
    timezone: str | None = None,
    null_values: Sequence[str] = ("",),
    errors: Errors = "raise",
    progress: bool = False,
) -> Any:
    """Load an event log (one row per status change or activity) as tickets.

    Each case becomes a ticket; its rows, ordered by time (file order breaks
    ties), become its status history and, with ``actor``, its assignments.

    Parameters
    ----------
    source : path or DataFrame
        CSV, JSON Lines or Parquet file, or a pandas / polars / pyarrow table.
    case, timestamp, status : str
        Columns of the case (ticket) id, the event time and the status or
        activity after the event.
    actor : str, optional
        Column of who handled the case at that event (agent or resource); each
        change of actor is an assignment, the last one is the ticket's agent.
    group : str, optional
        Column of the group (team, queue) handling the case at that event; each
        change of group is an assignment too, so ``group_stations`` and
        ``transfer_rate`` count reassignments between groups as well as between
        people. The last group named is the ticket's group.
    fcr_flag : str, optional
        Column of the log's own first-contact-resolution flag: a case whose value
        at its last event is true (``true``, ``t``, ``yes``, ``y`` or ``1``, any
        case) gets the tag ``"fcr_flag"`` (``cxmetrics.definitions.FCR_FLAG_TAG``),
        which the ``"flagged"`` FCR rule of :class:`~cxmetrics.Definitions` reads.
    reopen_closed : bool, default=False
        Keep a case that leaves ``closed`` (reopened after its close) as a reopen:
        each ``closed`` followed by another status becomes ``solved``, so leaving it
        is a reopen and only the final close is final. By default such a case is an
        ``invalid_status_sequence`` error (a closed ticket is final).
    status_map : mapping, optional
        Source status → one of ``new, open, pending, on_hold, solved, closed``, or
        ``None`` for activities that do not change the status. A status missing
        from the map is an ``unknown_status`` error (never silently dropped).
        Without a map, statuses must be our names (any case).
    created_at : str, optional
        Column of the case's creation time; by default (and when earlier) the
        first event's time.
    ticket_columns : mapping, optional
        Ticket field → source column, read from the case's last event:
        ``{"channel": "contact_type", "priority": "priority", "group": "team"}``.
    value_maps : mapping, optional
        Per ticket field, source value → our value, e.g.
        ``{"priority": {"1": "urgent", "2": "high", "3": "normal", "4": "low"}}``.
    timestamp_format : str, optional
        ``strptime`` format of ``timestamp`` and ``created_at`` (``"%d/%m/%Y %H:%M"``);
        by default ISO 8601, datetimes or epoch seconds.
    timezone : str, optional
        Zone of naive times (else naive times are errors).
    null_values : sequence of str, default=("",)
        Text meaning missing (ServiceNow writes ``"?"``).
    errors : {"raise", "collect"}, default="raise"
        ``"collect"`` returns :class:`~cxmetrics.io.Collected`: the cases without
        any problem, and every problem (a case with a bad row is left out whole).
    progress : bool, default=False
        Progress bar on stderr while reading a file.

    Returns
    -------
    TicketBatch or Collected

    Examples
    --------
    >>> import pyarrow as pa
    >>> log = pa.table({
    ...     "case": ["A", "A", "A", "B"],
    ...     "time": ["2024-03-04T09:00:00Z", "2024-03-04T09:30:00Z",
    ...              "2024-03-04T11:00:00Z", "2024-03-04T10:00:00Z"],
    ...     "state": ["Registered", "In Progress", "Done", "Registered"],
    ... })
    >>> batch = read_event_log(log, case="case", timestamp="time", status="state",
    ...     status_map={"Registered": "new", "In Progress": "open", "Done": "solved"})
    >>> batch.ids.tolist(), batch.status_changes.counts.tolist()
    (['A', 'B'], [3, 1])
    >>> from cxmetrics import resolution_time
    >>> resolution_time(batch)
    datetime.timedelta(seconds=7200)
    """
    _check_mode(errors)
    src = read_source(source, name="event log", null_values=null_values, progress=progress)
    mapped_columns = dict(ticket_columns or {})
    src.require(
        case, timestamp, status, actor, group, fcr_flag, created_at, *mapped_columns.values()
    )
    problems = Problems([])
    case_text, ids, missing_case = _case_ids(src, case, problems)
    at, bad = read_times(src, timestamp, timestamp_format, timezone, problems, ids)
    codes, bad_status = mapped_codes(
        src, status, status_map, TICKET_STATUSES, "status", problems, ids
    )
    if reopen_closed:
        codes = _reopened_closes(codes, at, case_text)
    bad_row = bad | bad_status | missing_case
    opened = None
    if created_at is not None:
        opened, bad_open = read_times(src, created_at, timestamp_format, timezone, problems, ids)
        bad_row |= bad_open
    case_code, names = group_codes(case_text)
    # A case with any bad row is left out whole (as in to_ticket_batch).
    bad_row = whole_groups(bad_row, case_code, len(names))

    def build(keep: BoolArray) -> Any:
        cases = group_rows(np.flatnonzero(keep & ~bad_row), at, case_code, len(names))
        tickets: dict[str, Any] = {
            "id": names[cases.used].astype(object),
            "created_at": _case_created(cases, at, opened),
        }
        view = src.view(None)
        tickets.update(_last_values(view, mapped_columns, value_maps, cases))
        case_ids = names[case_code[cases.order]]
        status_table = _status_changes(codes, at, cases, case_ids)
        assignments = None
        if actor is not None and group is None:
            who = objects_of(view.text(actor))[cases.order]
            assignments = _actor_changes(who, at, cases, case_ids)
            if "agent_id" not in tickets:
                tickets["agent_id"] = _last_actor(who, cases)
        elif group is not None:
            handlers = {"group": objects_of(view.text(group))[cases.order]}
            if actor is not None:
                handlers["agent_id"] = objects_of(view.text(actor))[cases.order]
            assignments = _handler_changes(handlers, at, cases, case_ids)
            for field, values in handlers.items():
                tickets.setdefault(field, _last_actor(values, cases))
        tags = None
        if fcr_flag is not None:
            flags = _true_values(view.text(fcr_flag))[cases.order][cases.last]
            tags = _flag_tags(flags, tickets["id"])
        _check_priorities(tickets)
        return to_ticket_batch(
            arrow_table(tickets),
            status_changes=arrow_table(status_table),
            assignments=assignments,
            tags=tags,
            errors=errors,
        )

    return finish(problems, bad_row, src, build, errors, "event log")


def _case_ids(
    src: Source, case: str, problems: Problems
) -> tuple[Any, npt.NDArray[np.object_], BoolArray]:
    """The case column: ``(text, ids, missing)``, a missing id reported."""
    case_text = text_column(src, case)
    ids = objects_of(case_text)
    missing: BoolArray = np.equal(ids, None)  # type: ignore[call-overload]
    problems.add(missing, ids=ids, field=case, code="missing", message="Field required")
    return case_text, ids, missing


def _case_created(cases: Groups, at: FloatArray, opened: FloatArray | None) -> FloatArray:
    """Each case's first event time, or its ``created_at`` column when earlier."""
    created = at[cases.order][cases.first]
    if opened is not None:
        earliest = (
            np.fmin.reduceat(opened[cases.order], cases.first) if cases.order.size else created
        )
        created = np.fmin(created, earliest)
    return created


def _status_changes(
    codes: IntArray, at: FloatArray, cases: Groups, ticket_ids: npt.NDArray[Any]
) -> dict[str, Any]:
    """The status-change columns: rows whose status differs from the case's previous one."""
    order, case_of = cases.order, cases.of
    status_codes = codes[order]
    changes = status_codes >= 0
    # Consecutive rows with the same status are updates, not changes.
    idx = np.flatnonzero(changes)
    previous = np.full(order.size, -2, dtype=np.int64)
    if idx.size:
        prev_idx = np.r_[-1, idx[:-1]]
        same = (prev_idx >= 0) & (case_of[idx] == case_of[np.maximum(prev_idx, 0)])
        previous[idx] = np.where(same, status_codes[np.maximum(prev_idx, 0)], -2)
    keep_change = changes & (status_codes != previous)
    return {
        "ticket_id": ticket_ids[keep_change].astype(object),
        "at": at[order][keep_change],
        "status": np.array(TICKET_STATUSES, dtype=object)[status_codes[keep_change]],
    }


def _actor_changes(
    who: npt.NDArray[np.object_], at: FloatArray, cases: Groups, ticket_ids: npt.NDArray[Any]
) -> Any:
    """The assignments table: each row whose actor differs from the case's previous row's."""
    case_of = cases.of
    same_case = np.r_[False, case_of[1:] == case_of[:-1]]
    present = ~np.equal(who, None)  # type: ignore[call-overload]
    changed = present & ~(same_case & (who == np.r_[None, who[:-1]]))
    return arrow_table(
        {
            "ticket_id": ticket_ids[changed].astype(object),
            "at": at[cases.order][changed],
            "agent_id": who[changed],
        }
    )


def _last_actor(who: npt.NDArray[np.object_], cases: Groups) -> npt.NDArray[np.object_]:
    """The ticket's agent: the last actor named in the case."""
    case_of = cases.of
    named = np.flatnonzero(~np.equal(who, None))  # type: ignore[call-overload]
    agent = np.full(cases.used.size, None, dtype=object)
    if named.size == 0:  # no kept row names an actor: no ticket has an agent
        return agent
    ends = named[np.r_[case_of[named][1:] != case_of[named][:-1], True]]
    agent[case_of[ends]] = who[ends]
    return agent


def _handler_changes(
    handlers: Mapping[str, npt.NDArray[np.object_]],
    at: FloatArray,
    cases: Groups,
    ticket_ids: npt.NDArray[Any],
) -> Any:
    """The assignments table: each row where a named handler (agent or group) changes.

    A row names both handlers as they stand then; a missing value is left out (an
    assignment naming only a group keeps the agent, and the other way round).
    """
    case_of = cases.of
    same_case = np.r_[False, case_of[1:] == case_of[:-1]]
    changed = np.zeros(case_of.size, dtype=bool)
    for values in handlers.values():
        present = ~np.equal(values, None)  # type: ignore[call-overload]
        changed |= present & ~(same_case & (values == np.r_[None, values[:-1]]))
    return arrow_table(
        {
            "ticket_id": ticket_ids[changed].astype(object),
            "at": at[cases.order][changed],
            **{field: values[changed] for field, values in handlers.items()},
        }
    )


def _true_values(text: Any) -> BoolArray:
    """Which cells of a (stripped) pyarrow text column read true, in any case."""
    pa, pc = _pa()
    found = pc.is_in(pc.utf8_lower(text), value_set=pa.array(_TRUE)).fill_null(False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _flag_tags(flagged: BoolArray, ids: npt.NDArray[Any]) -> Any:
    """The tags table: ``FCR_FLAG_TAG`` on every case whose flag reads true."""
    return arrow_table(
        {
            "ticket_id": ids[flagged].astype(object),
            "tag": np.full(int(flagged.sum()), FCR_FLAG_TAG, dtype=object),
        }
    )


def _reopened_closes(codes: IntArray, at: FloatArray, case_text: Any) -> IntArray:
    """``closed`` rows followed, later in their case, by another status become ``solved``."""
    closed, solved = TICKET_STATUSES.index("closed"), TICKET_STATUSES.index("solved")
    case_code, names = group_codes(case_text)
    rows = np.flatnonzero((codes >= 0) & (case_code >= 0))
    order = rows[np.lexsort((rows, at[rows], case_code[rows]))]
    position = np.empty(codes.size, dtype=np.int64)
    position[order] = np.arange(order.size)
    # The position of each case's last row in another status than closed.
    last_other = np.full(len(names), -1, dtype=np.int64)
    other = order[codes[order] != closed]
    np.maximum.at(last_other, case_code[other], position[other])
    reopened = (codes == closed) & (case_code >= 0)
    reopened[reopened] &= position[reopened] < last_other[case_code[reopened]]
    result: IntArray = np.where(reopened, solved, codes)
    return result


def _last_values(
    view: Any,
    mapped_columns: Mapping[str, str],
    value_maps: Mapping[str, Mapping[str, str | None]] | None,
    cases: Groups,
) -> dict[str, Any]:
    """Ticket field → its column's value at each case's last event, through its value map."""
    fields: dict[str, Any] = {}
    for field, column in mapped_columns.items():
        values = objects_of(view.text(column))[cases.order][cases.last]
        if value_maps and field in value_maps:
            table = value_maps[field]
            values = np.array(
                [table.get(v, v) if v is not None else None for v in values], dtype=object
            )
        fields[field] = values
    return fields


def _check_priorities(tickets: Mapping[str, Any]) -> None:
    """Raise on a priority that is not one of ours (the value maps should give ours)."""
    if "priority" not in tickets:
        return
    given = tickets["priority"]
    unknown = ~np.equal(given, None) & ~np.isin(given, PRIORITIES)  # type: ignore[call-overload]
    if unknown.any():
        raise InvalidParameterError(
            f"priority {given[unknown][0]!r} is not one of {', '.join(PRIORITIES)}; map "
            "it with value_maps={'priority': {...}}"
        )


def _message_roots(parent: IntArray) -> tuple[IntArray, BoolArray]:
    """The root of every message by pointer jumping; and the rows caught in a cycle.

    ``parent`` is each row's parent row, -1 for a message that starts a thread.
    Every row points at its parent, then each round every pointer jumps to where
    its target points, so after ``k`` rounds a row points ``2**k`` generations up
    (or at its root): ``log2(n)`` rounds of whole-array work. A row whose pointer
    ends on a message that has a parent never reached a root: it is in a reply
    cycle, of any length (a message replying to itself is one of length 1), or
    descends from one.

    Examples
    --------
    >>> root, cyclic = _message_roots(np.array([-1, 0, 1, 3, 5, 4, 5]))
    >>> root.tolist()[:3], cyclic.tolist()
    ([0, 0, 0], [False, False, False, True, True, True, True])
    """
    rows = np.arange(parent.size)
    root = np.where(parent >= 0, parent, rows)
    # A pointer that stopped moving is at a root or on a cycle whose length divides
    # the distance it jumped, so a fixed point alone does not tell the two apart.
    for _ in range(max(parent.size, 1).bit_length() + 1):
        jumped = root[root]
        if np.array_equal(jumped, root):
            break
        root = jumped
    cyclic: BoolArray = parent[root] >= 0
    return root, cyclic


def read_message_log(
    source: Any,
    *,
    timestamp: str = "at",
    role: str = "author",
    conversation: str | None = None,
    message_id: str | None = None,
    reply_to: str | None = None,
    role_map: Mapping[str, str | None] | None = None,
    agent: str | None = None,
    customer: str | None = None,
    public: str | None = None,
    channel: str = "email",
    timestamp_format: str | None = None,
    timezone: str | None = None,
    null_values: Sequence[str] = ("",),
    errors: Errors = "raise",
    progress: bool = False,
) -> Any:
    """Load a message log (one row per message) as tickets, one per conversation.

    Conversations come from a ``conversation`` id column, or from reply links
    (``message_id`` + ``reply_to``): every message belongs to the thread of the
    earliest ancestor present in the log. A ticket is created at its first
    message, by whoever wrote it.

    Parameters
    ----------
    source : path or DataFrame
    timestamp, role : str
        Columns of the message time and the author's role.
    conversation : str, optional
        Column of the conversation id. Either this or ``message_id`` and
        ``reply_to`` is needed.
    message_id, reply_to : str, optional
        Columns of the message id and of the id it replies to.
    role_map : mapping, optional
        Source role → ``customer``, ``agent``, ``bot`` or ``system`` (``None`` to
        skip the message), e.g. ``{"True": "customer", "False": "agent"}`` for an
        ``inbound`` flag. Unmapped values are ``unknown_author`` errors.
    agent : str, optional
        Column naming the author; on agent messages it is the ``agent_id``, and
        the ticket's agent is the first one who answered.
    customer : str, optional
        Column naming the author; the ticket's customer is the first customer's.
    public : str, optional
        Column of a public / internal-note flag (default: all public).
    channel : str, default="email"
        Channel of every conversation (``"social"``, ``"chat"``…).
    timestamp_format, timezone, null_values, errors, progress
        As in :func:`read_event_log`.

    Returns
    -------
    TicketBatch or Collected

    Examples
    --------
    >>> import pyarrow as pa
    >>> log = pa.table({
    ...     "id": ["1", "2", "3", "4"], "parent": [None, "1", "2", None],
    ...     "inbound": ["True", "False", "True", "True"],
    ...     "at": ["2024-03-04T09:00:00Z", "2024-03-04T09:20:00Z",
    ...            "2024-03-04T09:25:00Z", "2024-03-04T10:00:00Z"]})
    >>> batch = read_message_log(log, message_id="id", reply_to="parent", role="inbound",
    ...                          role_map={"True": "customer", "False": "agent"})
    >>> batch.ids.tolist(), batch.interactions.counts.tolist()
    (['1', '4'], [3, 1])
    >>> from cxmetrics import first_response_time
    >>> first_response_time(batch)
    datetime.timedelta(seconds=1200)
    """
    _check_mode(errors)
    if conversation is None and (message_id is None or reply_to is None):
        raise InvalidParameterError(
            "read_message_log needs conversation=, or both message_id= and reply_to="
        )
    src = read_source(source, name="message log", null_values=null_values, progress=progress)
    src.require(timestamp, role, conversation, message_id, reply_to, agent, customer, public)
    problems = Problems([])
    view = src.view(None)
    ids_text = text_column(src, message_id) if message_id is not None else None
    row_ids = objects_of(ids_text) if ids_text is not None else np.full(src.n, None, dtype=object)
    at, bad = read_times(src, timestamp, timestamp_format, timezone, problems, row_ids)
    author, bad_author = mapped_codes(src, role, role_map, AUTHORS, "author", problems, row_ids)
    bad |= bad_author
    if conversation is not None:
        conv_code, names, bad_thread = _by_conversation(src, conversation, row_ids, problems)
    else:
        assert ids_text is not None and message_id is not None and reply_to is not None
        conv_code, names, bad_thread = _by_reply_links(
            src, ids_text, message_id, reply_to, problems
        )
    bad_row = whole_groups(bad | bad_thread, conv_code, len(names))
    skipped = author < 0  # mapped to None: not a message of the conversation

    def build(keep: BoolArray) -> Any:
        rows = np.flatnonzero(keep & ~bad_row & ~skipped)
        convs = group_rows(rows, at, conv_code, len(names))
        ticket_ids = names[convs.used].astype(object)
        authors = author[convs.order]
        tickets: dict[str, Any] = {
            "id": ticket_ids,
            "created_at": at[convs.order][convs.first],
            "channel": np.full(convs.used.size, channel, dtype=object),
            "created_by": _created_by(authors[convs.first]),
        }
        is_agent = np.isin(authors, [AUTHORS.index("agent"), AUTHORS.index("bot")])
        messages: dict[str, Any] = {
            "ticket_id": ticket_ids[convs.of],
            "at": at[convs.order],
            "author": np.array(AUTHORS, dtype=object)[authors],
        }
        people = _people(view, agent, customer, authors, is_agent, convs)
        messages.update(people[0])
        tickets.update(people[1])
        if public is not None:
            messages["public"] = objects_of(view.text(public))[convs.order]
        return to_ticket_batch(arrow_table(tickets), messages=arrow_table(messages), errors=errors)

    return finish(problems, bad_row, src, build, errors, "message log")


def _by_conversation(
    src: Source, conversation: str, row_ids: npt.NDArray[Any], problems: Problems
) -> tuple[IntArray, npt.NDArray[np.object_], BoolArray]:
    """Threads from a conversation id column: ``(codes, ids, missing)``."""
    conv_text = text_column(src, conversation)
    missing = np.asarray(conv_text.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    problems.add(missing, ids=row_ids, field=conversation, code="missing",
                 message="Field required")  # fmt: skip
    conv_code, names = group_codes(conv_text)
    return conv_code, names, missing


def _by_reply_links(
    src: Source, ids_text: Any, message_id: str, reply_to: str, problems: Problems
) -> tuple[IntArray, npt.NDArray[np.object_], BoolArray]:
    """Threads from reply links, each named by its root message: ``(roots, ids, bad)``."""
    _, pc = _pa()
    # Exports often write integer ids as floats once a null appears ("3.0").
    ids_clean = pc.replace_substring_regex(ids_text, r"\.0$", "")
    parent_text = pc.replace_substring_regex(text_column(src, reply_to), r"\.0$", "")
    row_ids = objects_of(ids_clean)
    missing = np.asarray(ids_clean.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    problems.add(missing, ids=row_ids, field=str(message_id), code="missing",
                 message="Field required")  # fmt: skip
    parent = np.asarray(
        pc.index_in(parent_text, value_set=ids_clean).fill_null(-1).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    root, cyclic = _message_roots(parent)
    problems.add(cyclic, ids=row_ids, field=reply_to, code="reply_cycle",
                 message="replies form a cycle; no message starts the thread")  # fmt: skip
    return root, row_ids, missing | cyclic


def _created_by(first_author: IntArray) -> npt.NDArray[np.object_]:
    """Who opened each ticket, from the author code of its first message."""
    created_by: npt.NDArray[np.object_] = np.where(
        first_author == AUTHORS.index("customer"),
        "customer",
        np.where(first_author == AUTHORS.index("agent"), "agent", "system"),
    ).astype(object)
    return created_by


def _people(
    view: Any,
    agent: str | None,
    customer: str | None,
    authors: IntArray,
    is_agent: BoolArray,
    convs: Groups,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``agent_id`` of messages, and each ticket's agent and customer: the first one."""
    messages: dict[str, Any] = {}
    tickets: dict[str, Any] = {}
    for column, field, mask in ((agent, "agent_id", is_agent),
                                (customer, "customer_id", authors == 0)):  # fmt: skip
        if column is None:
            continue
        who = objects_of(view.text(column))[convs.order]
        if field == "agent_id":
            messages["agent_id"] = who.copy()
            messages["agent_id"][~is_agent] = None
        tickets[field] = _first_of_role(who, mask, convs)
    return messages, tickets


def _first_of_role(
    who: npt.NDArray[np.object_], mask: BoolArray, convs: Groups
) -> npt.NDArray[np.object_]:
    """The ticket's agent / customer: the first one of that role in the thread."""
    rows_of_role = np.flatnonzero(mask)
    value = np.full(convs.used.size, None, dtype=object)
    if rows_of_role.size:
        owners = convs.of[rows_of_role]
        firsts = rows_of_role[np.r_[True, owners[1:] != owners[:-1]]]
        value[convs.of[firsts]] = who[firsts]
    return value
