"""Status segments: solves, reopens, and the time each ticket spends in each status.

A ticket is ``new`` from its creation to its first status change, then in each
changed-to status until the next change. The segments are built positionally
from the ticket-sorted status history, and read on any clock (calendar or
business); the waits (requester, agent, on-hold) are sums of segments per ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.models.ticket import TICKET_STATUSES
from cxmetrics.tables.ticket_batch import EventTable, TicketBatch
from cxmetrics.tickets.lookups import first_of_runs

__all__ = [
    "AGENT_WAIT_STATUSES",
    "AGENT_WORK_STATUSES",
    "CLOSED_CODE",
    "NEW_CODE",
    "ON_HOLD_STATUSES",
    "REQUESTER_WAIT_STATUSES",
    "SOLVED_CODE",
    "SOLVE_TIME_STATUSES",
    "STATUS_CODES",
    "StatusSegments",
    "previous_status",
    "reopen_events",
    "segment_bounds",
    "segment_totals",
    "solve_events",
    "status_segments",
    "status_totals",
    "wait_totals",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

STATUS_CODES: dict[str, int] = {name: code for code, name in enumerate(TICKET_STATUSES)}
"""The code of each status: its index in ``TICKET_STATUSES``."""
NEW_CODE, SOLVED_CODE, CLOSED_CODE = (
    STATUS_CODES["new"],
    STATUS_CODES["solved"],
    STATUS_CODES["closed"],
)

REQUESTER_WAIT_STATUSES: tuple[str, ...] = ("new", "open", "on_hold")
"""Zendesk's requester wait: the requester sees on-hold as open."""
AGENT_WAIT_STATUSES: tuple[str, ...] = ("pending",)
"""Zendesk's agent wait: waiting on the requester."""
ON_HOLD_STATUSES: tuple[str, ...] = ("on_hold",)
"""Zendesk's on-hold time: waiting on a third party."""
AGENT_WORK_STATUSES: tuple[str, ...] = ("new", "open")
"""dbt_zendesk's agent work time: the ticket is the agents' to act on."""
SOLVE_TIME_STATUSES: tuple[str, ...] = ("new", "open", "pending", "on_hold")
"""dbt_zendesk's solve time: every unresolved status."""


def previous_status(status_changes: EventTable) -> npt.NDArray[np.int64]:
    """Status before each change (``new`` at a ticket's first change).

    Examples
    --------
    >>> codes = np.array([TICKET_STATUSES.index(s) for s in ["open", "solved"]], np.int8)
    >>> sc = EventTable.build(np.zeros(2, np.int64), np.array([1.0, 2.0]), {"status": codes}, 1)
    >>> [TICKET_STATUSES[c] for c in previous_status(sc)]
    ['new', 'open']
    """
    status = status_changes["status"].astype(np.int64, copy=False)
    previous = np.concatenate([[NEW_CODE], status[:-1]])
    result: npt.NDArray[np.int64] = np.where(
        first_of_runs(status_changes.ticket), NEW_CODE, previous
    )
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
    previous = previous_status(status_changes)
    resolved_now = (status == SOLVED_CODE) | (status == CLOSED_CODE)
    resolved_before = (previous == SOLVED_CODE) | (previous == CLOSED_CODE)
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
    previous = previous_status(status_changes)
    result: BoolArray = (
        (previous == SOLVED_CODE) & (status != SOLVED_CODE) & (status != CLOSED_CODE)
    )
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
    >>> from cxmetrics.tables.inputs import as_ticket_batch
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
    status[heads] = NEW_CODE
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
    >>> from cxmetrics.tables.inputs import as_ticket_batch
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
    totals, unfinished = status_totals(segments, seconds, n)
    return wait_totals(totals, unfinished, statuses)


def status_totals(
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


def wait_totals(totals: FloatArray, unfinished: BoolArray, statuses: tuple[str, ...]) -> FloatArray:
    """Per ticket, the time in ``statuses`` from :func:`status_totals` (NaN while accumulating).

    Examples
    --------
    >>> totals, unfinished = np.array([[5.0, 1.0, 0, 0, 0, 0]]), np.zeros((1, 6), bool)
    >>> wait_totals(totals, unfinished, ("new", "open")).tolist()
    [6.0]
    """
    codes = [STATUS_CODES[s] for s in statuses]
    result: FloatArray = np.where(
        unfinished[:, codes].any(axis=1), np.nan, totals[:, codes].sum(axis=1)
    )
    return result
