"""The merged event stream of SLA evaluation, and the instances read off it.

Status segments, customer messages and agent replies of live tickets merge into
one :class:`Stream` in time order; reply (customer→agent exchange) and update
instances start at its rows and end at the next terminating row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import DEFAULT, Definitions
from cxmetrics.sla._grouping import group_time_order, segmented_searchsorted
from cxmetrics.sla._instances import END_OPEN, END_REPLY, END_SOLVE, Instances
from cxmetrics.sla._replies import CREATED_BY_CUSTOMER, _reply_events
from cxmetrics.sla._timeline import Timeline, is_resolved
from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = [
    "Stream",
    "build_stream",
    "reply_instances",
    "update_instances",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# Order of simultaneous events in a ticket's stream: a status change applies
# before a customer message, which comes before an agent reply at the same instant.
_ORDER_STATUS, _ORDER_CUSTOMER, _ORDER_AGENT = 0, 1, 2


@dataclass(frozen=True)
class Stream:
    """A ticket's status changes, customer messages and agent replies, merged in time."""

    ticket: IntArray
    at: FloatArray
    kind: npt.NDArray[np.int8]
    unsolved: BoolArray
    terminates: BoolArray
    virtual: BoolArray
    segment: IntArray
    """Index (into the timeline) of the status segment in force at each row; when
    the stream holds only the solving and reopening segments, the last of those."""
    timeline: Timeline
    every_segment: bool
    """Whether every status segment is in the stream (see :func:`build_stream`)."""


def build_stream(
    batch: TicketBatch,
    timeline: Timeline,
    as_of: float,
    alive: BoolArray,
    every_segment: bool = True,
    definitions: Definitions = DEFAULT,
) -> Stream:
    """Merge status segments, customer messages and agent replies of live tickets.

    With ``every_segment=False`` only the segments that solve or reopen a ticket
    (and its first) enter the stream: enough for the reply and update clocks,
    which only need to know whether the ticket is solved, but then ``segment``
    is not the status segment in force (pausable clocks need ``True``).
    """
    ticket, at, is_agent = _reply_events(batch, as_of, definitions)
    everyone = bool(alive.all())
    if not everyone:
        keep = alive[ticket]
        ticket, at, is_agent = ticket[keep], at[keep], is_agent[keep]
    # The creation of a customer-created ticket is the customer's first message.
    opened = np.flatnonzero(alive & (batch.created_by == CREATED_BY_CUSTOMER))
    wanted = np.ones(timeline.ticket.size, dtype=bool) if everyone else alive[timeline.ticket]
    if not every_segment:
        resolved = is_resolved(timeline.status)
        flips = np.empty(resolved.size, dtype=bool)
        np.not_equal(resolved[1:], resolved[:-1], out=flips[1:])
        # (Each ticket's first segment starts its stream.)
        flips[timeline.offsets[:-1]] = True
        wanted &= flips
    seg_ix = np.flatnonzero(wanted)
    customer, agent = np.flatnonzero(~is_agent), np.flatnonzero(is_agent)
    n_seg, n_open, n_customer = seg_ix.size, opened.size, customer.size
    # Sources in the order that breaks ties at one instant: status changes, then
    # customer messages, then agent replies (each source is sorted by ticket and
    # time, and a stable sort keeps recorded order within a source).
    all_ticket = np.concatenate([timeline.ticket[seg_ix], opened, ticket[customer], ticket[agent]])
    all_at = np.concatenate(
        [timeline.start[seg_ix], batch.created_at[opened], at[customer], at[agent]]
    )
    order = group_time_order(all_ticket, all_at)
    all_ticket, all_at = all_ticket[order], all_at[order]
    # Each row's source follows from its place in the concatenation.
    is_status = order < n_seg
    first_agent = n_seg + n_open + n_customer
    kind = np.where(is_status, _ORDER_STATUS, _ORDER_CUSTOMER).astype(np.int8)
    kind[order >= first_agent] = _ORDER_AGENT
    virtual = ~is_status & (order < n_seg + n_open)
    # Forward-fill the status: each ticket's stream starts with its creation segment.
    last_status_row = np.maximum.accumulate(np.where(is_status, np.arange(kind.size), 0))
    source = order[last_status_row]
    if kind.size and is_status[0]:
        segment = seg_ix[source]
    else:
        # Rows before any status row (a history before creation, never validated
        # input) have none: -1, as a concatenation padded with -1 would give.
        segment = np.full(kind.size, -1, dtype=np.int64)
        found = np.flatnonzero(source < n_seg)
        segment[found] = seg_ix[source[found]]
    unsolved = ~is_resolved(timeline.status[segment])
    # A status row's segment is its own.
    solve = timeline.solve[segment] & is_status
    return Stream(
        ticket=all_ticket,
        at=all_at,
        kind=kind,
        unsolved=unsolved,
        terminates=(kind == _ORDER_AGENT) | solve,
        virtual=virtual,
        segment=segment,
        timeline=timeline,
        every_segment=every_segment,
    )


def _instances_from(
    stream: Stream, rows: IntArray, exact: bool = False, term: IntArray | None = None
) -> Instances:
    """Instances starting at stream ``rows``, each ended by the next terminator in its ticket.

    The segment fields are exact when the stream holds every segment, or when
    ``exact`` asks to look them up in the timeline.
    """
    term = np.flatnonzero(stream.terminates) if term is None else term
    k = np.searchsorted(term, rows, side="right")
    end_row = term[np.minimum(k, term.size - 1)] if term.size else rows
    found = (k < term.size) & (stream.ticket[end_row] == stream.ticket[rows])
    end = np.where(found, stream.at[end_row], np.nan)
    by_reply = stream.kind[end_row] == _ORDER_AGENT
    how = np.where(found, np.where(by_reply, END_REPLY, END_SOLVE), END_OPEN).astype(np.int8)
    ticket = stream.ticket[rows]
    start = stream.at[rows]
    last_of_ticket = stream.timeline.last[ticket]
    # The status segments the instance runs through: from the one in force at its
    # start to the one in force just before its end (the ticket's last if open).
    if stream.every_segment or not exact:
        first_segment = stream.segment[rows]
        last_segment = np.where(found, stream.segment[np.maximum(end_row - 1, 0)], last_of_ticket)
        return Instances(ticket, start, end, how, first_segment, last_segment)
    tl = stream.timeline
    # In force at an instant: the last segment starting by then (status changes
    # apply before messages at one instant). Before a solve: the segment before
    # the solving one, which is in the stream.
    solved = np.flatnonzero(found & ~by_reply)
    replied = np.flatnonzero(found & by_reply)
    # One search for both ends (starts, then reply instants): the timeline is
    # keyed once.
    query_ticket = np.concatenate([ticket, ticket[replied]])
    query_at = np.concatenate([start, end[replied]])
    found_at = segmented_searchsorted(tl.ticket, tl.start, query_ticket, query_at, "right") - 1
    first_segment = found_at[: ticket.size]
    last_segment = last_of_ticket
    last_segment[solved] = stream.segment[end_row[solved]] - 1
    last_segment[replied] = found_at[ticket.size :]
    return Instances(ticket, start, end, how, first_segment, last_segment)


def reply_instances(
    stream: Stream, exact: bool = False, survives: BoolArray | None = None
) -> tuple[Instances, Instances]:
    """First-reply and next-reply instances (customer→agent exchanges).

    An exchange starts at the oldest unanswered customer message written while the
    ticket is unsolved (for a customer-created ticket, the first one starts at its
    creation) and ends at the next agent reply, or at the next solve. For the
    tickets marked in ``survives`` (per ticket) a solve before the ticket's first
    agent reply ends nothing: the first exchange stays open until that reply.
    ``exact`` asks for exact segment fields (clocks that pause).
    """
    n = stream.kind.size
    first_of_ticket = np.ones(n, dtype=bool)
    first_of_ticket[1:] = stream.ticket[1:] != stream.ticket[:-1]
    terminates = stream.terminates
    if survives is not None:
        terminates = terminates & ~_solves_before_first_reply(stream, survives)
    group = np.cumsum(terminates | first_of_ticket)
    eligible = np.flatnonzero((stream.kind == _ORDER_CUSTOMER) & stream.unsolved)
    g = group[eligible]
    opens = np.ones(eligible.size, dtype=bool)
    opens[1:] = g[1:] != g[:-1]
    starts = eligible[opens]
    is_first = stream.virtual[starts]
    term = np.flatnonzero(terminates)
    return (
        _instances_from(stream, starts[is_first], exact, term=term),
        _instances_from(stream, starts[~is_first], exact, term=term),
    )


def _solves_before_first_reply(stream: Stream, survives: BoolArray) -> BoolArray:
    """Stream rows that solve a ticket in ``survives`` before its first agent reply."""
    agent = stream.kind == _ORDER_AGENT
    rows = np.arange(stream.kind.size)
    # Per ticket, the first agent row (past the end when there is none).
    first_agent = np.full(survives.size, stream.kind.size, dtype=np.int64)
    agent_rows = rows[agent]
    np.minimum.at(first_agent, stream.ticket[agent_rows], agent_rows)
    solving = stream.terminates & ~agent
    hit: BoolArray = solving & survives[stream.ticket] & (rows < first_agent[stream.ticket])
    return hit


def update_instances(stream: Stream, exact: bool = False) -> Instances:
    """Update instances: from each agent reply on an unsolved ticket to the next reply or solve.

    ``exact`` asks for exact segment fields (pausable clocks) from a stream without
    every segment.
    """
    starts = np.flatnonzero((stream.kind == _ORDER_AGENT) & stream.unsolved)
    return _instances_from(stream, starts, exact)
