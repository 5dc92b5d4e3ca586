"""Status timelines of SLA evaluation: every ticket's status history as segments.

A :class:`Timeline` holds, for a whole batch, the status segments of each ticket
from its creation, cut at ``as_of``, and which of them solve the ticket.
Everything is numpy over whole batches; no function loops over tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.models.ticket import TICKET_STATUSES
from cxmetrics.sla._grouping import group_time_order, sorted_within_groups
from cxmetrics.tables.ticket_batch import EventTable, TicketBatch

__all__ = [
    "Timeline",
    "build_timeline",
    "is_resolved",
    "status_codes",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


NEW = TICKET_STATUSES.index("new")
RESOLVED_CODES = np.array(
    [TICKET_STATUSES.index("solved"), TICKET_STATUSES.index("closed")], dtype=np.int8
)
_SOLVED, _CLOSED = (int(code) for code in RESOLVED_CODES)


def is_resolved(status: npt.NDArray[np.int8]) -> BoolArray:
    """Whether each status code is solved or closed (two compares; ``isin`` would sort)."""
    resolved: BoolArray = (status == _SOLVED) | (status == _CLOSED)
    return resolved


@dataclass(frozen=True)
class Timeline:
    """Every ticket's status history as segments, cut at ``as_of``.

    Segment ``k`` of ticket ``ticket[k]`` has ``status[k]`` from ``start[k]`` to
    ``end[k]`` (the next change, or infinity). The first segment of each ticket
    starts at its creation with status ``new``. ``solve[k]`` marks a segment that
    enters solved or closed from an unsolved status (a completion).
    """

    offsets: IntArray
    ticket: IntArray
    start: FloatArray
    end: FloatArray
    status: npt.NDArray[np.int8]
    solve: BoolArray
    undetermined: BoolArray
    """Tickets marked solved or closed with no time of solving (no history, no solved_at)."""
    from_creation: bool = False
    """Every ticket's segments start at or after its creation (its first segment)."""

    @property
    def last(self) -> IntArray:
        """Index of each ticket's last segment (its status at ``as_of``)."""
        return self.offsets[1:] - 1


def status_codes(changes: EventTable) -> npt.NDArray[np.int8]:
    """The status column of a status history; empty when there is none.

    A batch without any status change (a flat export: only ``solved_at`` and
    ``first_reply_at``) has an empty history table that holds no columns at all.
    """
    if len(changes) == 0:
        return np.empty(0, dtype=np.int8)
    codes: npt.NDArray[np.int8] = changes["status"]
    return codes


def build_timeline(batch: TicketBatch, as_of: float) -> Timeline:
    """Build the status segments of every ticket, ignoring changes after ``as_of``."""
    n = len(batch)
    changes = batch.status_changes
    codes = status_codes(changes)
    keep = changes.at <= as_of
    # Usually nothing is after as_of: then the full columns serve, uncopied.
    everything: BoolArray | slice = slice(None) if keep.all() else keep
    has_history = changes.counts > 0
    # A flat export (no status history) has only solved_at: a solve at that time.
    flat_solve = ~has_history & np.isfinite(batch.solved_at) & (batch.solved_at <= as_of)
    resolved_now = is_resolved(batch.status)
    flat_status = np.where(resolved_now, batch.status, RESOLVED_CODES[0]).astype(np.int8)
    undetermined = ~has_history & resolved_now & ~np.isfinite(batch.solved_at)

    flat_ix = np.flatnonzero(flat_solve)
    laid_out = _lay_out_from_creation(batch, everything, flat_solve)
    if laid_out is not None:
        offsets, change_rows = laid_out
        total = int(offsets[-1])
        ticket = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
        start = np.empty(total)
        status = np.empty(total, dtype=np.int8)
        creation = offsets[:-1]
        start[creation] = batch.created_at
        status[creation] = NEW
        start[change_rows] = changes.at[everything]
        status[change_rows] = codes[everything]
        start[creation[flat_ix] + 1] = batch.solved_at[flat_ix]
        status[creation[flat_ix] + 1] = flat_status[flat_ix]
    else:
        ticket = np.concatenate([np.arange(n, dtype=np.int64), changes.ticket[keep], flat_ix])
        start = np.concatenate([batch.created_at, changes.at[keep], batch.solved_at[flat_ix]])
        status = np.concatenate(
            [np.full(n, NEW, np.int8), codes[keep], flat_status[flat_ix]]
        ).astype(np.int8)
        # Creation rows come first in the concatenation, so they stay first on ties.
        order = group_time_order(ticket, start)
        ticket, start, status = ticket[order], start[order], status[order]
        counts = np.bincount(ticket, minlength=n)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
    # A segment ends where the next one of its ticket starts; the last never ends
    # (every ticket has at least its creation segment).
    firsts, lasts = offsets[:-1], offsets[1:] - 1
    end = np.empty(start.size)
    end[:-1] = start[1:]
    end[lasts] = np.inf
    resolved = is_resolved(status)
    was_resolved = np.empty(start.size, dtype=bool)
    was_resolved[1:] = resolved[:-1]
    was_resolved[firsts] = False
    return Timeline(
        offsets=offsets,
        ticket=ticket,
        start=start,
        end=end,
        status=status,
        solve=resolved & ~was_resolved,
        undetermined=undetermined,
        from_creation=laid_out is not None,
    )


def _lay_out_from_creation(
    batch: TicketBatch, keep: BoolArray | slice, flat_solve: BoolArray
) -> tuple[IntArray, IntArray] | None:
    """Where the segments go without a sort, or None when a sort is needed.

    When each ticket's changes are in time order and none precedes its creation
    (as validated tickets guarantee), the sorted timeline of a ticket is its
    creation, then its kept changes in recorded order (a prefix, being in time
    order), then a flat solve. Returns (offsets, row of each kept change).
    """
    changes = batch.status_changes
    created = batch.created_at
    if not sorted_within_groups(changes.ticket, changes.at):
        return None
    kept_ticket = changes.ticket[keep]
    if not (changes.at[keep] >= created[kept_ticket]).all():
        return None
    flat = np.flatnonzero(flat_solve)
    if not (batch.solved_at[flat] >= created[flat]).all():
        return None
    n = len(batch)
    kept = changes.counts if isinstance(keep, slice) else np.bincount(kept_ticket, minlength=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(kept + 1 + flat_solve, out=offsets[1:])
    # The kept changes of a ticket are its first ones: change j of ticket t goes
    # after its creation, at offsets[t] + 1 + (j - first change of t).
    shift = offsets[:-1] + 1 - changes.offsets[:-1]
    rows = np.arange(changes.at.size)[keep]
    rows += np.repeat(shift, kept)
    return offsets, rows
