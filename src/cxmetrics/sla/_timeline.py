"""Columnar building blocks of SLA evaluation: status timelines and target instances.

Everything here is numpy over whole batches; no function loops over tickets. The
only loops run over the *rank* of a row within its ticket (a handful of
iterations) to keep per-instance sums exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import DEFAULT, Definitions
from cxmetrics.models.ticket import TICKET_STATUSES
from cxmetrics.tables.ticket_batch import (
    AUTHORS,
    CREATED_BY,
    KIND_MESSAGE,
    EventTable,
    TicketBatch,
)
from cxmetrics.tickets.replies import reply_mask

__all__ = [
    "Instances",
    "Stream",
    "Timeline",
    "build_stream",
    "build_timeline",
    "first_reply_instances",
    "reply_instances",
    "resolution_instances",
    "segmented_searchsorted",
    "update_instances",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NEW = TICKET_STATUSES.index("new")
RESOLVED_CODES = np.array(
    [TICKET_STATUSES.index("solved"), TICKET_STATUSES.index("closed")], dtype=np.int8
)
_SOLVED, _CLOSED = (int(code) for code in RESOLVED_CODES)
CUSTOMER = AUTHORS.index("customer")
AGENT = AUTHORS.index("agent")
CREATED_BY_CUSTOMER = CREATED_BY.index("customer")

# How an instance ended: still open, by an agent reply, or by a solve.
END_OPEN, END_REPLY, END_SOLVE = 0, 1, 2

# Order of simultaneous events in a ticket's stream: a status change applies
# before a customer message, which comes before an agent reply at the same instant.
_ORDER_STATUS, _ORDER_CUSTOMER, _ORDER_AGENT = 0, 1, 2


def is_resolved(status: npt.NDArray[np.int8]) -> BoolArray:
    """Whether each status code is solved or closed (two compares; ``isin`` would sort)."""
    resolved: BoolArray = (status == _SOLVED) | (status == _CLOSED)
    return resolved


def sorted_within_groups(group: IntArray, at: FloatArray) -> bool:
    """Whether rows are sorted by (group, at): one linear pass, no sort.

    A ``nan`` instant beside another row of its group makes it false (callers
    then sort); a lone one is left for the caller's own checks.
    """
    if group.size < 2:
        return bool(group.size == 0 or at[0] == at[0])
    same = group[1:] == group[:-1]
    if not (same | (group[1:] > group[:-1])).all():
        return False
    return bool(((at[1:] >= at[:-1]) | ~same).all() and not np.isnan(at[0]))


def segmented_searchsorted(
    row_group: IntArray,
    values: FloatArray,
    query_group: IntArray,
    query_values: FloatArray,
    side: str = "left",
) -> IntArray:
    """Insertion positions of queries into values sorted by (group, value).

    ``values`` must be sorted by ``row_group`` then value. The result is the global
    position, as ``numpy.searchsorted`` would give on the pair (group, value):
    rows of earlier groups all come before. Exact (no float key arithmetic).
    """
    packed = _packed_keys((row_group, values), (query_group, query_values))
    if packed is not None:
        # Integer keys order the pairs exactly: one binary search, no sort.
        return np.searchsorted(packed[0], packed[1], side="left" if side == "left" else "right")
    n, q = values.size, query_values.size
    # side="left": a query sorts before equal values, so it goes first in the
    # concatenation (the sort is stable); "right": after them.
    values_first = side == "right"
    if values_first:
        groups = np.concatenate([row_group, query_group])
        keys = np.concatenate([values, query_values])
        is_value = np.arange(n + q) < n
    else:
        groups = np.concatenate([query_group, row_group])
        keys = np.concatenate([query_values, values])
        is_value = np.arange(n + q) >= q
    order = group_time_order(groups, keys)
    from_values = is_value[order]
    seen = np.cumsum(from_values)
    query_index = order[~from_values] - (n if values_first else 0)
    result = np.empty(q, dtype=np.int64)
    result[query_index] = seen[~from_values]
    return result


def group_time_order(group: IntArray, at: FloatArray) -> IntArray:
    """Stable order of rows by (group, at): rows with equal pairs keep their order.

    One stable sort. When every instant is a whole number of seconds (as helpdesk
    exports are) the pair packs exactly into one int64 key, which sorts about twice
    as fast as the general key; otherwise the key is complex (numpy orders those by
    real, then imaginary part), exact for any float instants including
    infinities. Inputs made of a few runs already sorted by (group, at) sort in
    near-linear time, which is how the evaluator calls it.
    """
    packed = _packed_key(group, at)
    if packed is not None:
        return np.argsort(packed, kind="stable")
    key = np.empty(group.size, dtype=np.complex128)
    key.real = group
    key.imag = at
    return np.argsort(key, kind="stable")


def _packed_key(group: IntArray, at: FloatArray) -> IntArray | None:
    """``group * span + (at - min)`` as int64 when exact (whole finite seconds), else None."""
    packed = _packed_keys((group, at))
    return None if packed is None else packed[0]


def _packed_keys(*pairs: tuple[IntArray, FloatArray]) -> list[IntArray] | None:
    """Exact int64 keys ordering every (group, at) pair alike, or None.

    The pairs share one origin and span, so keys compare across them as the
    pairs do. Exact when every instant is a whole number of seconds and the keys
    stay below 2**62 (whole floats below 2**53 are exact).
    """
    groups = [g for g, _ in pairs if g.size]
    instants = [a for _, a in pairs if a.size]
    if not instants:
        return None
    low = min(float(a.min()) for a in instants)
    high = max(float(a.max()) for a in instants)
    g_low = min(int(g.min()) for g in groups)
    g_high = max(int(g.max()) for g in groups)
    if not (np.isfinite(low) and np.isfinite(high)) or g_low < 0:
        return None
    span = int(high - low) + 1
    if span >= 2**40 or (g_high + 1) * span >= 2**62 or max(-low, high) >= 2**53:
        return None
    keys = []
    for group, at in pairs:
        offset = at - low
        whole = offset.astype(np.int64)
        if not np.array_equal(whole, offset):
            return None
        key = group.astype(np.int64, copy=True)
        key *= span
        key += whole
        keys.append(key)
    return keys


def rank_in_group(group_offsets: IntArray, n_rows: int) -> IntArray:
    """Position of each row within its group, for rows laid out by ``group_offsets``."""
    counts = np.diff(group_offsets)
    return np.arange(n_rows, dtype=np.int64) - np.repeat(group_offsets[:-1], counts)


def segmented_cumsum(values: FloatArray, rank: IntArray) -> tuple[FloatArray, FloatArray]:
    """Exact running sums within groups of consecutive rows: (sum before, sum through).

    Adds row by row in each group (one vectorised step per rank), so sums are the
    same as a sequential loop would give, whatever the size of the batch.
    """
    before = np.zeros(values.size, dtype=np.float64)
    through = values.astype(np.float64, copy=True)
    if values.size == 0:
        return before, through
    top = int(rank.max())
    # Rows grouped by rank (a stable radix sort on small integers), so that each
    # step touches only the rows of its rank.
    small = rank.astype(np.int16) if top < np.iinfo(np.int16).max else rank
    by_rank = np.argsort(small, kind="stable")
    bounds = np.zeros(top + 2, dtype=np.int64)
    np.cumsum(np.bincount(rank, minlength=top + 1), out=bounds[1:])
    for r in range(1, top + 1):
        rows = by_rank[bounds[r] : bounds[r + 1]]
        before[rows] = through[rows - 1]
        through[rows] = before[rows] + values[rows]
    return before, through


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


@dataclass(frozen=True)
class Stream:
    """A ticket's status changes, customer messages and agent replies, merged in time."""

    ticket: IntArray
    at: FloatArray
    kind: npt.NDArray[np.int8]
    unsolved: BoolArray
    terminates: BoolArray
    virtual: BoolArray
    segment: IntArray
    """Index (into the timeline) of the status segment in force at each row; when
    the stream holds only the solving and reopening segments, the last of those."""
    timeline: Timeline
    every_segment: bool
    """Whether every status segment is in the stream (see :func:`build_stream`)."""


def _reply_masks(
    batch: TicketBatch, as_of: float, definitions: Definitions
) -> tuple[BoolArray, BoolArray]:
    """Interaction rows that are customer messages and agent replies, cut at ``as_of``.

    A reply is what the ticket metrics count as one under ``definitions`` (the same
    :func:`~cxmetrics.tickets.replies.reply_mask`): by default a public, human,
    non-automated agent message or an answered call.
    """
    table = batch.interactions
    author, kind = table["author"], table["kind"]
    known = table.at <= as_of
    customer = (kind == KIND_MESSAGE) & (author == CUSTOMER) & table["public"] & known
    agent = reply_mask(table, definitions) & known
    return customer, agent


def _flat_replies(batch: TicketBatch, as_of: float) -> IntArray:
    """Tickets of a flat export whose ``first_reply_at`` is one agent reply by ``as_of``."""
    flat = (batch.interactions.counts == 0) & np.isfinite(batch.first_reply_at)
    flat &= batch.first_reply_at <= as_of
    return np.flatnonzero(flat)


def _reply_events(
    batch: TicketBatch, as_of: float, definitions: Definitions
) -> tuple[IntArray, FloatArray, BoolArray]:
    """Customer messages and agent replies: (ticket, at, is_agent), cut at ``as_of``."""
    table = batch.interactions
    if len(table):
        customer, agent = _reply_masks(batch, as_of, definitions)
        keep = customer | agent
        ticket, at, is_agent = table.ticket[keep], table.at[keep], agent[keep]
    else:
        ticket = np.empty(0, np.int64)
        at = np.empty(0, np.float64)
        is_agent = np.empty(0, bool)
    # A flat export gives only first_reply_at: one agent reply at that instant.
    flat_ix = _flat_replies(batch, as_of)
    return (
        np.concatenate([ticket, flat_ix]),
        np.concatenate([at, batch.first_reply_at[flat_ix]]),
        np.concatenate([is_agent, np.ones(flat_ix.size, bool)]),
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


def build_stream(
    batch: TicketBatch,
    timeline: Timeline,
    as_of: float,
    alive: BoolArray,
    every_segment: bool = True,
    definitions: Definitions = DEFAULT,
) -> Stream:
    """Merge status segments, customer messages and agent replies of live tickets.

    With ``every_segment=False`` only the segments that solve or reopen a ticket
    (and its first) enter the stream: enough for the reply and update clocks,
    which only need to know whether the ticket is solved, but then ``segment``
    is not the status segment in force (pausable clocks need ``True``).
    """
    ticket, at, is_agent = _reply_events(batch, as_of, definitions)
    everyone = bool(alive.all())
    if not everyone:
        keep = alive[ticket]
        ticket, at, is_agent = ticket[keep], at[keep], is_agent[keep]
    # The creation of a customer-created ticket is the customer's first message.
    opened = np.flatnonzero(alive & (batch.created_by == CREATED_BY_CUSTOMER))
    wanted = np.ones(timeline.ticket.size, dtype=bool) if everyone else alive[timeline.ticket]
    if not every_segment:
        resolved = is_resolved(timeline.status)
        flips = np.empty(resolved.size, dtype=bool)
        np.not_equal(resolved[1:], resolved[:-1], out=flips[1:])
        # (Each ticket's first segment starts its stream.)
        flips[timeline.offsets[:-1]] = True
        wanted &= flips
    seg_ix = np.flatnonzero(wanted)
    customer, agent = np.flatnonzero(~is_agent), np.flatnonzero(is_agent)
    n_seg, n_open, n_customer = seg_ix.size, opened.size, customer.size
    # Sources in the order that breaks ties at one instant: status changes, then
    # customer messages, then agent replies (each source is sorted by ticket and
    # time, and a stable sort keeps recorded order within a source).
    all_ticket = np.concatenate([timeline.ticket[seg_ix], opened, ticket[customer], ticket[agent]])
    all_at = np.concatenate(
        [timeline.start[seg_ix], batch.created_at[opened], at[customer], at[agent]]
    )
    order = group_time_order(all_ticket, all_at)
    all_ticket, all_at = all_ticket[order], all_at[order]
    # Each row's source follows from its place in the concatenation.
    is_status = order < n_seg
    first_agent = n_seg + n_open + n_customer
    kind = np.where(is_status, _ORDER_STATUS, _ORDER_CUSTOMER).astype(np.int8)
    kind[order >= first_agent] = _ORDER_AGENT
    virtual = ~is_status & (order < n_seg + n_open)
    # Forward-fill the status: each ticket's stream starts with its creation segment.
    last_status_row = np.maximum.accumulate(np.where(is_status, np.arange(kind.size), 0))
    source = order[last_status_row]
    if kind.size and is_status[0]:
        segment = seg_ix[source]
    else:
        # Rows before any status row (a history before creation, never validated
        # input) have none: -1, as a concatenation padded with -1 would give.
        segment = np.full(kind.size, -1, dtype=np.int64)
        found = np.flatnonzero(source < n_seg)
        segment[found] = seg_ix[source[found]]
    unsolved = ~is_resolved(timeline.status[segment])
    # A status row's segment is its own.
    solve = timeline.solve[segment] & is_status
    return Stream(
        ticket=all_ticket,
        at=all_at,
        kind=kind,
        unsolved=unsolved,
        terminates=(kind == _ORDER_AGENT) | solve,
        virtual=virtual,
        segment=segment,
        timeline=timeline,
        every_segment=every_segment,
    )


def _instances_from(
    stream: Stream, rows: IntArray, exact: bool = False, term: IntArray | None = None
) -> Instances:
    """Instances starting at stream ``rows``, each ended by the next terminator in its ticket.

    The segment fields are exact when the stream holds every segment, or when
    ``exact`` asks to look them up in the timeline.
    """
    term = np.flatnonzero(stream.terminates) if term is None else term
    k = np.searchsorted(term, rows, side="right")
    end_row = term[np.minimum(k, term.size - 1)] if term.size else rows
    found = (k < term.size) & (stream.ticket[end_row] == stream.ticket[rows])
    end = np.where(found, stream.at[end_row], np.nan)
    by_reply = stream.kind[end_row] == _ORDER_AGENT
    how = np.where(found, np.where(by_reply, END_REPLY, END_SOLVE), END_OPEN).astype(np.int8)
    ticket = stream.ticket[rows]
    start = stream.at[rows]
    last_of_ticket = stream.timeline.last[ticket]
    # The status segments the instance runs through: from the one in force at its
    # start to the one in force just before its end (the ticket's last if open).
    if stream.every_segment or not exact:
        first_segment = stream.segment[rows]
        last_segment = np.where(found, stream.segment[np.maximum(end_row - 1, 0)], last_of_ticket)
        return Instances(ticket, start, end, how, first_segment, last_segment)
    tl = stream.timeline
    # In force at an instant: the last segment starting by then (status changes
    # apply before messages at one instant). Before a solve: the segment before
    # the solving one, which is in the stream.
    solved = np.flatnonzero(found & ~by_reply)
    replied = np.flatnonzero(found & by_reply)
    # One search for both ends (starts, then reply instants): the timeline is
    # keyed once.
    query_ticket = np.concatenate([ticket, ticket[replied]])
    query_at = np.concatenate([start, end[replied]])
    found_at = segmented_searchsorted(tl.ticket, tl.start, query_ticket, query_at, "right") - 1
    first_segment = found_at[: ticket.size]
    last_segment = last_of_ticket
    last_segment[solved] = stream.segment[end_row[solved]] - 1
    last_segment[replied] = found_at[ticket.size :]
    return Instances(ticket, start, end, how, first_segment, last_segment)


def reply_instances(stream: Stream) -> tuple[Instances, Instances]:
    """First-reply and next-reply instances (customer→agent exchanges).

    An exchange starts at the oldest unanswered customer message written while the
    ticket is unsolved (for a customer-created ticket, the first one starts at its
    creation) and ends at the next agent reply, or at the next solve.
    """
    n = stream.kind.size
    first_of_ticket = np.ones(n, dtype=bool)
    first_of_ticket[1:] = stream.ticket[1:] != stream.ticket[:-1]
    group = np.cumsum(stream.terminates | first_of_ticket)
    eligible = np.flatnonzero((stream.kind == _ORDER_CUSTOMER) & stream.unsolved)
    g = group[eligible]
    opens = np.ones(eligible.size, dtype=bool)
    opens[1:] = g[1:] != g[:-1]
    starts = eligible[opens]
    is_first = stream.virtual[starts]
    term = np.flatnonzero(stream.terminates)
    return (
        _instances_from(stream, starts[is_first], term=term),
        _instances_from(stream, starts[~is_first], term=term),
    )


def update_instances(stream: Stream, exact: bool = False) -> Instances:
    """Update instances: from each agent reply on an unsolved ticket to the next reply or solve.

    ``exact`` asks for exact segment fields (pausable clocks) from a stream without
    every segment.
    """
    starts = np.flatnonzero((stream.kind == _ORDER_AGENT) & stream.unsolved)
    return _instances_from(stream, starts, exact)


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
