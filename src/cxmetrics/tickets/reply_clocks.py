"""Where reply clocks start and what they leave out: the bot handoff, and time spent closed.

Two helpdesk rules on reply times, read off the status history:

- Chatwoot starts first response time at the conversation's last non-human
  activity: the latest bot handoff (``pending`` → ``open``) or reopen (a resolved
  status → ``open``) before the reply, else the creation
  (:func:`handoff_rows`);
- Zoho Desk subtracts "the duration of the ticket in Closed status" from every
  response time (:func:`resolved_clock`: the time spent solved or closed from
  creation up to any instant, so the time closed between two instants is a
  difference of two readings).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import EventTable
from cxmetrics.tickets.status import (
    CLOSED_CODE,
    SOLVED_CODE,
    STATUS_CODES,
    StatusSegments,
    previous_status,
)

__all__ = ["handoff_rows", "resolved_clock"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def handoff_rows(status_changes: EventTable, before: FloatArray, n: int) -> IntArray:
    """Per ticket, the status-change row of its latest handoff or reopen at or before ``before``.

    A handoff is a change into ``open`` from ``pending`` (the bot held the
    conversation) or from ``solved`` / ``closed`` (a reopen). -1 where there is none
    (or ``before`` is NaN).

    Examples
    --------
    >>> from cxmetrics.models.ticket import TICKET_STATUSES
    >>> codes = np.array([TICKET_STATUSES.index(s) for s in ["pending", "open", "pending", "open"]])
    >>> sc = EventTable.build(np.zeros(4, np.int64), np.array([1.0, 5.0, 6.0, 9.0]),
    ...                       {"status": codes.astype(np.int8)}, 1)
    >>> handoff_rows(sc, np.array([7.0]), 1).tolist()
    [1]
    """
    out = np.full(n, -1, dtype=np.int64)
    if len(status_changes) == 0:
        return out
    status = status_changes["status"]
    previous = previous_status(status_changes)
    came_from = np.isin(previous, [STATUS_CODES["pending"], SOLVED_CODE, CLOSED_CODE])
    handoff = (status == STATUS_CODES["open"]) & came_from
    ticket = status_changes.ticket
    rows = np.flatnonzero(handoff & (status_changes.at <= before[ticket]))
    out[ticket[rows]] = rows  # rows are time-sorted per ticket: the latest one stays
    return out


def resolved_clock(
    segments: StatusSegments,
    start_clock: FloatArray,
    end_clock: FloatArray,
    ticket: IntArray,
    instants: FloatArray,
    readings: FloatArray,
) -> FloatArray:
    """Per query, the time a ticket spent solved or closed from its creation to an instant.

    ``start_clock`` / ``end_clock`` are the segments' bounds read on the clock to
    measure with (epoch seconds, or business-clock readings); each query is a
    ticket, an instant (epoch seconds, to place it among the segments) and its
    reading on the same clock. The time closed between two instants of a ticket
    is the difference of their two results. A NaN instant reads NaN.

    Examples
    --------
    >>> segs = StatusSegments(np.zeros(3, np.int64), np.array([0, SOLVED_CODE, 1]),
    ...                       np.array([0.0, 10.0, 25.0]), np.array([10.0, 25.0, np.nan]),
    ...                       np.zeros(3, np.int64), np.zeros(3, np.int64))
    >>> t = np.array([5.0, 12.0, 40.0])
    >>> resolved_clock(segs, segs.start, segs.end, np.zeros(3, np.int64), t, t).tolist()
    [0.0, 2.0, 15.0]
    """
    size = len(segments)
    if size == 0:  # no tickets, so no queries
        return np.zeros(ticket.size)
    resolved = (segments.status == SOLVED_CODE) | (segments.status == CLOSED_CODE)
    spent = np.where(resolved, end_clock - start_clock, 0.0)
    spent = np.where(np.isnan(spent), 0.0, spent)  # a running last segment: read per query
    total = np.cumsum(spent)
    head = np.r_[True, segments.ticket[1:] != segments.ticket[:-1]]
    run = np.cumsum(head) - 1
    base = (total[head] - spent[head])[run]
    before = total - spent - base  # the ticket's closed time before each segment starts
    # Place every query after the last segment of its ticket that starts at or before it:
    # segments sort before queries at the same instant, and their indices only grow.
    kinds = np.r_[np.zeros(size), np.ones(ticket.size)]
    order = np.lexsort((kinds, np.r_[segments.start, instants], np.r_[segments.ticket, ticket]))
    index = np.r_[np.arange(size), np.full(ticket.size, -1)]
    placed = np.empty(order.size, dtype=np.int64)
    placed[order] = np.maximum.accumulate(index[order])
    seg = np.maximum(placed[size:], 0)
    known = (placed[size:] >= 0) & (segments.ticket[seg] == ticket)
    inside = np.where(resolved[seg], readings - start_clock[seg], 0.0)
    result: FloatArray = np.where(known, before[seg] + inside, 0.0)
    return np.where(np.isnan(instants), np.nan, result)
