"""Per-metric SLA evaluation: the outcome columns of one metric's instances.

Each metric's instances get their clock pieces, their priority segments, their
due times and their status as of the evaluation instant.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import SlaError
from cxmetrics.sla._context import _Context
from cxmetrics.sla._due import _Due, _due_single, _due_times
from cxmetrics.sla._grouping import segmented_searchsorted
from cxmetrics.sla._instances import END_OPEN, Instances
from cxmetrics.sla._pieces import (
    _one_piece,
    _one_piece_unlaid,
    _OnePiece,
    _Pieces,
    _pieces,
)
from cxmetrics.sla.outcomes import ACHIEVED, ACTIVE, BREACHED, PAUSED
from cxmetrics.sla.policy import SLA_METRICS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _evaluate_metric(
    ctx: _Context,
    m: int,
    inst: Instances,
    whole_tickets: bool,
    shared: dict[tuple[Any, ...], tuple[Instances, _Pieces]] | None = None,
) -> dict[str, Any]:
    """Outcome columns for the instances of metric ``m`` (already filtered to policies).

    ``shared`` keeps the pieces of earlier metrics: the pieces depend only on the
    instances, on where the clock runs and on its calendar.
    """
    n = len(inst)
    if n == 0:
        return _no_rows()
    pol = ctx.policy_of[inst.ticket]
    completed = inst.how != END_OPEN
    end = np.where(completed, inst.end, ctx.as_of)
    pieces = _metric_pieces(ctx, m, inst, pol, end, whole_tickets, shared)
    clock = ctx.clock(m, inst.ticket, pol)
    first_p, last_p = _priority_span(ctx, inst, end)
    part = _metric_due(ctx, m, inst, pieces, clock, pol, end, first_p, last_p)
    status = _status(ctx, m, inst, pol, completed, part.due)
    return {
        "ticket": inst.ticket,
        "metric": np.full(n, m, dtype=np.int32),
        "priority": part.priority.astype(np.int32),
        "business_hours": clock >= 0,
        "target": part.target,
        "start_at": inst.start,
        "due_at": part.due,
        "completed_at": np.where(completed, inst.end, np.nan),
        "completion": np.where(completed, inst.how - 1, -1).astype(np.int32),
        "status": status.astype(np.int32),
        "business_time_used": pieces.used_end.copy(),
        "time_left": part.used_at_due - pieces.used_end,
        "keep": part.applies,
    }


def _metric_pieces(
    ctx: _Context,
    m: int,
    inst: Instances,
    pol: IntArray,
    end: FloatArray,
    whole_tickets: bool,
    shared: dict[tuple[Any, ...], tuple[Instances, _Pieces]] | None,
) -> _Pieces | _OnePiece:
    """The clock pieces of metric ``m``'s instances, reused from ``shared`` when known."""
    reply = ctx.steady(m)
    key = (
        id(inst),
        reply,
        whole_tickets,
        b"" if reply else ctx.runs[:, m].tobytes(),
        ctx.clock_of[:, m].tobytes(),
    )
    known = shared.get(key) if shared is not None else None
    # The entry holds its instances, so their id cannot be reused meanwhile.
    if known is not None and known[0] is inst:
        return known[1]
    if reply:
        return _one_piece_unlaid(ctx, inst, m, pol, end)
    pieces = _pieces(ctx, inst, m, pol, end, whole_tickets)
    if shared is not None:
        shared[key] = (inst, pieces)
    return pieces


def _priority_span(ctx: _Context, inst: Instances, end: FloatArray) -> tuple[IntArray, IntArray]:
    """Priority segments of each instance: (the one in force at its start, at its end)."""
    t = inst.ticket
    first_p = ctx.prio_offsets[t]
    last_p = ctx.prio_offsets[t + 1] - 1
    multi = np.flatnonzero(last_p > first_p)
    if multi.size:
        rows = np.flatnonzero(np.diff(ctx.prio_offsets)[ctx.prio_ticket] > 1)
        sub_t, sub_s = ctx.prio_ticket[rows], ctx.prio_start[rows]
        at_start = segmented_searchsorted(sub_t, sub_s, t[multi], inst.start[multi], "right")
        at_end = segmented_searchsorted(sub_t, sub_s, t[multi], end[multi], "right")
        first_p[multi] = rows[at_start - 1]
        last_p[multi] = rows[at_end - 1]
    return first_p, last_p


def _metric_due(
    ctx: _Context,
    m: int,
    inst: Instances,
    pieces: _Pieces | _OnePiece,
    clock: IntArray,
    pol: IntArray,
    end: FloatArray,
    first_p: IntArray,
    last_p: IntArray,
) -> _Due:
    """Due times of metric ``m``'s instances; raises when a target has none."""
    # Instances under one priority throughout take the short road; the others
    # expand into one row per priority segment.
    # (The short road runs over all of them, cheaper than picking the few others
    # out; their rows are then replaced.)
    result = _due_single(ctx, m, inst, pieces, clock, pol, first_p)
    several = np.flatnonzero(last_p > first_p)
    if several.size and isinstance(pieces, _OnePiece):
        # The general road walks laid-out pieces: lay out those of the few.
        sub = inst.take(several)
        sub_pieces = _one_piece(ctx, sub, m, pol[several], end[several])
        local = np.arange(several.size, dtype=np.int64)
        part = _due_times(
            ctx,
            m,
            sub,
            sub_pieces,
            clock[several],
            pol[several],
            first_p[several],
            last_p[several],
            local,
        )
    elif several.size and isinstance(pieces, _Pieces):
        part = _due_times(
            ctx, m, inst, pieces, clock, pol, first_p[several], last_p[several], several
        )
    if several.size:
        result.due[several], result.used_at_due[several] = part.due, part.used_at_due
        result.priority[several], result.target[several], result.applies[several] = (
            part.priority,
            part.target,
            part.applies,
        )
    if (result.applies & ~np.isfinite(result.due)).any():
        bad = np.flatnonzero(result.applies & ~np.isfinite(result.due))
        ids = ", ".join(map(str, ctx.batch.ids[inst.ticket[bad[:5]]]))
        raise SlaError(
            f"no due time exists for metric {SLA_METRICS[m]!r} on ticket(s) {ids}: the "
            "policy's calendar has no open time after their start; extend the calendar"
        )
    return result


def _status(
    ctx: _Context,
    m: int,
    inst: Instances,
    pol: IntArray,
    completed: BoolArray,
    due: FloatArray,
) -> npt.NDArray[np.int8]:
    """Status codes of the instances as of ``ctx.as_of``."""
    status = np.full(len(inst), ACTIVE, dtype=np.int8)
    achieved = completed & (inst.end <= due)
    status[completed] = np.where(achieved[completed], ACHIEVED, BREACHED)
    open_ = ~completed
    final_segment = ctx.timeline.last[inst.ticket]
    status_now = ctx.timeline.status[final_segment]
    if len(ctx.policies) == 1:
        running_now = np.take(ctx.runs[0, m], status_now)
    else:
        running_now = ctx.runs[pol, m, status_now]
    status[open_ & ~running_now] = PAUSED
    status[open_ & (due < ctx.as_of)] = BREACHED
    return status


def _no_rows() -> dict[str, Any]:
    floats = ("target", "start_at", "due_at", "completed_at", "business_time_used", "time_left")
    ints = ("metric", "priority", "completion", "status")
    return {
        "ticket": np.empty(0, np.int64),
        **{name: np.empty(0) for name in floats},
        **{name: np.empty(0, np.int32) for name in ints},
        "business_hours": np.empty(0, bool),
        "keep": np.empty(0, bool),
    }
