"""Clock pieces of SLA evaluation: when each instance's clock runs, and running sums.

For each instance, the status segments it runs through are cut into *pieces*
during which its clock runs (paused and solved segments are left out), plus one
open-ended piece from its end onwards. The time used after piece ``k`` is the
exact running sum of the pieces' business (or calendar) seconds. Never-pausing
clocks (replies and updates) keep their one piece in closed form (:class:`_OnePiece`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.sla._context import _Context
from cxmetrics.sla._grouping import rank_in_group, segmented_cumsum
from cxmetrics.sla._instances import Instances

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Pieces:
    """Running pieces of every instance, laid out by ``offsets`` (last: open-ended)."""

    offsets: IntArray
    start: FloatArray
    end: FloatArray
    before: FloatArray
    through: FloatArray
    used_end: FloatArray


def _pieces(
    ctx: _Context,
    inst: Instances,
    m: int,
    pol: IntArray,
    end: FloatArray,
    whole_tickets: bool = False,
) -> _Pieces:
    """The running pieces of each instance, with exact running sums of their time.

    ``whole_tickets`` says the instances are resolution instances (one per ticket,
    from creation), which lets the pieces come straight from the timeline.
    """
    if ctx.steady(m):
        return _one_piece(ctx, inst, m, pol, end)
    if whole_tickets and ctx.timeline.from_creation:
        piece_inst, a, b = _ticket_pieces(ctx, inst, m, end)
    else:
        piece_inst, a, b = _segment_pieces(ctx, inst, m, pol, end)
    n = len(inst)
    clock = ctx.clock(m, inst.ticket, pol)
    # Per instance: its pieces (in time order), then the open-ended one.
    per = np.bincount(piece_inst, minlength=n) + 1
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per, out=offsets[1:])
    total = int(offsets[-1])
    open_ended = offsets[1:] - 1
    # Pieces come by instance, and each earlier instance adds one open-ended row.
    closed = np.arange(piece_inst.size, dtype=np.int64) + piece_inst
    starts = np.empty(total)
    ends = np.full(total, np.inf)
    durations = np.zeros(total)
    starts[closed] = a
    ends[closed] = b
    durations[closed] = (
        b - a if not ctx.clocks.calendars else ctx.clocks.elapsed(clock[piece_inst], a, b)
    )
    starts[open_ended] = end
    before, through = _running_sums(durations, offsets)
    used_end = through[open_ended]
    through[open_ended] = np.inf
    return _Pieces(offsets, starts, ends, before, through, used_end)


@dataclass(frozen=True)
class _OnePiece:
    """The pieces of never-pausing instances, unlaid: each runs from start to end.

    The same pieces as :func:`_one_piece` lays out (one closed piece when the
    instance ends after it starts, then the open-ended one), read in closed form.
    """

    start: FloatArray
    end: FloatArray
    used_end: FloatArray
    """Time on the clock from start to end (0 when it ends where it starts)."""

    def first_reaching(self, inst: IntArray, target: FloatArray) -> tuple[FloatArray, FloatArray]:
        """For rows (instance, target): (start, time used before) of the piece reaching it."""
        used = self.used_end[inst]
        # Targets are positive: only a closed piece has time, all of it at its end.
        closed = used >= target
        return np.where(closed, self.start[inst], self.end[inst]), np.where(closed, 0.0, used)


def _one_piece_unlaid(
    ctx: _Context, inst: Instances, m: int, pol: IntArray, end: FloatArray
) -> _OnePiece:
    """:func:`_one_piece` without the layout: the time used by each instance."""
    has = end > inst.start
    if not ctx.clocks.calendars:
        used_end = np.where(has, end - inst.start, 0.0)
    else:
        used_end = np.zeros(len(inst))
        rows = np.flatnonzero(has)
        used_end[rows] = ctx.clocks.elapsed(
            ctx.clock(m, inst.ticket[rows], pol[rows]), inst.start[rows], end[rows]
        )
    return _OnePiece(inst.start, end, used_end)


def _one_piece(ctx: _Context, inst: Instances, m: int, pol: IntArray, end: FloatArray) -> _Pieces:
    """:func:`_pieces` for the reply and update clocks: one piece per instance.

    These clocks never pause and end at the first solve, so they run through the
    whole instance (no piece when it ends where it starts), and the running sums
    need no adding.
    """
    n = len(inst)
    has = end > inst.start
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(has + 1, out=offsets[1:])
    total = int(offsets[-1])
    open_ended = offsets[1:] - 1
    after = open_ended[has]
    closed = after - 1
    a, b = inst.start[has], end[has]
    # (In calendar time the clock of each row need not be looked up.)
    duration = (
        b - a
        if not ctx.clocks.calendars
        else ctx.clocks.elapsed(ctx.clock(m, inst.ticket[has], pol[has]), a, b)
    )
    starts = np.empty(total)
    starts[closed] = a
    starts[open_ended] = end
    ends = np.full(total, np.inf)
    ends[closed] = b
    before = np.zeros(total)
    before[after] = duration
    through = np.full(total, np.inf)
    through[closed] = duration
    used_end = np.zeros(n)
    used_end[has] = duration
    return _Pieces(offsets, starts, ends, before, through, used_end)


def _segment_pieces(
    ctx: _Context, inst: Instances, m: int, pol: IntArray, end: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Pieces (instance, start, end) from each instance's status segments."""
    tl = ctx.timeline
    n = len(inst)
    count = np.maximum(inst.last_segment - inst.first_segment + 1, 0)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(count, out=offsets[1:])
    inst_of = np.repeat(np.arange(n, dtype=np.int64), count)
    seg = inst.first_segment[inst_of] + rank_in_group(offsets, int(offsets[-1]))
    a = np.maximum(tl.start[seg], inst.start[inst_of])
    b = np.minimum(tl.end[seg], end[inst_of])
    status = tl.status[seg]
    if len(ctx.policies) == 1:
        running = np.take(ctx.runs[0, m], status)
    else:
        running = ctx.runs[pol[inst_of], m, status]
    running &= b > a
    # Consecutive running segments (new then open, say) are one piece: status
    # segments are contiguous, so only the running flag and the instance split.
    continues = np.zeros(running.size, dtype=bool)
    continues[1:] = running[1:] & running[:-1] & (inst_of[1:] == inst_of[:-1])
    first = running & ~continues
    last = running.copy()
    last[:-1] &= ~continues[1:]
    return inst_of[first], a[first], b[last]


def _ticket_pieces(
    ctx: _Context, inst: Instances, m: int, end: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """:func:`_segment_pieces` for resolution instances, read off the whole timeline.

    A resolution instance runs from its ticket's creation (its first segment, as
    the timeline is ``from_creation``) to its final solve, and every segment
    after that is solved or closed, so it never runs. The running segments of
    the instances are then the running segments of their tickets: one pass over
    the timeline, no expansion per instance.
    """
    tl = ctx.timeline
    n_tickets = tl.offsets.size - 1
    if len(inst) == n_tickets:
        owner = tl.ticket
        if len(ctx.policies) == 1:
            running = np.take(ctx.runs[0, m], tl.status)
        else:
            running = ctx.runs[ctx.policy_of[owner], m, tl.status]
    else:
        inst_of = np.full(n_tickets, -1, dtype=np.int64)
        inst_of[inst.ticket] = np.arange(len(inst), dtype=np.int64)
        owner = inst_of[tl.ticket]
        running = ctx.runs[ctx.policy_of[tl.ticket], m, tl.status] & (owner >= 0)
    # A running segment needs a positive length: to the next change, and for a
    # ticket's last segment (open-ended), to the end of its instance.
    running &= tl.end > tl.start
    last = tl.last[inst.ticket]
    running[last] &= end > tl.start[last]
    continues = np.zeros(running.size, dtype=bool)
    continues[1:] = running[1:] & running[:-1]
    continues[tl.offsets[:-1]] = False
    first = np.flatnonzero(running & ~continues)
    stops = running
    stops[:-1] &= ~continues[1:]
    piece_inst = owner[first]
    b = np.minimum(tl.end[np.flatnonzero(stops)], end[piece_inst])
    return piece_inst, tl.start[first], b


def _running_sums(values: FloatArray, offsets: IntArray) -> tuple[FloatArray, FloatArray]:
    """Exact running sums within the groups laid out by ``offsets``: (before, through).

    The sums must equal a sequential loop's. Whole numbers of seconds (the usual
    case) add exactly in float64 below 2**53, in any order, so one cumulative sum
    over all rows, less each group's base, gives them; otherwise the sums run
    rank by rank.
    """
    counts = np.diff(offsets)
    if values.size == 0 or int(counts.max()) <= 1:
        return np.zeros(values.size), values.copy()
    cumulative = np.cumsum(values)
    # Non-negative values: the total bounds every partial sum.
    exact = float(values.min()) >= 0.0 and float(cumulative[-1]) < 2.0**53
    # (Empty groups would share a start; the evaluator never makes any.)
    if exact and np.array_equal(np.floor(values), values) and bool(counts.all()):
        base = np.zeros(counts.size)
        base[1:] = cumulative[offsets[1:-1] - 1]
        # Each row's group base, spread by summing the steps between bases (whole
        # numbers again, so exact): cheaper than repeating them. In place: these
        # arrays are large.
        spread = np.zeros(values.size)
        spread[offsets[1:-1]] = np.diff(base)
        np.cumsum(spread, out=spread)
        through = np.subtract(cumulative, spread, out=cumulative)
        return np.subtract(through, values, out=spread), through
    return segmented_cumsum(values, rank_in_group(offsets, values.size))
