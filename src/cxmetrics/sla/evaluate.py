"""Vectorised SLA evaluation: one outcome per (ticket, target instance).

The evaluator turns a :class:`~cxmetrics.tables.ticket_batch.TicketBatch` and a policy (or an
ordered policy set) into an :class:`SlaOutcomes` table. The rules it applies —
when each metric starts, pauses and completes, how priority changes re-target a
running clock, how reopens count — are listed in ``docs/sla.md``; the comments
here only say how they are computed.

How a due time is found
-----------------------
For each instance, the status segments it runs through are cut into *pieces*
during which its clock runs (paused and solved segments are left out), plus one
open-ended piece from its end onwards. The time used after piece ``k`` is the
exact running sum of the pieces' business (or calendar) seconds, so the due time
for a target ``T`` is ``add(piece_start_k, T - used_before_k)`` in the first piece
whose running sum reaches ``T``: the instant the *unpaused* time since the start
reaches the target. Priority changes split the instance into priority segments,
each with its own target; the instance breaches at the first instant its used
time reaches the target in force.

Shortcuts
---------
The general computation sorts histories, merges them into one event stream and
expands every instance into its segments and priority segments. Most inputs
allow cheaper roads to the very same numbers (``tests/sla/test_fast_paths.py``
switches each off and compares): histories already in time order are laid out
rather than sorted; first replies come from one reduction per ticket when no
event precedes creation; resolution-type pieces are read off the whole timeline;
never-pausing clocks keep their one piece in closed form; instances under one
priority skip the priority expansion; whole seconds make (ticket, time) pairs
exact integer keys and running sums one cumulative sum.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import DEFAULT, Definitions, as_definitions
from cxmetrics.exceptions import InvalidParameterError, SlaError
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.sla._clock import Clocks
from cxmetrics.sla._table import ColumnTable
from cxmetrics.sla._timeline import (
    END_OPEN,
    Instances,
    Timeline,
    build_stream,
    build_timeline,
    first_reply_instances,
    group_time_order,
    rank_in_group,
    reply_instances,
    resolution_instances,
    segmented_cumsum,
    segmented_searchsorted,
    sorted_within_groups,
    update_instances,
)
from cxmetrics.sla.policy import (
    SLA_METRICS,
    SlaPolicy,
    SlaPolicySet,
    SlaTarget,
    as_policy_set,
)
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tables.ticket_batch import Categorical, TicketBatch

__all__ = [
    "COMPLETIONS",
    "OUTCOME_STATUSES",
    "SlaOutcomes",
    "assign_policies",
    "evaluate_sla",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

OUTCOME_STATUSES: tuple[str, ...] = (
    "achieved",
    "breached",
    "active",
    "paused",
    "undetermined",
    "no_policy",
    "no_target",
    "not_started",
)
"""Status of an outcome row. The first four are target instances; ``undetermined``
is an instance whose completion the history does not give (a ticket marked solved
without a solve time); the last three are ticket-level rows for tickets without
any instance: no policy matched, the policy has no target that applies, or the
ticket was created after ``as_of``."""

ACHIEVED, BREACHED, ACTIVE, PAUSED, UNDETERMINED, NO_POLICY, NO_TARGET, NOT_STARTED = range(8)

COMPLETIONS: tuple[str, ...] = ("reply", "solve")
"""What completed an instance (``completion`` column); missing while open."""

_RESOLVED = np.isin(
    np.arange(len(TICKET_STATUSES)), [TICKET_STATUSES.index(s) for s in ("solved", "closed")]
)
_REPLY_METRICS = frozenset({"first_reply", "next_reply", "periodic_update"})
# Metrics with one instance per ticket, from creation to the final solve.
_WHOLE_TICKET = frozenset({"resolution", "requester_wait", "agent_work"})


class SlaOutcomes(ColumnTable):
    """The outcome table of :func:`evaluate_sla`: one row per (ticket, target instance).

    Columns (numpy arrays of equal length; instants are float epoch seconds, UTC,
    ``nan`` when missing; durations are seconds on the target's clock):

    ``ticket_id``, ``ticket`` (row of the ticket in the batch), ``policy``,
    ``metric``, ``instance`` (0, 1, … per ticket and metric), ``priority`` (in
    force at the end), ``channel``, ``business_hours``, ``target`` (seconds, in
    force at the end), ``start``, ``due``, ``completed_at``, ``completion``
    (``reply`` or ``solve``), ``status`` (see :data:`OUTCOME_STATUSES`),
    ``business_time_used`` and ``time_left`` (negative once breached).

    Rows come grouped by metric (in the order of ``SLA_METRICS``), then by ticket
    in input order, then by start; the ticket-level rows (``no_policy`` …) come
    last. String columns are stored as :class:`~cxmetrics.tables.ticket_batch.Categorical`;
    indexing (``outcomes["status"]``) decodes them to object arrays.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Message, Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget, evaluate_sla
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id="T1", created_at=t0, interactions=[
    ...     Message(at=t0.replace(hour=10), author="agent")])
    >>> policy = SlaPolicy("std", None, [SlaTarget("first_reply", "PT2H")])
    >>> out = evaluate_sla([ticket], policy, as_of=t0.replace(hour=12))
    >>> len(out), out["status"].tolist(), out["time_left"].tolist()
    (1, ['achieved'], [3600.0])
    >>> out.to_dict()["due"]
    [datetime.datetime(2024, 3, 4, 11, 0, tzinfo=datetime.timezone.utc)]
    """

    INSTANTS: ClassVar[tuple[str, ...]] = ("start", "due", "completed_at")
    DURATIONS: ClassVar[tuple[str, ...]] = (
        "target",
        "business_time_used",
        "time_left",
        "time_to_due",
        "overdue",
    )

    PLAIN: ClassVar[tuple[str, ...]] = ("ticket_id",)

    def __init__(self, columns: Mapping[str, Any], as_of: float = float("nan")) -> None:
        super().__init__(columns)
        self.as_of = as_of
        """The instant of evaluation (epoch seconds)."""

    def _with_columns(self, columns: Mapping[str, Any]) -> SlaOutcomes:
        return SlaOutcomes(columns, self.as_of)

    def status_counts(self) -> dict[str, int]:
        """Number of rows per status (every status listed, zeros included).

        Examples
        --------
        >>> SlaOutcomes.empty().status_counts()["achieved"]
        0
        """
        codes, categories = self.codes("status")
        counts = np.bincount(codes, minlength=len(categories))
        return {status: int(counts[i]) for i, status in enumerate(categories)}

    @classmethod
    def empty(cls) -> SlaOutcomes:
        """A table without rows."""
        return _assemble(
            [], TicketBatch.from_tickets([]), SlaPolicySet(policies=(_PLACEHOLDER,)), 0.0
        )

    def __repr__(self) -> str:
        counts = {k: v for k, v in self.status_counts().items() if v}
        return f"SlaOutcomes(<{len(self)} rows>, {counts})"


def as_of_seconds(as_of: datetime | None, owner: str = "evaluate_sla") -> float:
    """Return ``as_of`` as epoch seconds (now when ``None``); naive instants are refused."""
    if as_of is None:
        return datetime.now(timezone.utc).timestamp()
    if not isinstance(as_of, datetime):
        raise InvalidParameterError(
            f"The 'as_of' parameter of {owner} must be an aware datetime or None. "
            f"Got {as_of!r} instead."
        )
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InvalidParameterError(
            f"The 'as_of' parameter of {owner} must be an aware datetime or None. "
            f"Got the naive {as_of.isoformat()} instead; attach a timezone, e.g. "
            "as_of.replace(tzinfo=timezone.utc)."
        )
    return as_of.timestamp()


def assign_policies(batch: TicketBatch, policies: SlaPolicySet) -> IntArray:
    """Return the index of each ticket's policy in ``policies`` (-1: none matches).

    Ordered evaluation, first match wins; vectorised over tickets (one pass per
    policy and condition field).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaPolicySet, SlaTarget
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = TicketBatch.from_tickets([
    ...     Ticket(id="a", created_at=t0, channel="chat"),
    ...     Ticket(id="b", created_at=t0, tags=["vip"]),
    ...     Ticket(id="c", created_at=t0)])
    >>> target = [SlaTarget("first_reply", 60)]
    >>> rules = SlaPolicySet([SlaPolicy("chat", None, target).when(channel="chat"),
    ...                       SlaPolicy("vip", None, target).when(tags="vip")])
    >>> assign_policies(batch, rules).tolist()
    [0, 1, -1]
    """
    n = len(batch)
    chosen = np.full(n, -1, dtype=np.int64)
    for index, policy in enumerate(policies.policies):
        match = chosen < 0
        cond = policy.conditions
        if cond.channel is not None:
            match &= _in_categorical(batch.channel, cond.channel)
        if cond.group is not None:
            match &= _in_categorical(batch.group, cond.group)
        if cond.segment is not None:
            match &= _in_categorical(batch.segment, cond.segment)
        if cond.priority is not None:
            wanted = [-1 if p is None else PRIORITIES.index(p) for p in cond.priority]
            match &= np.isin(batch.priority, wanted)
        if cond.tags is not None:
            table = batch.tags
            codes = [table["tag"].code_of(t) for t in cond.tags] if len(table) else []
            hit = np.isin(table["tag"].codes, codes) if len(table) else np.zeros(0, bool)
            match &= np.bincount(table.ticket[hit], minlength=n)[:n] > 0
        chosen[match] = index
    return chosen


def _in_categorical(column: Categorical, values: Iterable[str]) -> BoolArray:
    codes = [column.code_of(v) for v in values]
    return np.isin(column.codes, codes)


@dataclass(frozen=True)
class _Context:
    batch: TicketBatch
    as_of: float
    timeline: Timeline
    policies: SlaPolicySet
    policy_of: IntArray
    clocks: Clocks
    # Per (policy, metric): calendar index (-1 = calendar time).
    clock_of: IntArray
    # Per (policy, metric, priority + 1): target seconds (nan = no target).
    targets: FloatArray
    # Per (policy, metric, status): whether the clock runs in that status.
    runs: BoolArray
    # Priority history: segments per ticket (first starts at -inf).
    prio_offsets: IntArray
    prio_ticket: IntArray
    prio_start: FloatArray
    prio_code: npt.NDArray[np.int8]
    # What counts as a reply: the same rules as the ticket metrics.
    definitions: Definitions = DEFAULT


def _context(
    batch: TicketBatch,
    policies: SlaPolicySet,
    as_of: float,
    definitions: Definitions = DEFAULT,
) -> _Context:
    calendars: list[Any] = []
    n_p, n_m = len(policies), len(SLA_METRICS)
    clock_of = np.full((n_p, n_m), -1, dtype=np.int64)
    targets = np.full((n_p, n_m, len(PRIORITIES) + 1), np.nan)
    runs = np.zeros((n_p, n_m, len(TICKET_STATUSES)), dtype=bool)
    for p, policy in enumerate(policies.policies):
        for m, metric in enumerate(SLA_METRICS):
            if policy.uses_business_hours(metric):
                if policy.calendar not in calendars:
                    calendars.append(policy.calendar)
                clock_of[p, m] = calendars.index(policy.calendar)
            for k, priority in enumerate((None, *PRIORITIES)):
                target = policy.target_for(metric, priority)
                if target is not None:
                    targets[p, m, k] = target.seconds
            paused = {TICKET_STATUSES.index(s) for s in policy.pauses(metric)}
            runs[p, m] = [not _RESOLVED[s] and s not in paused for s in range(len(TICKET_STATUSES))]
    offsets, ticket, start, code = _priority_history(batch, as_of)
    return _Context(
        batch=batch,
        as_of=as_of,
        timeline=build_timeline(batch, as_of),
        policies=policies,
        policy_of=assign_policies(batch, policies),
        clocks=Clocks(calendars),
        clock_of=clock_of,
        targets=targets,
        runs=runs,
        prio_offsets=offsets,
        prio_ticket=ticket,
        prio_start=start,
        prio_code=code,
        definitions=definitions,
    )


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
    if SLA_METRICS[m] in _REPLY_METRICS:
        return _one_piece(ctx, inst, m, pol, end)
    if whole_tickets and ctx.timeline.from_creation:
        piece_inst, a, b = _ticket_pieces(ctx, inst, m, end)
    else:
        piece_inst, a, b = _segment_pieces(ctx, inst, m, pol, end)
    n = len(inst)
    clock = ctx.clock_of[pol, m]
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
        used_end[rows] = ctx.clocks.elapsed(ctx.clock_of[pol[rows], m], inst.start[rows], end[rows])
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
        b - a if not ctx.clocks.calendars else ctx.clocks.elapsed(ctx.clock_of[pol[has], m], a, b)
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
    reply = SLA_METRICS[m] in _REPLY_METRICS
    key = (
        id(inst),
        reply,
        whole_tickets,
        b"" if reply else ctx.runs[:, m].tobytes(),
        ctx.clock_of[:, m].tobytes(),
    )
    known = shared.get(key) if shared is not None else None
    # The entry holds its instances, so their id cannot be reused meanwhile.
    pieces: _Pieces | _OnePiece
    if known is not None and known[0] is inst:
        pieces = known[1]
    elif reply:
        pieces = _one_piece_unlaid(ctx, inst, m, pol, end)
    else:
        pieces = _pieces(ctx, inst, m, pol, end, whole_tickets)
        if shared is not None:
            shared[key] = (inst, pieces)
    clock = ctx.clock_of[pol, m]

    # Priority segments of each instance, from the one in force at its start to
    # the one in force at its end.
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
    # Instances under one priority throughout take the short road; the others
    # expand into one row per priority segment.
    # (The short road runs over all of them, cheaper than picking the few others
    # out; their rows are then replaced.)
    part = _due_single(ctx, m, inst, pieces, clock, pol, first_p)
    due, used_at_due, priority = part.due, part.used_at_due, part.priority
    target, applies = part.target, part.applies
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
        due[several], used_at_due[several] = part.due, part.used_at_due
        priority[several], target[several], applies[several] = (
            part.priority,
            part.target,
            part.applies,
        )
    if (applies & ~np.isfinite(due)).any():
        bad = np.flatnonzero(applies & ~np.isfinite(due))
        ids = ", ".join(map(str, ctx.batch.ids[inst.ticket[bad[:5]]]))
        raise SlaError(
            f"no due time exists for metric {SLA_METRICS[m]!r} on ticket(s) {ids}: the "
            "policy's calendar has no open time after their start; extend the calendar"
        )

    status = np.full(n, ACTIVE, dtype=np.int8)
    achieved = completed & (inst.end <= due)
    status[completed] = np.where(achieved[completed], ACHIEVED, BREACHED)
    open_ = ~completed
    final_segment = ctx.timeline.last[t]
    status_now = ctx.timeline.status[final_segment]
    if len(ctx.policies) == 1:
        running_now = np.take(ctx.runs[0, m], status_now)
    else:
        running_now = ctx.runs[pol, m, status_now]
    status[open_ & ~running_now] = PAUSED
    status[open_ & (due < ctx.as_of)] = BREACHED
    return {
        "ticket": t,
        "metric": np.full(n, m, dtype=np.int32),
        "priority": priority.astype(np.int32),
        "business_hours": clock >= 0,
        "target": target,
        "start": inst.start,
        "due": due,
        "completed_at": np.where(completed, inst.end, np.nan),
        "completion": np.where(completed, inst.how - 1, -1).astype(np.int32),
        "status": status.astype(np.int32),
        "business_time_used": pieces.used_end.copy(),
        "time_left": used_at_due - pieces.used_end,
        "keep": applies,
    }


def _no_rows() -> dict[str, Any]:
    floats = ("target", "start", "due", "completed_at", "business_time_used", "time_left")
    ints = ("metric", "priority", "completion", "status")
    return {
        "ticket": np.empty(0, np.int64),
        **{name: np.empty(0) for name in floats},
        **{name: np.empty(0, np.int32) for name in ints},
        "business_hours": np.empty(0, bool),
        "keep": np.empty(0, bool),
    }


_PLACEHOLDER = SlaPolicy(
    name="-", targets=(SlaTarget(metric="resolution", within=timedelta(seconds=1)),)
)


def evaluate_sla(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy],
    as_of: datetime | None = None,
    *,
    definitions: Definitions | str = "default",
) -> SlaOutcomes:
    """Evaluate SLA targets: one outcome per (ticket, target instance).

    Parameters
    ----------
    tickets : TicketBatch or iterable of Ticket
        The tickets with their histories (interactions, status and priority
        changes). Flat exports work too: ``first_reply_at`` is one agent reply and
        ``solved_at`` one solve.
    policy : SlaPolicy, SlaPolicySet or sequence of SlaPolicy
        A single policy applies to every ticket; a set (or sequence) gives each
        ticket the first policy whose conditions match.
    as_of : datetime, optional
        The instant of evaluation (timezone-aware): events after it are ignored,
        open instances are ``active``, ``paused`` or ``breached`` as of then.
        Default: now.
    definitions : Definitions or str, default="default"
        What counts as an agent reply (bots, internal notes, automated messages,
        calls), exactly as for the ticket metrics: a first-reply target is met by
        the reply that :func:`~cxmetrics.first_response_time` measures.

    Returns
    -------
    SlaOutcomes
        Every ticket appears: each of its target instances is a row, and a ticket
        without any has one row saying why (``no_policy``, ``no_target``,
        ``not_started``).

    Raises
    ------
    SlaError
        When a due time cannot be computed (a calendar with no open time after a
        start).
    InvalidParameterError
        For a naive ``as_of``.

    See Also
    --------
    sla_compliance_rate : achieved / (achieved + breached).
    sla_at_risk : open targets that will breach soon.

    Examples
    --------
    Created at 09:00, paused in pending from 10:00 to 12:00, solved at 14:00, with
    a 4-hour resolution target in calendar time: 3 hours used, due at 15:00.

    >>> from datetime import datetime, timezone
    >>> from cxmetrics import StatusChange, Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id="T1", created_at=t0, status_changes=[
    ...     StatusChange(at=t0.replace(hour=10), status="pending"),
    ...     StatusChange(at=t0.replace(hour=12), status="open"),
    ...     StatusChange(at=t0.replace(hour=14), status="solved")])
    >>> policy = SlaPolicy("std", None, [SlaTarget("resolution", "PT4H")])
    >>> row = evaluate_sla([ticket], policy, as_of=t0.replace(hour=18)).to_dict()
    >>> row["status"], row["due"][0].hour, row["business_time_used"][0]
    (['achieved'], 15, datetime.timedelta(seconds=10800))
    """
    return _evaluate(tickets, policy, as_of, definitions=as_definitions(definitions))


def _evaluate(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy],
    as_of: datetime | None,
    stages: dict[str, float] | None = None,
    definitions: Definitions = DEFAULT,
) -> SlaOutcomes:
    """:func:`evaluate_sla`, adding the seconds of each stage to ``stages`` if given."""
    clock = _Stopwatch(stages)
    batch = as_ticket_batch(tickets)
    policies = as_policy_set(policy)
    clock.lap("batch")
    ctx = _context(batch, policies, as_of_seconds(as_of), definitions)
    clock.lap("timeline and policies")
    parts = _evaluate_all(ctx, clock)
    outcomes = _assemble(parts, batch, policies, ctx.as_of, ctx.policy_of)
    clock.lap("assemble")
    return outcomes


class _Stopwatch:
    """Accumulates wall-clock seconds per stage, for benchmarks; free when off."""

    def __init__(self, stages: dict[str, float] | None) -> None:
        self.stages = stages
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.stages is not None:
            now = time.perf_counter()
            self.stages[name] = self.stages.get(name, 0.0) + now - self.last
            self.last = now


def _evaluate_all(ctx: _Context, clock: _Stopwatch | None = None) -> list[dict[str, Any]]:
    clock = clock or _Stopwatch(None)
    batch = ctx.batch
    alive = (ctx.policy_of >= 0) & (batch.created_at <= ctx.as_of)
    wanted = [
        m
        for m, metric in enumerate(SLA_METRICS)
        if any(metric in p.metrics for p in ctx.policies.policies)
    ]
    has_metric = np.array(
        [[metric in p.metrics for metric in SLA_METRICS] for p in ctx.policies.policies]
    )
    parts: list[dict[str, Any]] = []
    names = [SLA_METRICS[m] for m in wanted]
    by_metric: dict[str, Instances] = {}
    first_only = None
    if "first_reply" in names and not {"next_reply", "periodic_update", "pausable_update"} & set(
        names
    ):
        first_only = first_reply_instances(
            batch, ctx.timeline, ctx.as_of, alive, definitions=ctx.definitions
        )
    if first_only is not None:
        by_metric["first_reply"] = first_only
        clock.lap("reply and update instances")
    elif {"first_reply", "next_reply", "periodic_update", "pausable_update"} & set(names):
        # The stream holds only the segments that solve or reopen: the pausable
        # update clock, which needs every segment, looks them up in the timeline.
        stream = build_stream(
            batch,
            ctx.timeline,
            ctx.as_of,
            alive,
            every_segment=False,
            definitions=ctx.definitions,
        )
        if {"first_reply", "next_reply"} & set(names):
            by_metric["first_reply"], by_metric["next_reply"] = reply_instances(stream)
        if {"periodic_update", "pausable_update"} & set(names):
            updates = update_instances(stream, exact="pausable_update" in names)
            by_metric["periodic_update"] = by_metric["pausable_update"] = updates
        clock.lap("reply and update instances")
    if {"resolution", "requester_wait", "agent_work"} & set(names):
        resolution = resolution_instances(batch, ctx.timeline, alive)
        for name in ("resolution", "requester_wait", "agent_work"):
            by_metric[name] = resolution
        clock.lap("resolution instances")
    # Metrics whose clocks run alike over the same instances share their pieces
    # (resolution and agent work, when the policy pauses in pending and on-hold).
    shared: dict[tuple[Any, ...], tuple[Instances, _Pieces]] = {}
    for m in wanted:
        inst = by_metric[SLA_METRICS[m]]
        if len(ctx.policies) > 1:  # one policy targets every wanted metric
            targeted = has_metric[ctx.policy_of[inst.ticket], m]
            if not targeted.all():
                inst = by_metric[SLA_METRICS[m]] = inst.take(targeted)
        undetermined = ctx.timeline.undetermined[inst.ticket]
        part = _evaluate_metric(ctx, m, inst, SLA_METRICS[m] in _WHOLE_TICKET, shared)
        # A ticket marked solved without a solve time: its resolution-type
        # instances cannot be judged (documented outcome, not a guess).
        if SLA_METRICS[m] in _WHOLE_TICKET:
            part["status"][undetermined] = UNDETERMINED
            for name in ("due", "business_time_used", "time_left"):
                part[name][undetermined] = np.nan
        parts.append(part)
        clock.lap(f"due times: {SLA_METRICS[m]}")
    return parts


def _instance_numbers(ticket: IntArray) -> IntArray:
    """Number of each row within its ticket (0, 1, ...), for rows grouped by ticket."""
    if ticket.size == 0:
        return np.zeros(0, dtype=np.int64)
    new_group = np.ones(ticket.size, dtype=bool)
    np.not_equal(ticket[1:], ticket[:-1], out=new_group[1:])
    if new_group.all():  # one instance per ticket (first reply, resolution, ...)
        return np.zeros(ticket.size, dtype=np.int64)
    rows = np.arange(ticket.size, dtype=np.int64)
    return rows - np.maximum.accumulate(np.where(new_group, rows, 0))


def _assemble(
    parts: list[dict[str, Any]],
    batch: TicketBatch,
    policies: SlaPolicySet,
    as_of: float,
    policy_of: IntArray | None = None,
) -> SlaOutcomes:
    n = len(batch)
    if policy_of is None:
        policy_of = np.full(n, -1, dtype=np.int64)
    kept = [
        {k: v for k, v in p.items() if k != "keep"}
        if p["keep"].all()
        else {k: v[p["keep"]] for k, v in p.items() if k != "keep"}
        for p in parts
    ]
    covered = np.zeros(n, dtype=bool)
    for part in kept:
        covered[part["ticket"]] = True
    # Ticket-level rows: every ticket without an instance says why.
    lonely = np.flatnonzero(~covered)
    why = np.where(
        policy_of[lonely] < 0,
        NO_POLICY,
        np.where(batch.created_at[lonely] > as_of, NOT_STARTED, NO_TARGET),
    )
    k = lonely.size
    kept.append(
        {
            "ticket": lonely.astype(np.int64),
            "metric": np.full(k, -1, dtype=np.int32),
            "priority": batch.priority[lonely].astype(np.int32),
            "business_hours": np.zeros(k, dtype=bool),
            "target": np.full(k, np.nan),
            "start": batch.created_at[lonely],
            "due": np.full(k, np.nan),
            "completed_at": np.full(k, np.nan),
            "completion": np.full(k, -1, dtype=np.int32),
            "status": why.astype(np.int32),
            "business_time_used": np.full(k, np.nan),
            "time_left": np.full(k, np.nan),
        }
    )
    # Rows by metric (canonical order), then ticket, then start, as the parts
    # come: each is already ordered by ticket and start, so no sort is needed.
    for part in kept[:-1]:
        part["instance"] = _instance_numbers(part["ticket"])
    kept[-1]["instance"] = np.full(k, -1, dtype=np.int64)
    data = {name: np.concatenate([p[name] for p in kept]) for name in kept[0]}
    ticket = data["ticket"]
    metric = data["metric"]
    instance = data["instance"]
    if len(policies) == 1 and bool((policy_of == 0).all()):
        policy_codes = np.zeros(ticket.size, dtype=np.int32)
    else:
        policy_codes = policy_of[ticket].astype(np.int32)
    columns: dict[str, Any] = {
        # Codes into the ids: no per-row string gather until the column is read.
        "ticket_id": Categorical(ticket.astype(np.int32), tuple(batch.ids.tolist())),
        "ticket": ticket,
        "policy": Categorical(policy_codes, tuple(p.name for p in policies.policies)),
        "metric": Categorical(metric, SLA_METRICS),
        "instance": instance,
        "priority": Categorical(data["priority"].astype(np.int32, copy=False), PRIORITIES),
        "channel": batch.channel.take(ticket),
        "business_hours": data["business_hours"],
        "target": data["target"],
        "start": data["start"],
        "due": data["due"],
        "completed_at": data["completed_at"],
        "completion": Categorical(data["completion"], COMPLETIONS),
        "status": Categorical(data["status"], OUTCOME_STATUSES),
        "business_time_used": data["business_time_used"],
        "time_left": data["time_left"],
    }
    return SlaOutcomes(columns, as_of)
