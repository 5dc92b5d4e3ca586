"""Due times of SLA evaluation: when each instance's used time reaches its target.

The due time for a target ``T`` is ``add(piece_start_k, T - used_before_k)`` in the
first piece whose running sum reaches ``T``: the instant the *unpaused* time since
the start reaches the target. Priority changes split the instance into priority
segments, each with its own target; the instance breaches at the first instant
its used time reaches the target in force.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.sla._context import _Context
from cxmetrics.sla._grouping import group_time_order, rank_in_group
from cxmetrics.sla._instances import Instances
from cxmetrics.sla._pieces import _OnePiece, _Pieces

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _first_reaching(pieces: _Pieces, inst: IntArray, target: FloatArray) -> IntArray:
    """For rows (instance, target): the first piece whose running total reaches the target."""
    # Running totals grow within an instance: when the closed pieces do not reach
    # the target, the open-ended one does, with no walk through them.
    open_ended = pieces.offsets[inst + 1] - 1
    found = np.where(pieces.used_end[inst] < target, open_ended, -1)
    todo = np.flatnonzero(found < 0)
    k = pieces.offsets[inst[todo]]
    while todo.size:
        hit = pieces.through[k] >= target[todo]
        found[todo[hit]] = k[hit]
        todo, k = todo[~hit], k[~hit] + 1
    return found


def _used_at(
    ctx: _Context, pieces: _Pieces, clock: IntArray, inst: IntArray, at: FloatArray
) -> FloatArray:
    """Time used by each instance ``inst`` by instant ``at``."""
    used = np.zeros(inst.size)
    todo = np.arange(inst.size)
    k = pieces.offsets[inst]
    # Every piece starting before `at` counts, the last one only up to `at`.
    while todo.size:
        begun = pieces.start[k] < at[todo]
        rows, kk = todo[begun], k[begun]
        stop = np.minimum(at[rows], pieces.end[kk])
        used[rows] = pieces.before[kk] + ctx.clocks.elapsed(
            clock[inst[rows]], pieces.start[kk], stop
        )
        more = begun & (k + 1 < pieces.offsets[inst[todo] + 1])
        todo, k = todo[more], k[more] + 1
    return used


@dataclass(frozen=True)
class _Due:
    """Per instance: due time, time used at it, and the priority and target at the end."""

    due: FloatArray
    used_at_due: FloatArray
    priority: npt.NDArray[np.int8]
    target: FloatArray
    applies: BoolArray


def _due_single(
    ctx: _Context,
    m: int,
    inst: Instances,
    pieces: _Pieces | _OnePiece,
    clock: IntArray,
    pol: IntArray,
    first_p: IntArray,
) -> _Due:
    """:func:`_due_times` for instances under one priority throughout (most of them).

    Each instance is its own row: no expansion, and the target cannot change.
    Instances whose priority does change get the answer for their first priority.
    """
    start = inst.start
    prio = ctx.prio_code[first_p]
    if len(ctx.policies) == 1:
        target = ctx.targets[0, m][prio.astype(np.intp) + 1]
    else:
        target = ctx.targets[pol, m, prio.astype(np.intp) + 1]
    valid = np.isfinite(target)
    v = None if bool(valid.all()) else np.flatnonzero(valid)
    wv = np.arange(start.size, dtype=np.int64) if v is None else v
    tv = target if v is None else target[v]
    if isinstance(pieces, _OnePiece):
        piece_start, before = pieces.first_reaching(wv, tv)
    else:
        k = _first_reaching(pieces, wv, tv)
        piece_start, before = pieces.start[k], pieces.before[k]
    left = tv - before
    if not ctx.clocks.calendars:
        reach = piece_start + left
    else:
        reach = ctx.clocks.advance(clock if v is None else clock[wv], piece_start, left)
    # The priority applies from the start and every piece starts there or later,
    # so the crossing is never before it applies (as it may be in _due_times);
    # and the segment never ends: any finite crossing is the due.
    used_due = tv.copy()  # (target is returned too, and both may be written to)
    ok = reach < np.inf
    if v is None and bool(ok.all()):
        due, used_at_due = reach, used_due
    else:
        due = np.full(start.size, np.inf)
        used_at_due = np.full(start.size, np.nan)
        rows = np.flatnonzero(ok) if v is None else v[ok]
        due[rows] = reach[ok]
        used_at_due[rows] = used_due[ok]
    return _Due(due=due, used_at_due=used_at_due, priority=prio, target=target, applies=valid)


def _due_times(
    ctx: _Context,
    m: int,
    inst: Instances,
    pieces: _Pieces,
    clock: IntArray,
    pol: IntArray,
    first_p: IntArray,
    last_p: IntArray,
    idx: IntArray,
) -> _Due:
    """Due times of the instances ``idx``, whose priority segments run first_p..last_p."""
    n = idx.size
    count = last_p - first_p + 1
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(count, out=offsets[1:])
    row_inst = np.repeat(np.arange(n, dtype=np.int64), count)
    rank = rank_in_group(offsets, int(offsets[-1]))
    prio_row = first_p[row_inst] + rank
    seg_end = np.full(row_inst.size, np.inf)
    inner = rank < count[row_inst] - 1
    seg_end[inner] = ctx.prio_start[prio_row[inner] + 1]
    whole = idx[row_inst]
    prio = ctx.prio_code[prio_row]
    seg_start = np.maximum(ctx.prio_start[prio_row], inst.start[whole])
    target = ctx.targets[pol[whole], m, prio.astype(np.int64) + 1]
    # A priority without a target keeps the target in force before it.
    has = np.isfinite(target)
    filled = np.maximum.accumulate(np.where(has, np.arange(target.size), -1))
    same = (filled >= 0) & (row_inst[np.maximum(filled, 0)] == row_inst)
    target = np.where(same, target[np.maximum(filled, 0)], np.nan)

    valid = np.isfinite(target)
    due_row = np.full(row_inst.size, np.inf)
    used_due_row = np.full(row_inst.size, np.nan)
    v = np.flatnonzero(valid)
    if v.size:
        wv = whole[v]
        k = _first_reaching(pieces, wv, target[v])
        reach = ctx.clocks.advance(clock[wv], pieces.start[k], target[v] - pieces.before[k])
        late = reach < seg_start[v]
        # Reached before this priority applied: breached the moment it applies.
        crossing = np.where(late, seg_start[v], reach)
        used_due = target[v].copy()
        if late.any():
            lv = v[late]
            used_due[late] = _used_at(ctx, pieces, clock, whole[lv], seg_start[lv])
        ok = crossing < seg_end[v]
        due_row[v[ok]] = crossing[ok]
        used_due_row[v[ok]] = used_due[ok]
    # The due time is the earliest breach over the priority segments; only the
    # instances with several segments need a sort.
    first_of = offsets[:-1].copy()
    several = np.flatnonzero(count > 1)
    if several.size:
        rows = np.flatnonzero(count[row_inst] > 1)
        order = rows[group_time_order(row_inst[rows], due_row[rows])]
        group_start = np.zeros(several.size, dtype=np.int64)
        np.cumsum(count[several][:-1], out=group_start[1:])
        first_of[several] = order[group_start]
    last_row = offsets[1:] - 1
    return _Due(
        due=due_row[first_of],
        used_at_due=used_due_row[first_of],
        priority=prio[last_row],
        target=target[last_row],
        applies=np.bincount(row_inst[valid], minlength=n) > 0,
    )
