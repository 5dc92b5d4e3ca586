"""Backlog: when each ticket was resolved or unresolved, and how many were open at an instant.

Read from the status segments (a ticket solved, then reopened, was resolved in
between); tickets without a status history fall back on ``solved_at`` and their
current status.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tickets.status import CLOSED_CODE, SOLVED_CODE, status_segments

__all__ = ["backlog_counts", "resolved_at_instants", "unresolved_intervals"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def resolved_at_instants(batch: TicketBatch, instants: FloatArray) -> npt.NDArray[np.bool_]:
    """Whether each ticket was resolved at each instant: a (tickets, instants) matrix.

    Read from the status history (a ticket solved, then reopened, was resolved in
    between); without a history, from ``solved_at`` (or, when that is missing, the
    current status at every instant). Tickets not yet created are unresolved.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import StatusChange, Ticket
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=t0 + timedelta(hours=1), status="solved")])])
    >>> resolved_at_instants(batch, np.array([t0.timestamp(), t0.timestamp() + 7200])).tolist()
    [[False, True]]
    """
    segments = status_segments(batch)
    n = len(batch)
    out = np.zeros((n, instants.size), dtype=bool)
    resolved_codes = (segments.status == SOLVED_CODE) | (segments.status == CLOSED_CODE)
    for j, instant in enumerate(instants):  # a loop over instants, not tickets
        inside = (segments.start <= instant) & ~(segments.end <= instant) & resolved_codes
        out[segments.ticket[inside], j] = True
    flat = np.diff(batch.status_changes.offsets) == 0
    flat_resolved = np.isin(batch.status, [SOLVED_CODE, CLOSED_CODE])
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
    >>> from cxmetrics.tables.inputs import as_ticket_batch
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
    unresolved = ~np.isin(segments.status, [SOLVED_CODE, CLOSED_CODE])
    end = np.where(np.isnan(segments.end), np.inf, segments.end)
    flat_segment = flat[segments.ticket]
    flat_resolved = np.isin(batch.status, [SOLVED_CODE, CLOSED_CODE])[segments.ticket]
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
    >>> from cxmetrics.tables.inputs import as_ticket_batch
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
