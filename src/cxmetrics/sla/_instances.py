"""Target instances of SLA evaluation, and those found without the merged stream.

An :class:`Instances` table holds one row per (ticket, instance) of a metric.
First-reply instances of validated tickets come from one reduction per ticket,
and resolution-type instances (one per ticket) straight from the timeline; the
other reply and update instances come from the merged stream (``_stream``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import DEFAULT, Definitions
from cxmetrics.sla._replies import CREATED_BY_CUSTOMER, _flat_replies, _reply_masks
from cxmetrics.sla._timeline import Timeline, is_resolved
from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = [
    "END_OPEN",
    "END_REPLY",
    "END_SOLVE",
    "Instances",
    "first_reply_instances",
    "resolution_instances",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# How an instance ended: still open, by an agent reply, or by a solve.
END_OPEN, END_REPLY, END_SOLVE = 0, 1, 2


@dataclass(frozen=True)
class Instances:
    """Target instances of one metric: one row per (ticket, instance).

    ``end`` is the completion instant (``nan`` while open) and ``how`` says what
    completed it (:data:`END_OPEN`, :data:`END_REPLY`, :data:`END_SOLVE`). The
    segment fields are exact when the stream held every status segment (see
    :func:`build_stream`) or when they were asked for (``exact``); the
    never-pausing clocks do not read them.
    """

    ticket: IntArray
    start: FloatArray
    end: FloatArray
    how: npt.NDArray[np.int8]
    first_segment: IntArray
    """Timeline segment in force at ``start``."""
    last_segment: IntArray
    """Last timeline segment that starts before the end (completion, or ``as_of``)."""

    def __len__(self) -> int:
        return int(self.ticket.size)

    def take(self, index: IntArray | BoolArray) -> Instances:
        """Return the instances at ``index``."""
        return Instances(
            self.ticket[index],
            self.start[index],
            self.end[index],
            self.how[index],
            self.first_segment[index],
            self.last_segment[index],
        )


def first_reply_instances(
    batch: TicketBatch,
    timeline: Timeline,
    as_of: float,
    alive: BoolArray,
    exact: bool = False,
    definitions: Definitions = DEFAULT,
) -> Instances | None:
    """First-reply instances without merging the stream; None when the stream is needed.

    The same instances as the first of :func:`reply_instances` over a stream of
    every segment, when no status change or reply precedes its ticket's creation
    (validated tickets): the exchange then opens at creation whenever the ticket
    is unsolved there, and ends at the first agent reply or at the first solve
    after creation, whichever comes first (a solve, on a tie: status changes
    apply first). That takes one reduction per ticket instead of a sort.

    The reply clock never pauses, so it never reads the segment fields: the last
    one is the stream's only with ``exact`` (else it is the first).
    """
    n = len(batch)
    table = batch.interactions
    created = batch.created_at
    flat = _flat_replies(batch, as_of)
    if not timeline.from_creation or not (batch.first_reply_at[flat] >= created[flat]).all():
        return None
    if len(table) and not (table.at >= created[table.ticket]).all():
        return None
    first_agent = np.full(n, np.inf)
    first_agent[flat] = batch.first_reply_at[flat]
    rows = (
        np.flatnonzero(_reply_masks(batch, as_of, definitions)[1])
        if len(table)
        else np.empty(0, np.int64)
    )
    if rows.size:
        owner = table.ticket[rows]
        # A ticket's rows are contiguous (offsets define the table): one minimum
        # per run, whatever the order within the run.
        run = np.flatnonzero(np.concatenate([[True], owner[1:] != owner[:-1]]))
        first_agent[owner[run]] = np.minimum.reduceat(table.at[rows], run)
    tickets = np.flatnonzero(alive & (batch.created_by == CREATED_BY_CUSTOMER))
    tl = timeline
    # The segment in force at creation: the last one starting at creation.
    in_force = tl.offsets[tickets]
    limit = tl.offsets[tickets + 1]
    _advance_while(in_force, limit, lambda rows, i: tl.start[rows] <= created[tickets[i]])
    opens = ~is_resolved(tl.status[in_force])
    tickets, in_force, limit = tickets[opens], in_force[opens], limit[opens]
    # The first solve after creation: segments after `in_force` start later.
    solves = np.flatnonzero(tl.solve)
    k = np.searchsorted(solves, in_force, side="right")
    solve_row = solves[np.minimum(k, max(solves.size - 1, 0))] if solves.size else in_force
    solved = (k < solves.size) & (solve_row < limit)
    solve_at = np.where(solved, tl.start[solve_row] if solves.size else np.inf, np.inf)
    agent_at = first_agent[tickets]
    by_solve = solved & (solve_at <= agent_at)
    by_reply = ~by_solve & np.isfinite(agent_at)
    end = np.where(by_solve, solve_at, np.where(by_reply, agent_at, np.nan))
    how = np.where(by_solve, END_SOLVE, np.where(by_reply, END_REPLY, END_OPEN)).astype(np.int8)
    if not exact:
        return Instances(tickets.astype(np.int64), created[tickets], end, how, in_force, in_force)
    # The segment in force just before the end: before the solving segment, or
    # the last one starting by the reply (status changes apply first on a tie).
    last = tl.last[tickets]
    last[by_solve] = solve_row[by_solve] - 1
    replied = np.flatnonzero(by_reply)
    at_reply = in_force[replied]
    _advance_while(at_reply, limit[replied], lambda rows, i: tl.start[rows] <= agent_at[replied[i]])
    last[replied] = at_reply
    return Instances(tickets.astype(np.int64), created[tickets], end, how, in_force, last)


def _advance_while(
    segment: IntArray, limit: IntArray, ok: Callable[[IntArray, IntArray], BoolArray]
) -> None:
    """Move each ``segment[i]`` (in place) on to the next while below ``limit[i]`` and ``ok``.

    ``ok(rows, i)`` says whether rows ``rows`` may be entered by the entries ``i``.
    Vectorised over the entries still moving; it takes as many steps as the
    longest move, a few segments in practice.
    """
    todo = np.arange(segment.size)
    while todo.size:
        nxt = segment[todo] + 1
        inside = nxt < limit[todo]
        todo, nxt = todo[inside], nxt[inside]
        move = ok(nxt, todo)
        todo = todo[move]
        segment[todo] = nxt[move]


def resolution_instances(batch: TicketBatch, timeline: Timeline, alive: BoolArray) -> Instances:
    """One instance per ticket, from creation to the solve that left it solved at ``as_of``.

    Reopened tickets keep one instance: the clock resumes after the reopen, and
    only the final solve completes it.
    """
    tickets = np.flatnonzero(alive)
    last = timeline.last[tickets]
    resolved = is_resolved(timeline.status[last])
    # The last solve of the ticket: the latest segment flagged as a solve.
    solve_rows = np.flatnonzero(timeline.solve)
    k = np.searchsorted(solve_rows, last, side="right") - 1
    safe = solve_rows[np.maximum(k, 0)] if solve_rows.size else last
    done = resolved & (k >= 0)
    end = np.where(done, timeline.start[safe], np.nan)
    how = np.where(done, END_SOLVE, END_OPEN).astype(np.int8)
    return Instances(
        tickets.astype(np.int64),
        batch.created_at[tickets],
        end,
        how,
        timeline.offsets[tickets],
        np.where(done, safe - 1, last),
    )
