"""Priority histories of SLA evaluation: each ticket's priority segments, cut at ``as_of``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.sla._grouping import group_time_order, sorted_within_groups
from cxmetrics.tables.ticket_batch import TicketBatch

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _priority_history(
    batch: TicketBatch, as_of: float
) -> tuple[IntArray, IntArray, FloatArray, npt.NDArray[np.int8]]:
    """Each ticket's priority segments, sorted by (ticket, start): (offsets, ticket, start, code).

    Changes after ``as_of`` are not known yet; the first recorded priority applies
    from creation (histories start at creation), so it is always kept, starting at
    ``-inf``. A ticket without a history has one segment: its priority.
    """
    offsets, ticket, start, code = _priority_rows(batch, as_of)
    # Of several changes at one instant only the last is ever in force: the others
    # last no time, so they neither set nor pass on a target.
    shadowed = np.zeros(start.size, dtype=bool)
    shadowed[:-1] = (start[1:] == start[:-1]) & (ticket[1:] == ticket[:-1])
    if shadowed.any():
        keep = ~shadowed
        ticket, start, code = ticket[keep], start[keep], code[keep]
        offsets = np.zeros(len(batch) + 1, dtype=np.int64)
        np.cumsum(np.bincount(ticket, minlength=len(batch)), out=offsets[1:])
    return offsets, ticket, start, code


def _priority_rows(
    batch: TicketBatch, as_of: float
) -> tuple[IntArray, IntArray, FloatArray, npt.NDArray[np.int8]]:
    """The recorded priority rows of :func:`_priority_history`, sorted by (ticket, start)."""
    n = len(batch)
    changes = batch.priority_changes
    first_row = np.zeros(len(changes), dtype=bool)
    first_row[changes.offsets[:-1][changes.counts > 0]] = True
    keep = (changes.at <= as_of) | first_row
    plain = np.flatnonzero(changes.counts == 0)
    codes = changes["priority"] if len(changes) else np.empty(0, np.int8)
    if sorted_within_groups(changes.ticket, changes.at):
        # In time order, the kept changes of a ticket are its first ones: lay the
        # segments out directly, with no sort.
        kept_ticket = changes.ticket[keep]
        per = np.bincount(kept_ticket, minlength=n)
        per[plain] = 1
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(per, out=offsets[1:])
        total = int(offsets[-1])
        rows = np.flatnonzero(keep)
        rows += offsets[kept_ticket] - changes.offsets[kept_ticket]
        ticket = np.repeat(np.arange(n, dtype=np.int64), per)
        start = np.full(total, -np.inf)
        start[rows] = np.where(first_row[keep], -np.inf, changes.at[keep])
        code = np.empty(total, dtype=np.int8)
        code[rows] = codes[keep]
        code[offsets[plain]] = batch.priority[plain]
        return offsets, ticket, start, code
    ticket = np.concatenate([changes.ticket[keep], plain])
    start = np.concatenate([changes.at[keep], np.full(plain.size, -np.inf)])
    start[: int(keep.sum())][first_row[keep]] = -np.inf
    code = np.concatenate([codes[keep], batch.priority[plain]]).astype(np.int8)
    order = group_time_order(ticket, start)
    ticket, start, code = ticket[order], start[order], code[order]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ticket, minlength=n), out=offsets[1:])
    return offsets, ticket, start, code
