"""Per-ticket measures, vectorised over a :class:`~cxmetrics.tables.ticket_batch.TicketBatch`.

Every function here works on whole columns. The histories are sorted by ticket and
time (compressed sparse rows), so "the first reply of each ticket" is a
first-occurrence lookup, "the time spent pending" is a sum of status segments per
ticket, and business time is one vectorised calendar call per kind of instant. No
Python loop runs per ticket.

Business time is read off a *business clock*: ``clock(t) = business seconds from a
fixed origin to t``, so every duration ``end - start`` in business time is
``clock(end) - clock(start)`` (business time is additive). The clock is read once
per instant, not once per pair, which is what keeps a million tickets fast.

These pieces are public so other kernels (SLA clocks, reports) can reuse them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import Definitions
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tables.ticket_batch import (
    AUTHORS,
    CREATED_BY,
    KIND_CALL,
    KIND_MESSAGE,
    Categorical,
    EventTable,
    TicketBatch,
    rows_of_tickets,
)
from cxmetrics.tickets.table import ColumnTable, TakenColumns, TicketTable

__all__ = [
    "AGENT_WAIT_STATUSES",
    "ON_HOLD_STATUSES",
    "REQUESTER_WAIT_STATUSES",
    "ReplyExchanges",
    "StatusSegments",
    "backlog_counts",
    "business_clock",
    "customer_mask",
    "elapsed",
    "first_per_ticket",
    "measure_as_subset",
    "measured",
    "nth_per_ticket",
    "opening_replies",
    "reopen_events",
    "reply_exchanges",
    "reply_mask",
    "resolved_at_instants",
    "segment_bounds",
    "segment_totals",
    "select_measures",
    "shared_measures",
    "solve_events",
    "stations",
    "status_segments",
    "ticket_metrics",
    "unresolved_intervals",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_AGENT, _CUSTOMER, _BOT = AUTHORS.index("agent"), AUTHORS.index("customer"), AUTHORS.index("bot")
_STATUS = {name: code for code, name in enumerate(TICKET_STATUSES)}
_NEW, _SOLVED, _CLOSED = _STATUS["new"], _STATUS["solved"], _STATUS["closed"]

REQUESTER_WAIT_STATUSES: tuple[str, ...] = ("new", "open", "on_hold")
"""Zendesk's requester wait: the requester sees on-hold as open."""
AGENT_WAIT_STATUSES: tuple[str, ...] = ("pending",)
"""Zendesk's agent wait: waiting on the requester."""
ON_HOLD_STATUSES: tuple[str, ...] = ("on_hold",)
"""Zendesk's on-hold time: waiting on a third party."""


# --- time -----------------------------------------------------------------------------


def elapsed(calendar: Any, starts: FloatArray, ends: FloatArray) -> FloatArray:
    """Seconds from ``starts`` to ``ends``: business seconds with a calendar, else elapsed.

    NaN in either array gives NaN; the result is signed (negative when an end
    precedes its start).

    Examples
    --------
    >>> elapsed(None, np.array([0.0, np.nan]), np.array([90.0, 5.0])).tolist()
    [90.0, nan]
    """
    if calendar is None:
        return ends - starts
    result: FloatArray = calendar.business_seconds(starts, ends)
    return result


def business_clock(calendar: Any, instants: FloatArray, origin: float) -> FloatArray:
    """Read a clock at every instant: business seconds since ``origin`` (elapsed without calendar).

    ``clock(end) - clock(start)`` is the (business) duration from start to end, so a
    kernel that needs many durations between few instants reads the clock once per
    instant. NaN instants read NaN.

    Examples
    --------
    >>> business_clock(None, np.array([100.0, 160.0, np.nan]), 100.0).tolist()
    [0.0, 60.0, nan]
    """
    if calendar is None:
        result: FloatArray = instants - origin
        return result
    if instants.size == 0:
        return np.empty(0)
    # A one-element origin broadcasts: the calendar looks it up once, not once per instant.
    return elapsed(calendar, np.array([origin]), instants)


def _origin(batch: TicketBatch) -> float:
    finite = batch.created_at[np.isfinite(batch.created_at)]
    return float(finite.min()) if finite.size else 0.0


# --- event lookups ----------------------------------------------------------------------


def first_per_ticket(table: EventTable, mask: BoolArray, n: int) -> IntArray:
    """Row index of the first row of each ticket where ``mask`` holds (-1 if none).

    Examples
    --------
    >>> t = EventTable.build(np.array([0, 0, 1]), np.array([1.0, 2.0, 3.0]), {}, 3)
    >>> first_per_ticket(t, np.array([False, True, True]), 3).tolist()
    [1, 2, -1]
    """
    return nth_per_ticket(table, mask, n, 0)


def nth_per_ticket(table: EventTable, mask: BoolArray, n: int, k: int) -> IntArray:
    """Row index of the ``k``-th (0-based) row of each ticket where ``mask`` holds, or -1.

    Examples
    --------
    >>> t = EventTable.build(np.array([0, 0, 0]), np.array([1.0, 2.0, 3.0]), {}, 1)
    >>> nth_per_ticket(t, np.array([True, False, True]), 1, 1).tolist()
    [2]
    """
    rows = np.flatnonzero(mask)
    out = np.full(n, -1, dtype=np.int64)
    if rows.size == 0:
        return out
    tickets = table.ticket[rows]
    starts = np.flatnonzero(np.concatenate([[True], tickets[1:] != tickets[:-1]]))
    counts = np.diff(np.concatenate([starts, [rows.size]]))
    has = counts > k
    out[tickets[starts[has]]] = rows[starts[has] + k]
    return out


def _first_of_runs(ticket: IntArray) -> BoolArray:
    """True at the first row of each ticket in a ticket-sorted index."""
    if ticket.size == 0:
        return np.zeros(0, dtype=bool)
    return np.concatenate([[True], ticket[1:] != ticket[:-1]])


# --- replies ------------------------------------------------------------------------------


def reply_mask(interactions: EventTable, definitions: Definitions) -> BoolArray:
    """Which interactions are replies to the customer under ``definitions``.

    Public, human, non-automated agent messages always count; bot messages,
    internal notes, automated messages and answered calls count when the
    definitions say so. Abandoned calls never count.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, interactions=[
    ...     Message(at=t0, author="agent"), Message(at=t0, author="bot"),
    ...     Message(at=t0, author="agent", public=False)])])
    >>> reply_mask(batch.interactions, Definitions()).tolist()
    [True, False, False]
    >>> reply_mask(batch.interactions, Definitions(count_bots=True)).tolist()
    [True, True, False]
    """
    if len(interactions) == 0:
        return np.zeros(0, dtype=bool)
    kind, author = interactions["kind"], interactions["author"]
    public, automated = interactions["public"], interactions["automated"]
    message = kind == KIND_MESSAGE
    agent = message & (author == _AGENT)
    mask = agent & public & ~automated
    if definitions.count_internal_notes:
        mask |= agent & ~public & ~automated
    if definitions.count_automated:
        mask |= agent & public & automated
    if definitions.count_bots:
        mask |= message & (author == _BOT) & public
    if definitions.count_calls:
        mask |= (kind == KIND_CALL) & ~interactions["abandoned"]
    result: BoolArray = mask
    return result


def customer_mask(interactions: EventTable) -> BoolArray:
    """Messages written by the customer (public or not).

    Examples
    --------
    >>> customer_mask(EventTable.empty(2)).tolist()
    []
    """
    if len(interactions) == 0:
        return np.zeros(0, dtype=bool)
    result: BoolArray = (interactions["kind"] == KIND_MESSAGE) & (
        interactions["author"] == _CUSTOMER
    )
    return result


def opening_replies(batch: TicketBatch, replies: BoolArray, asks: BoolArray) -> BoolArray:
    """Replies that open a ticket created by an agent or the system.

    The ticket's first reply-or-customer message is a reply: the agent's own opening
    message, which answers nobody (Zendesk moves first reply time to the next one).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> msgs = [Message(at=t0, author="agent"), Message(at=t0, author="customer"),
    ...         Message(at=t0, author="agent")]
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, created_by="agent", interactions=msgs)])
    >>> ix = batch.interactions
    >>> opening_replies(batch, reply_mask(ix, Definitions()), customer_mask(ix)).tolist()
    [True, False, False]
    """
    ix = batch.interactions
    out = np.zeros(len(ix), dtype=bool)
    rows = np.flatnonzero(replies | asks)
    if rows.size == 0:
        return out
    firsts = rows[_first_of_runs(ix.ticket[rows])]
    agent_opened = batch.created_by[ix.ticket[firsts]] != CREATED_BY.index("customer")
    out[firsts[agent_opened & replies[firsts]]] = True
    return out


@dataclass(frozen=True, eq=False)
class ReplyExchanges:
    """One row per customer→agent exchange: a reply and the oldest message it answers.

    Attributes
    ----------
    ticket : int64 array
        Ticket index of the exchange (sorted).
    asked_at, replied_at : float64 arrays
        The oldest unanswered customer message (or the ticket's creation, for its
        first exchange) and the reply, in epoch seconds.
    asked_row, replied_row : int64 arrays
        Interaction rows of the two; ``asked_row`` is -1 when the exchange starts
        at the ticket's creation.
    first : bool array
        The ticket's first exchange.
    """

    ticket: IntArray
    asked_at: FloatArray
    replied_at: FloatArray
    asked_row: IntArray
    replied_row: IntArray
    first: BoolArray

    def __len__(self) -> int:
        return int(self.ticket.size)


def reply_exchanges(
    interactions: EventTable,
    replies: BoolArray,
    asks: BoolArray,
    opened_at: FloatArray | None = None,
) -> ReplyExchanges:
    """Pair every reply with the oldest customer message left unanswered before it.

    A run of customer messages collapses to its first (oldest) one; a reply that
    follows another reply with no customer message between them answers nothing.
    Where ``opened_at[ticket]`` is finite the ticket starts out waiting at that
    instant (a ticket opened by the customer waits from its creation), so its first
    exchange is measured from there.

    Examples
    --------
    >>> kinds = {"kind": np.zeros(5, np.int8), "author": np.array([0, 0, 1, 1, 0], np.int8)}
    >>> ix = EventTable.build(np.zeros(5, np.int64), np.array([5., 10., 30., 40., 50.]), kinds, 1)
    >>> replies, asks = kinds["author"] == 1, kinds["author"] == 0
    >>> ex = reply_exchanges(ix, replies, asks)
    >>> ex.asked_at.tolist(), ex.replied_at.tolist(), ex.first.tolist()
    ([5.0], [30.0], [True])
    >>> reply_exchanges(ix, replies, asks, opened_at=np.array([0.0])).asked_at.tolist()
    [0.0]
    """
    rows = np.flatnonzero(asks | replies)
    if rows.size == 0:
        empty_i = np.empty(0, dtype=np.int64)
        return ReplyExchanges(
            empty_i, np.empty(0), np.empty(0), empty_i, empty_i, np.empty(0, dtype=bool)
        )
    ticket = interactions.ticket[rows]
    is_reply = replies[rows]
    position = np.arange(rows.size)
    new_ticket = _first_of_runs(ticket)
    waiting_from_start = (
        new_ticket & np.isfinite(opened_at[ticket])
        if opened_at is not None
        else np.zeros(rows.size, dtype=bool)
    )
    # An opener starts a run of unanswered customer messages: a customer message
    # right after a reply (or at the ticket's start), or the ticket's start itself
    # when the ticket waits from its creation.
    after_reply = np.concatenate([[False], is_reply[:-1]]) & ~new_ticket
    opener = (~is_reply & (new_ticket | after_reply)) | waiting_from_start
    last_opener = np.maximum.accumulate(np.where(opener, position, -1))
    previous_reply = np.concatenate(
        [[-1], np.maximum.accumulate(np.where(is_reply, position, -1))[:-1]]
    )
    ticket_start = np.maximum.accumulate(np.where(new_ticket, position, -1))
    # A reply answers when an opener of its ticket follows the previous reply (an
    # opener at the reply itself is the ticket's creation).
    answers = is_reply & (last_opener >= ticket_start) & (last_opener > previous_reply)
    reply_positions = np.flatnonzero(answers)
    opener_positions = last_opener[reply_positions]
    from_start = waiting_from_start[opener_positions]
    exchange_ticket = ticket[reply_positions]
    asked_row = np.where(from_start, -1, rows[opener_positions])
    asked_at = np.where(
        from_start,
        opened_at[exchange_ticket] if opened_at is not None else np.nan,
        interactions.at[rows[opener_positions]],
    )
    return ReplyExchanges(
        exchange_ticket,
        asked_at,
        interactions.at[rows[reply_positions]],
        asked_row.astype(np.int64, copy=False),
        rows[reply_positions].astype(np.int64, copy=False),
        _first_of_runs(exchange_ticket),
    )


# --- statuses -----------------------------------------------------------------------------


def _previous_status(status_changes: EventTable) -> npt.NDArray[np.int64]:
    """Status before each change (``new`` at a ticket's first change)."""
    status = status_changes["status"].astype(np.int64, copy=False)
    previous = np.concatenate([[_NEW], status[:-1]])
    result: npt.NDArray[np.int64] = np.where(_first_of_runs(status_changes.ticket), _NEW, previous)
    return result


def solve_events(status_changes: EventTable) -> BoolArray:
    """Which status changes are solves: from an unresolved status into solved or closed.

    Solved → closed is not a new solve (the ticket was already resolved); closing a
    ticket that was never solved is (Zendesk's "closed by a business rule" case).

    Examples
    --------
    >>> codes = np.array([TICKET_STATUSES.index(s) for s in ["solved", "closed"]], np.int8)
    >>> sc = EventTable.build(np.zeros(2, np.int64), np.array([1.0, 2.0]), {"status": codes}, 1)
    >>> solve_events(sc).tolist()
    [True, False]
    """
    if len(status_changes) == 0:
        return np.zeros(0, dtype=bool)
    status = status_changes["status"]
    previous = _previous_status(status_changes)
    resolved_now = (status == _SOLVED) | (status == _CLOSED)
    resolved_before = (previous == _SOLVED) | (previous == _CLOSED)
    result: BoolArray = resolved_now & ~resolved_before
    return result


def reopen_events(status_changes: EventTable) -> BoolArray:
    """Which status changes are reopens: from solved back to an unresolved status.

    Examples
    --------
    >>> codes = np.array([TICKET_STATUSES.index(s) for s in ["solved", "open", "solved"]], np.int8)
    >>> sc = EventTable.build(np.zeros(3, np.int64), np.array([1.0, 2.0, 3.0]), {"status": codes}, 1)
    >>> reopen_events(sc).tolist()
    [False, True, False]
    """
    if len(status_changes) == 0:
        return np.zeros(0, dtype=bool)
    status = status_changes["status"]
    previous = _previous_status(status_changes)
    result: BoolArray = (previous == _SOLVED) & (status != _SOLVED) & (status != _CLOSED)
    return result


@dataclass(frozen=True, eq=False)
class StatusSegments:
    """Every status segment of every ticket, ticket-sorted.

    A ticket is ``new`` from its creation to its first status change, then in each
    changed-to status until the next change; its last segment has no end (NaN).

    Attributes
    ----------
    ticket, status : int64 arrays
        Ticket index and status code (index into ``TICKET_STATUSES``).
    start, end : float64 arrays
        Epoch seconds; ``end`` is NaN for each ticket's current segment.
    start_row, end_row : int64 arrays
        Status-change row that starts / ends the segment (-1: the creation / none).
    """

    ticket: IntArray
    status: IntArray
    start: FloatArray
    end: FloatArray
    start_row: IntArray
    end_row: IntArray

    def __len__(self) -> int:
        return int(self.ticket.size)


def status_segments(batch: TicketBatch) -> StatusSegments:
    """The status segments of every ticket (creation counts as entering ``new``).

    Built positionally from the sorted history: no sort, one pass.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=t0 + timedelta(seconds=60), status="solved")])])
    >>> s = status_segments(batch)
    >>> [TICKET_STATUSES[c] for c in s.status], (s.end - s.start).tolist()
    (['new', 'solved'], [60.0, nan])
    """
    sc = batch.status_changes
    n = len(batch)
    size = n + len(sc)
    heads, changes = _segment_positions(batch)
    ticket = np.empty(size, dtype=np.int64)
    status = np.empty(size, dtype=np.int64)
    start_row = np.empty(size, dtype=np.int64)
    ticket[heads], ticket[changes] = np.arange(n), sc.ticket
    status[heads] = _NEW
    start_row[heads], start_row[changes] = -1, np.arange(len(sc))
    if len(sc):
        status[changes] = sc["status"]
    start, end = segment_bounds(batch, batch.created_at, sc.at)
    last = np.isnan(end)
    end_row = np.where(last, -1, np.concatenate([start_row[1:], [-1]]))
    return StatusSegments(ticket, status, start, end, start_row, end_row)


def _segment_positions(batch: TicketBatch) -> tuple[IntArray, IntArray]:
    """Positions of each ticket's creation and of each status change among the segments."""
    sc = batch.status_changes
    heads: IntArray = sc.offsets[:-1] + np.arange(len(batch))
    changes: IntArray = np.arange(len(sc)) + sc.ticket + 1
    return heads, changes


def segment_bounds(
    batch: TicketBatch, at_created: FloatArray, at_changes: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Start and end of every status segment, read on any clock.

    ``at_created`` holds one reading per ticket (its creation), ``at_changes`` one
    per status change: epoch seconds, or business-clock readings. The result is in
    the layout of :func:`status_segments`; the open-ended last segment of each
    ticket ends at NaN.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=t0 + timedelta(seconds=60), status="solved")])])
    >>> segment_bounds(batch, np.array([0.0]), np.array([7.0]))
    (array([0., 7.]), array([ 7., nan]))
    """
    heads, changes = _segment_positions(batch)
    size = heads.size + changes.size
    start = np.empty(size)
    start[heads], start[changes] = at_created, at_changes
    end = np.empty(size)
    if size:
        end[:-1] = start[1:]
        end[heads - 1] = np.nan  # the segment before a ticket's creation is its predecessor's last
        end[-1] = np.nan
    return start, end


def segment_totals(
    segments: StatusSegments, seconds: FloatArray, statuses: tuple[str, ...], n: int
) -> FloatArray:
    """Per ticket, the sum of ``seconds`` over its segments in ``statuses``.

    ``seconds`` is one duration per segment (calendar or business). A ticket whose
    current (open-ended) segment is one of ``statuses`` is still accumulating:
    its total is NaN.

    Examples
    --------
    >>> segs = StatusSegments(np.array([0, 0, 1]), np.array([0, 1, 0]), np.zeros(3),
    ...                       np.array([5.0, np.nan, np.nan]), np.zeros(3, np.int64),
    ...                       np.zeros(3, np.int64))
    >>> segment_totals(segs, np.array([5.0, np.nan, np.nan]), ("new",), 2).tolist()
    [5.0, nan]
    """
    totals, unfinished = _status_totals(segments, seconds, n)
    return _wait(totals, unfinished, statuses)


def _status_totals(
    segments: StatusSegments, seconds: FloatArray, n: int
) -> tuple[FloatArray, BoolArray]:
    """Per ticket and status: the summed ``seconds``, and whether a segment is open-ended."""
    width = len(TICKET_STATUSES)
    key = segments.ticket * width + segments.status
    open_ended = np.isnan(seconds)
    weights = np.where(open_ended, 0.0, seconds)
    totals: FloatArray = np.bincount(key, weights=weights, minlength=n * width).astype(
        np.float64, copy=False
    )
    unfinished: BoolArray = np.zeros(n * width, dtype=bool)
    unfinished[key[open_ended]] = True
    return totals.reshape(n, width), unfinished.reshape(n, width)


def _wait(totals: FloatArray, unfinished: BoolArray, statuses: tuple[str, ...]) -> FloatArray:
    codes = [_STATUS[s] for s in statuses]
    result: FloatArray = np.where(
        unfinished[:, codes].any(axis=1), np.nan, totals[:, codes].sum(axis=1)
    )
    return result


def resolved_at_instants(batch: TicketBatch, instants: FloatArray) -> npt.NDArray[np.bool_]:
    """Whether each ticket was resolved at each instant: a (tickets, instants) matrix.

    Read from the status history (a ticket solved, then reopened, was resolved in
    between); without a history, from ``solved_at`` (or, when that is missing, the
    current status at every instant). Tickets not yet created are unresolved.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=t0 + timedelta(hours=1), status="solved")])])
    >>> resolved_at_instants(batch, np.array([t0.timestamp(), t0.timestamp() + 7200])).tolist()
    [[False, True]]
    """
    segments = status_segments(batch)
    n = len(batch)
    out = np.zeros((n, instants.size), dtype=bool)
    resolved_codes = (segments.status == _SOLVED) | (segments.status == _CLOSED)
    for j, instant in enumerate(instants):  # a loop over instants, not tickets
        inside = (segments.start <= instant) & ~(segments.end <= instant) & resolved_codes
        out[segments.ticket[inside], j] = True
    flat = np.diff(batch.status_changes.offsets) == 0
    flat_resolved = np.isin(batch.status, [_SOLVED, _CLOSED])
    known = np.isfinite(batch.solved_at)
    by_time = batch.solved_at[:, None] <= instants[None, :]
    flat_value = np.where(known[:, None], by_time, flat_resolved[:, None])
    created = batch.created_at[:, None] <= instants[None, :]
    result: npt.NDArray[np.bool_] = np.where(flat[:, None], flat_value, out) & created
    return result


def unresolved_intervals(batch: TicketBatch) -> tuple[IntArray, FloatArray, FloatArray]:
    """Every interval ``[start, end)`` during which a ticket was unresolved (the backlog).

    From the status history: the unresolved segments (``end`` is ``inf`` for a
    ticket unresolved now). Without a history: ``[created, solved_at)``, or
    ``[created, inf)`` when unresolved; a resolved ticket without any solve time
    has no interval (it is resolved at every instant). At most one interval of a
    ticket contains any instant.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=t0 + timedelta(seconds=60), status="solved"),
    ...     StatusChange(at=t0 + timedelta(seconds=90), status="open")])])
    >>> ticket, start, end = unresolved_intervals(batch)
    >>> (start - t0.timestamp()).tolist(), (end - t0.timestamp()).tolist()
    ([0.0, 90.0], [60.0, inf])
    """
    segments = status_segments(batch)
    flat = np.diff(batch.status_changes.offsets) == 0
    unresolved = ~np.isin(segments.status, [_SOLVED, _CLOSED])
    end = np.where(np.isnan(segments.end), np.inf, segments.end)
    flat_segment = flat[segments.ticket]
    flat_resolved = np.isin(batch.status, [_SOLVED, _CLOSED])[segments.ticket]
    solved_at = batch.solved_at[segments.ticket]
    end = np.where(flat_segment & flat_resolved, solved_at, end)
    keep = np.where(flat_segment, ~(flat_resolved & np.isnan(solved_at)), unresolved)
    return segments.ticket[keep], segments.start[keep], end[keep]


def backlog_counts(batch: TicketBatch, instants: FloatArray) -> IntArray:
    """Number of tickets unresolved at each instant (created by then, not resolved then).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc).timestamp()
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=datetime(2024, 3, 4, tzinfo=timezone.utc))])
    >>> backlog_counts(batch, np.array([t0 - 1, t0, t0 + 1e6])).tolist()
    [0, 1, 1]
    """
    _, start, end = unresolved_intervals(batch)
    started = np.searchsorted(np.sort(start), instants, side="right")
    ended = np.searchsorted(np.sort(end), instants, side="right")
    result: IntArray = (started - ended).astype(np.int64, copy=False)
    return result


# --- stations ------------------------------------------------------------------------------


def stations(table: EventTable, column: str, current: Any, n: int) -> IntArray:
    """Number of stations per ticket: runs of equal, known values in an assignment history.

    A → B → A is three stations (two transfers). Rows without a value (an
    assignment naming only a group has no agent) are skipped. A ticket without any
    assignment has one station when ``current`` (the ticket's own column) is set.

    Examples
    --------
    >>> from cxmetrics.tables.ticket_batch import Categorical
    >>> t = EventTable.build(np.zeros(4, np.int64), np.arange(4.0),
    ...                      {"agent_id": Categorical.from_values(["a", None, "b", "a"])}, 1)
    >>> stations(t, "agent_id", Categorical.from_values([None]), 1).tolist()
    [3]
    """
    fallback: IntArray = (current.codes >= 0).astype(np.int64, copy=False)
    if len(table) == 0:
        return fallback
    codes = table[column].codes
    known = np.flatnonzero(codes >= 0)
    ticket, value = table.ticket[known], codes[known]
    change = _first_of_runs(ticket) | np.concatenate([[True], value[1:] != value[:-1]])
    counts: IntArray = np.bincount(ticket[change], minlength=n).astype(np.int64, copy=False)
    no_history = np.diff(table.offsets) == 0
    result: IntArray = np.where(no_history, fallback, counts)
    return result


def _distinct_per_ticket(ticket: IntArray, codes: npt.NDArray[Any], n: int) -> IntArray:
    known = codes >= 0
    if not known.any():
        return np.zeros(n, dtype=np.int64)
    width = int(codes.max()) + 1
    pairs = np.unique(ticket[known] * width + codes[known])
    result: IntArray = np.bincount(pairs // width, minlength=n).astype(np.int64, copy=False)
    return result


# --- the table --------------------------------------------------------------------------------


def ticket_metrics(
    tickets: Any,
    calendar: Any = None,
    definitions: Definitions | str = "default",
) -> TicketTable:
    """Measure every ticket: reply, resolution and wait times, counts, stations, FCR.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    calendar : BusinessCalendar, optional
        When given, every duration is also measured in business seconds of this
        calendar, in a ``<name>_business`` column beside the calendar-time one.
    definitions : Definitions or str, default="default"
        The rules, or a preset name (default, zendesk, freshdesk, intercom, zammad,
        chatwoot).

    Returns
    -------
    TicketTable
        One row per ticket, in input order. Durations are float seconds; NaN marks
        a measure that is not defined (yet) for the ticket: no reply, not resolved,
        excluded by a rule. Columns:

        - ``id``, ``created_at`` (epoch seconds), ``channel``, ``priority``,
          ``status``, ``created_by``, ``customer_id``, ``agent_id``, ``group``;
        - ``resolved`` (solved or closed now);
        - instants ``first_reply_at``, ``first_resolved_at``, ``resolved_at``
          (the latest solve, NaN when unresolved now);
        - durations ``first_reply``, ``first_resolution``, ``full_resolution``,
          ``requester_wait`` (new + open + on-hold), ``agent_wait`` (pending),
          ``on_hold`` (the waits: only for resolved tickets with a status history), ``next_reply_mean``
          and ``next_reply_max`` (over the exchanges after the first);
        - counts ``replies`` (public agent replies under the definitions),
          ``customer_messages``, ``next_replies``, ``solves``, ``reopens``,
          ``assignee_stations``, ``group_stations``;
        - ``fcr`` (resolved on first contact under ``definitions.fcr_rule``) and
          ``first_reply_excluded`` (left out of first reply time by
          ``agent_created="exclude"``).

        Every reply exchange (each next-reply time) is in ``table.exchanges`` and
        every solve in ``table.solves``.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import Message, StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id="A", created_at=t0, interactions=[
    ...     Message(at=t0, author="customer"),
    ...     Message(at=t0 + timedelta(minutes=30), author="agent"),
    ...     Message(at=t0 + timedelta(hours=2), author="customer"),
    ...     Message(at=t0 + timedelta(hours=3), author="agent")],
    ...     status_changes=[StatusChange(at=t0 + timedelta(hours=3), status="solved")])
    >>> table = ticket_metrics([ticket])
    >>> table["first_reply"].tolist(), table["full_resolution"].tolist(), table["replies"].tolist()
    ([1800.0], [10800.0], [2])
    >>> table.exchanges["seconds"].tolist()    # 30 min, then 1 h after the follow-up
    [1800.0, 3600.0]
    >>> table.to_pandas()[["id", "next_reply_mean", "fcr"]].to_dict("records")
    [{'id': 'A', 'next_reply_mean': 3600.0, 'fcr': False}]
    """
    rules = _as_definitions(definitions)
    batch = as_ticket_batch(tickets)
    shared = _SHARED.get()
    if shared is not None:
        return shared.measure(batch, calendar, rules)
    return _measure(batch, calendar, rules)


class _Shared:
    """Measurements shared inside :func:`shared_measures`, and the subsets' parents."""

    def __init__(self) -> None:
        self.tables: dict[tuple[int, int, Definitions], tuple[Any, Any, TicketTable]] = {}
        self.parents: dict[int, tuple[Any, TicketBatch, IntArray]] = {}
        self.offsets: dict[int, tuple[TicketTable, tuple[IntArray, IntArray]]] = {}

    def measure(self, batch: TicketBatch, calendar: Any, rules: Definitions) -> TicketTable:
        key = (id(batch), id(calendar), rules)
        if calendar is None and key not in self.tables:
            # A table measured in business time holds the calendar-time columns too.
            for batch_id, _, table_rules in self.tables:
                if batch_id == id(batch) and table_rules == rules:
                    return self.tables[(batch_id, _, table_rules)][2]
        if key not in self.tables:
            origin = self.parents.get(id(batch))
            # Per-ticket measures depend on the ticket alone, except the repeat-contact
            # FCR rule, which looks at the customer's other tickets: that one is
            # measured on the subset itself, as a one-liner on the subset would.
            if origin is not None and rules.fcr_rule != "repeat_contact":
                parent = self.measure(origin[1], calendar, rules)
                if id(parent) not in self.offsets:
                    self.offsets[id(parent)] = (parent, _event_offsets(parent))
                table = select_measures(parent, origin[2], self.offsets[id(parent)][1])
            else:
                table = _measure(batch, calendar, rules)
            self.tables[key] = (batch, calendar, table)
        return self.tables[key][2]


@contextmanager
def shared_measures() -> Iterator[None]:
    """Within this block, :func:`ticket_metrics` measures each batch only once.

    Metrics over tickets all start from :func:`ticket_metrics`; a report that
    runs many of them on the same batches shares one measurement per (batch,
    calendar, definitions) instead of repeating it per metric, and the subsets it
    registers with :func:`measure_as_subset` are cut from their parent's
    measurement instead of being measured again. A request in calendar time is
    served by a business-time table of the same batch when there is one: it
    holds the calendar-time columns too.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> batch = generate(20, seed=1).tickets
    >>> with shared_measures():
    ...     ticket_metrics(batch) is ticket_metrics(batch)
    True
    """
    token = _SHARED.set(_Shared())
    try:
        yield
    finally:
        _SHARED.reset(token)


def measure_as_subset(child: TicketBatch, parent: TicketBatch, positions: IntArray) -> None:
    """Declare ``child == parent.select(positions)`` inside :func:`shared_measures`.

    Outside the block this does nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from cxmetrics.datasets import generate
    >>> batch = generate(30, seed=2).tickets
    >>> rows = np.arange(5, 25)
    >>> part = batch.select(rows)
    >>> with shared_measures():
    ...     measure_as_subset(part, batch, rows)
    ...     cut = ticket_metrics(part)
    >>> alone = ticket_metrics(part)
    >>> all(np.array_equal(cut[c], alone[c], equal_nan=True) for c in ("first_reply", "reopens"))
    True
    """
    shared = _SHARED.get()
    if shared is not None:
        shared.parents[id(child)] = (child, parent, np.asarray(positions, dtype=np.int64))


def _event_offsets(table: TicketTable) -> tuple[IntArray, IntArray]:
    """Row offsets per ticket of the exchanges and of the solves (both ticket-sorted)."""
    n = len(table)
    return tuple(  # type: ignore[return-value]
        np.searchsorted(
            np.asarray(events.raw("ticket"), dtype=np.int64), np.arange(n + 1), side="left"
        )
        for events in (table.exchanges, table.solves)
    )


def select_measures(
    table: TicketTable,
    positions: IntArray,
    offsets: tuple[IntArray, IntArray] | None = None,
) -> TicketTable:
    """The rows ``positions`` of a measurement, its exchanges and solves renumbered.

    ``offsets`` (from the exchanges' and solves' ticket-sorted rows) make the cost
    proportional to the rows selected, not to the whole measurement.
    """
    positions = np.asarray(positions, dtype=np.int64)
    if offsets is None:
        offsets = _event_offsets(table)

    # Columns are cut when a metric reads them: most read two or three of forty.
    columns = TakenColumns(table.columns, positions)
    events = []
    for event_table, starts in zip((table.exchanges, table.solves), offsets, strict=True):
        rows, _, ticket = rows_of_tickets(starts, positions)
        renumbered = {"ticket": ticket}
        events.append(ColumnTable(TakenColumns(event_table.columns, rows, renumbered)))
    return TicketTable(
        columns,
        exchanges=events[0],
        solves=events[1],
        definitions=table.definitions,
        business=table.business,
    )


_SHARED: ContextVar[_Shared | None] = ContextVar("cxmetrics_shared_measures", default=None)


def _measure(batch: TicketBatch, calendar: Any, rules: Definitions) -> TicketTable:
    n = len(batch)
    ix, sc = batch.interactions, batch.status_changes
    created = batch.created_at
    agent_opened = batch.created_by != CREATED_BY.index("customer")
    origin = _origin(batch)
    business = calendar is not None

    # Clock readings, one per instant (in one calendar call); durations are
    # differences of readings.
    # Event instants and readings carry a trailing NaN, so that ``values[rows]``
    # with row -1 ("none") reads NaN without a mask.
    nan = np.array([np.nan])
    at_ix, at_sc = np.concatenate([ix.at, nan]), np.concatenate([sc.at, nan])
    clock_created = clock_ix = clock_sc = None
    if business:
        clock = business_clock(calendar, np.concatenate([created, at_ix, at_sc]), origin)
        clock_created, clock_ix, clock_sc = np.split(clock, [n, n + at_ix.size])

    # --- replies and first reply ----------------------------------------------------------
    asks = customer_mask(ix)
    all_replies = reply_mask(ix, rules)
    opening = opening_replies(batch, all_replies, asks)
    replies = all_replies if rules.agent_created == "from_creation" else all_replies & ~opening
    reply_count = np.bincount(ix.ticket[replies], minlength=n).astype(np.int64, copy=False)
    ask_count = np.bincount(ix.ticket[asks], minlength=n).astype(np.int64, copy=False)

    first_row = first_per_ticket(ix, replies, n)
    first_at = at_ix[first_row]
    excluded_first = agent_opened if rules.agent_created == "exclude" else np.zeros(n, bool)
    flat_reply = (np.diff(ix.offsets) == 0) & np.isfinite(batch.first_reply_at)
    first_at = np.where(flat_reply, batch.first_reply_at, first_at)
    first_at = np.where(excluded_first, np.nan, first_at)

    # --- exchanges (next replies) -----------------------------------------------------------
    waits_from_creation = ~agent_opened | (rules.agent_created == "from_creation")
    exchanges = reply_exchanges(ix, replies, asks, np.where(waits_from_creation, created, np.nan))
    exchange_seconds = exchanges.replied_at - exchanges.asked_at
    later = ~exchanges.first
    next_count = np.bincount(exchanges.ticket[later], minlength=n).astype(np.int64, copy=False)

    # --- resolution ------------------------------------------------------------------------
    solves = solve_events(sc)
    solve_rows = np.flatnonzero(solves)
    solve_ticket = sc.ticket[solve_rows]
    no_status_history = np.diff(sc.offsets) == 0
    resolved = (batch.status == _SOLVED) | (batch.status == _CLOSED)
    first_solve_row = first_per_ticket(sc, solves, n)
    last_solve_row = np.full(n, -1, dtype=np.int64)
    last_solve_row[solve_ticket] = solve_rows  # later rows overwrite: the latest solve
    first_solved_at = np.where(no_status_history, batch.solved_at, at_sc[first_solve_row])
    last_solved_at = np.where(no_status_history, batch.solved_at, at_sc[last_solve_row])
    resolved_at = np.where(resolved, last_solved_at, np.nan)
    solve_count = np.where(
        no_status_history,
        resolved.astype(np.int64, copy=False),
        np.bincount(solve_ticket, minlength=n),
    ).astype(np.int64, copy=False)
    reopen_count = np.bincount(sc.ticket[reopen_events(sc)], minlength=n).astype(
        np.int64, copy=False
    )

    segments = status_segments(batch)
    segment_calendar = segments.end - segments.start

    # --- first-contact resolution -----------------------------------------------------------
    fcr = resolved & _fcr(rules, batch, reply_count, ask_count, solve_count, reopen_count,
                          segments, ix, replies)  # fmt: skip

    columns: dict[str, Any] = {
        "id": batch.ids,
        "created_at": created,
        "channel": batch.channel,
        "priority": _decode(batch.priority, PRIORITIES),
        "status": _decode(batch.status, TICKET_STATUSES),
        "created_by": _decode(batch.created_by, CREATED_BY),
        "customer_id": batch.customer_id,
        "agent_id": batch.agent_id,
        "group": batch.group,
        "resolved": resolved,
        "first_reply_at": first_at,
        "first_resolved_at": first_solved_at,
        "resolved_at": resolved_at,
    }
    starts_ends = {
        "first_reply": first_at,
        "first_resolution": first_solved_at,
        "full_resolution": resolved_at,
    }
    for name, end in starts_ends.items():
        columns[name] = end - created
    # Waits are final once resolved, and unknown without a status history.
    waits_known = resolved & ~no_status_history
    totals, unfinished = _status_totals(segments, segment_calendar, n)
    for name, statuses in _WAITS.items():
        columns[name] = np.where(waits_known, _wait(totals, unfinished, statuses), np.nan)
    columns["next_reply_mean"], columns["next_reply_max"] = _mean_max(
        exchanges.ticket[later], exchange_seconds[later], n
    )
    exchange_columns: dict[str, Any] = {
        "ticket": exchanges.ticket,
        "id": batch.ids[exchanges.ticket],
        "asked_at": exchanges.asked_at,
        "replied_at": exchanges.replied_at,
        "first": exchanges.first,
        "seconds": exchange_seconds,
    }
    # Solve events: the history's, and the flat ``solved_at`` of tickets without one.
    flat_solve = no_status_history & np.isfinite(batch.solved_at)
    flat_tickets = np.flatnonzero(flat_solve)
    event_ticket = np.concatenate([solve_ticket, flat_tickets])
    event_at = np.concatenate([sc.at[solve_rows], batch.solved_at[flat_tickets]])
    event_order = np.argsort(event_ticket, kind="stable") if flat_tickets.size else None
    if event_order is not None:
        event_ticket, event_at = event_ticket[event_order], event_at[event_order]
    solve_columns: dict[str, Any] = {
        "ticket": event_ticket,
        "id": batch.ids[event_ticket],
        "at": event_at,
        "seconds": event_at - created[event_ticket],
    }

    if business:
        assert clock_created is not None and clock_ix is not None and clock_sc is not None
        flat_clock = _clock_where(calendar, origin, flat_reply, batch.first_reply_at)
        first_clock = np.where(flat_reply, flat_clock, clock_ix[first_row])
        first_clock = np.where(excluded_first, np.nan, first_clock)
        flat_solve_clock = _clock_where(calendar, origin, flat_solve, batch.solved_at)
        first_solve_clock = np.where(no_status_history, flat_solve_clock, clock_sc[first_solve_row])
        last_solve_clock = np.where(no_status_history, flat_solve_clock, clock_sc[last_solve_row])
        ends_clock = {
            "first_reply": first_clock,
            "first_resolution": first_solve_clock,
            "full_resolution": np.where(resolved, last_solve_clock, np.nan),
        }
        for name, end in ends_clock.items():
            columns[f"{name}_business"] = end - clock_created
        seg_start, seg_end = segment_bounds(batch, clock_created, clock_sc[:-1])
        # Open-ended segments are the same on both clocks: only the totals change.
        totals = _status_totals(segments, seg_end - seg_start, n)[0]
        for name, statuses in _WAITS.items():
            columns[f"{name}_business"] = np.where(
                waits_known, _wait(totals, unfinished, statuses), np.nan
            )
        asked_clock = np.where(
            exchanges.asked_row >= 0,
            clock_ix[exchanges.asked_row],
            clock_created[exchanges.ticket],
        )
        exchange_business = clock_ix[exchanges.replied_row] - asked_clock
        columns["next_reply_mean_business"], columns["next_reply_max_business"] = _mean_max(
            exchanges.ticket[later], exchange_business[later], n
        )
        exchange_columns["seconds_business"] = exchange_business
        event_clock = np.concatenate([clock_sc[solve_rows], flat_solve_clock[flat_tickets]])
        if event_order is not None:
            event_clock = event_clock[event_order]
        solve_columns["seconds_business"] = event_clock - clock_created[event_ticket]

    columns.update(
        replies=reply_count,
        customer_messages=ask_count,
        next_replies=next_count,
        solves=solve_count,
        reopens=reopen_count,
        assignee_stations=stations(batch.assignments, "agent_id", batch.agent_id, n),
        group_stations=stations(batch.assignments, "group", batch.group, n),
        fcr=fcr,
        first_reply_excluded=excluded_first,
    )
    return TicketTable(
        columns,
        exchanges=ColumnTable(exchange_columns),
        solves=ColumnTable(solve_columns),
        definitions=rules,
        business=business,
        batch=batch,
        calendar=calendar,
    )


def measured(tickets: Any, calendar: Any, definitions: Definitions | str) -> TicketTable:
    """The per-ticket table of ``tickets``: reused when ``tickets`` is one already.

    A :class:`TicketTable` is reused when it was measured under the same
    definitions and, when ``calendar`` is given, the same calendar; anything else
    is measured with :func:`ticket_metrics`.

    Raises
    ------
    ValueError
        When a table measured under other definitions or another calendar is given.

    Examples
    --------
    >>> table = ticket_metrics([], None, "zendesk")
    >>> measured(table, None, "zendesk") is table
    True
    >>> measured(table, None, "default") is table    # the same rules under another name
    True
    >>> measured(table, None, "chatwoot")
    Traceback (most recent call last):
    ...
    ValueError: this TicketTable was measured under the 'zendesk' definitions, not 'chatwoot'; measure the tickets again or pass the tickets
    """
    if not isinstance(tickets, TicketTable):
        return ticket_metrics(tickets, calendar, definitions)
    rules = _as_definitions(definitions)
    # Compare the rules, not the labels: a custom copy of a preset is the same rules.
    if tickets.definitions.model_copy(update={"name": rules.name}) != rules:
        raise ValueError(
            f"this TicketTable was measured under the {tickets.definitions.name!r} "
            f"definitions, not {rules.name!r}; measure the tickets again or pass the tickets"
        )
    if calendar is not None and tickets.calendar != calendar:
        raise ValueError(
            "this TicketTable was measured "
            + ("in calendar time" if tickets.calendar is None else "with another calendar")
            + f", not with {calendar!r}; measure the tickets again or pass the tickets"
        )
    return tickets


_WAITS: dict[str, tuple[str, ...]] = {
    "requester_wait": REQUESTER_WAIT_STATUSES,
    "agent_wait": AGENT_WAIT_STATUSES,
    "on_hold": ON_HOLD_STATUSES,
}


def _as_definitions(definitions: Definitions | str) -> Definitions:
    if isinstance(definitions, Definitions):
        return definitions
    if isinstance(definitions, str):
        return Definitions.preset(definitions)
    raise TypeError(
        f"definitions must be a Definitions or a preset name, got {type(definitions).__name__}"
    )


def _decode(codes: npt.NDArray[Any], names: tuple[str, ...]) -> Categorical:
    return Categorical(codes.astype(np.int32), names)


def _clock_where(calendar: Any, origin: float, mask: BoolArray, instants: FloatArray) -> FloatArray:
    """Clock readings of ``instants`` where ``mask`` holds (NaN elsewhere), read only there."""
    out = np.full(instants.size, np.nan)
    if mask.any():
        out[mask] = business_clock(calendar, instants[mask], origin)
    return out


def _mean_max(ticket: IntArray, values: FloatArray, n: int) -> tuple[FloatArray, FloatArray]:
    counts = np.bincount(ticket, minlength=n)
    totals = np.bincount(ticket, weights=values, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
    maximum = np.full(n, -np.inf)
    if ticket.size:
        starts = np.flatnonzero(_first_of_runs(ticket))
        maximum[ticket[starts]] = np.maximum.reduceat(values, starts)
    maximum = np.where(counts > 0, maximum, np.nan)
    return mean, maximum


def _fcr(
    rules: Definitions,
    batch: TicketBatch,
    replies: IntArray,
    asks: IntArray,
    solves: IntArray,
    reopens: IntArray,
    segments: StatusSegments,
    ix: EventTable,
    reply_rows: BoolArray,
) -> BoolArray:
    """Whether each ticket meets the FCR rule (the caller requires it to be resolved)."""
    rule = rules.fcr_rule
    n = len(batch)
    result: BoolArray
    if rule == "exactly_one_reply":
        result = replies == 1
    elif rule == "one_touch":
        result = replies <= 1
    elif rule == "one_touch_messaging":
        # Zendesk messaging: replied, never waited (pending / on-hold), never reopened.
        waited = np.isin(segments.status, [_STATUS["pending"], _STATUS["on_hold"]])
        ever_waited = np.bincount(segments.ticket[waited], minlength=n) > 0
        result = (replies > 0) & ~ever_waited & (reopens == 0)
    elif rule == "no_customer_follow_up":
        # Freshdesk: no customer message after the description (the first message of
        # a customer-opened ticket); on an agent-opened ticket every one is a follow-up.
        customer_opened = batch.created_by == CREATED_BY.index("customer")
        result = (asks - (customer_opened & (asks > 0))) == 0
    elif rule == "closed_once_one_agent":
        # Intercom: closed exactly once, with one participating teammate. Replies
        # without an agent id count as one (unknown) teammate.
        agents = ix["agent_id"].codes if len(ix) else np.empty(0, dtype=np.int32)
        known = _distinct_per_ticket(ix.ticket[reply_rows], agents[reply_rows], n)
        unknown = np.bincount(ix.ticket[reply_rows & (agents < 0)], minlength=n) > 0
        teammates = np.maximum(known, unknown.astype(np.int64, copy=False))
        result = (solves == 1) & (teammates == 1)
    else:  # repeat_contact
        result = ~_repeated(batch, rules.repeat_contact_days * 86400.0)
    return result


def _repeated(batch: TicketBatch, window: float) -> BoolArray:
    """Whether the same customer opened another ticket within ``window`` seconds after."""
    customer = batch.customer_id.codes.astype(np.int64, copy=False)
    order = np.lexsort((batch.created_at, customer))
    created = batch.created_at[order]
    same_next = np.concatenate([customer[order][1:] == customer[order][:-1], [False]])
    gap = np.concatenate([created[1:] - created[:-1], [np.inf]])
    repeated_sorted = same_next & (gap <= window) & (customer[order] >= 0)
    repeated = np.empty(len(batch), dtype=bool)
    repeated[order] = repeated_sorted
    return repeated
