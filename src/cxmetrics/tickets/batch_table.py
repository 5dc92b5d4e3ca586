"""The per-ticket table of one batch, built in named steps from the other modules' pieces.

:func:`build_ticket_table` reads the clocks once per instant, finds the replies
and the first reply, pairs the exchanges, reads the solves and reopens off the
status history, applies the FCR rule, and lays the results out as the columns
of a :class:`~cxmetrics.tickets.table.TicketTable` (with the exchanges and the
solves as event tables beside it). With a calendar, every duration is also read
on the business clock, in a ``<name>_business`` column.

dbt_zendesk's columns (the status times, ``total_reply``, the comment counts,
the touch flags and the assignee columns) are laid out as
:class:`~cxmetrics.tickets.table.DeferredColumns`: each group is computed on the
first read of one of its columns, so a metric that reads none of them does not
pay for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import Definitions
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.tables.ticket_batch import CREATED_BY, Categorical, TicketBatch
from cxmetrics.tickets.assignees import assignee_column_names, assignee_columns
from cxmetrics.tickets.clocks import (
    TicketCalendars,
    bind_calendar,
    business_clock,
    clock_origin,
    clock_where,
)
from cxmetrics.tickets.comments import COMMENT_COLUMNS, TOUCH_COLUMNS, comment_counts, touch_flags
from cxmetrics.tickets.exchanges import ReplyExchanges, reply_exchanges
from cxmetrics.tickets.fcr_rules import fcr_met
from cxmetrics.tickets.lookups import first_per_ticket, mean_max_per_ticket, total_per_ticket
from cxmetrics.tickets.replies import customer_mask, opening_replies, reply_mask
from cxmetrics.tickets.reply_clocks import handoff_rows, resolved_clock
from cxmetrics.tickets.stations import stations
from cxmetrics.tickets.status import (
    AGENT_WAIT_STATUSES,
    AGENT_WORK_STATUSES,
    CLOSED_CODE,
    ON_HOLD_STATUSES,
    REQUESTER_WAIT_STATUSES,
    SOLVE_TIME_STATUSES,
    SOLVED_CODE,
    StatusSegments,
    reopen_events,
    segment_bounds,
    solve_events,
    status_segments,
    status_totals,
    wait_totals,
)
from cxmetrics.tickets.table import ColumnTable, DeferredColumns, TicketTable

__all__ = ["build_ticket_table"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_WAITS: dict[str, tuple[str, ...]] = {
    "requester_wait": REQUESTER_WAIT_STATUSES,
    "agent_wait": AGENT_WAIT_STATUSES,
    "on_hold": ON_HOLD_STATUSES,
}
# dbt_zendesk's status times: after the waits, deferred (computed on first read).
_STATUS_TIMES: dict[str, tuple[str, ...]] = {
    "new_status": ("new",),
    "open_status": ("open",),
    "agent_work": AGENT_WORK_STATUSES,
    "solve_time": SOLVE_TIME_STATUSES,
}


def build_ticket_table(batch: TicketBatch, calendar: Any, rules: Definitions) -> TicketTable:
    """Measure every ticket of ``batch`` under ``rules``, in business time too with a calendar.

    This is :func:`~cxmetrics.tickets.ticket_metrics` without the input
    conversion and the shared-measures cache; see there for the columns.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> table = build_ticket_table(generate(5, seed=3).tickets, None, Definitions())
    >>> len(table), table.business
    (5, False)
    """
    n = len(batch)
    agent_opened = batch.created_by != CREATED_BY.index("customer")
    origin = clock_origin(batch)
    # Event instants and readings carry a trailing NaN, so that ``values[rows]``
    # with row -1 ("none") reads NaN without a mask.
    instants, at_ix, at_sc = _instants(batch)
    readings = None
    clock_calendar = bind_calendar(calendar, batch)  # a CalendarRule: each ticket's own
    if calendar is not None:
        readings = _read_clocks(clock_calendar, origin, batch, instants)

    replies = _measure_replies(batch, rules, agent_opened, at_ix)
    exchanges = _measure_exchanges(batch, rules, agent_opened, replies)
    resolution = _measure_resolution(batch, at_sc)
    segments = status_segments(batch)
    # Zammad's First Solution looks at the first close, whatever happened after it.
    solved_ever = resolution.solve_count > 0
    fcr = (solved_ever if rules.fcr_rule == "first_solution" else resolution.resolved) & fcr_met(
        rules,
        batch,
        replies.count,
        replies.ask_count,
        resolution.solve_count,
        resolution.reopen_count,
        segments,
        batch.interactions,
        replies.mask,
        resolution.first_solved_at - batch.created_at,
    )

    columns = _ticket_columns(batch, replies, resolution)
    exchange_columns = _exchange_columns(batch, exchanges)
    total_reply = _total_reply(exchange_columns, exchanges.events.ticket, n, readings is not None)
    unfinished = _calendar_durations(
        columns, batch, replies, exchanges, resolution, segments, total_reply
    )
    solves = _solve_events(batch, resolution)
    solve_columns = _solve_columns(batch, solves)
    if readings is not None:
        clock = (clock_calendar, origin, readings)
        flat_solve_clock = _business_ends(columns, batch, clock, replies, resolution, solves)
        _business_waits(columns, batch, readings, segments, resolution, unfinished)
        _business_exchanges(columns, exchange_columns, readings, exchanges, n, total_reply)
        _business_solves(solve_columns, readings, resolution, solves, flat_solve_clock)
    if rules.first_reply_from == "handoff" or rules.reply_excludes_closed:
        _reply_rules(
            columns, exchange_columns, batch, rules, replies, exchanges, segments, readings
        )

    columns.update(
        replies=replies.count,
        customer_messages=replies.ask_count,
        next_replies=exchanges.next_count,
        solves=resolution.solve_count,
        reopens=resolution.reopen_count,
        assignee_stations=stations(batch.assignments, "agent_id", batch.agent_id, n),
        group_stations=stations(batch.assignments, "group", batch.group, n),
        fcr=fcr,
        first_reply_excluded=replies.excluded_first,
    )
    deferred = (
        (COMMENT_COLUMNS, partial(comment_counts, batch.interactions, n)),
        (TOUCH_COLUMNS, partial(touch_flags, replies.count, resolution.resolved)),
        (
            assignee_column_names(calendar is not None),
            partial(assignee_columns, batch, resolution.resolved_at, clock_calendar),
        ),
    )
    for names, compute in deferred:
        columns.update(DeferredColumns(names, n, compute).placeholders())
    return TicketTable(
        columns,
        exchanges=ColumnTable(exchange_columns),
        solves=ColumnTable(solve_columns),
        definitions=rules,
        business=calendar is not None,
        batch=batch,
        calendar=calendar,
    )


# --- steps: clocks, replies, exchanges, resolution -----------------------------------------


@dataclass(frozen=True)
class _Readings:
    """Business-clock readings: one per ticket creation, interaction and status change."""

    created: FloatArray
    ix: FloatArray  # with the trailing NaN of ``at_ix``
    sc: FloatArray  # with the trailing NaN of ``at_sc``


def _with_nan(instants: FloatArray) -> FloatArray:
    result: FloatArray = np.concatenate([instants, np.array([np.nan])])
    return result


def _instants(batch: TicketBatch) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Every instant the clocks read, in one buffer, and its interaction and status parts.

    The buffer holds the creations, then the interactions' instants and a NaN,
    then the status changes' and a NaN; the two parts (``at_ix``, ``at_sc``) are
    views of it, so the business clock reads them all without another copy.
    Nothing writes into them.
    """
    n, k = len(batch), len(batch.interactions)
    instants = np.empty(n + k + len(batch.status_changes) + 2)
    instants[:n] = batch.created_at
    instants[n : n + k] = batch.interactions.at
    instants[n + k] = np.nan
    instants[n + k + 1 : -1] = batch.status_changes.at
    instants[-1] = np.nan
    return instants, instants[n : n + k + 1], instants[n + k + 1 :]


def _read_clocks(
    calendar: Any, origin: float, batch: TicketBatch, instants: FloatArray
) -> _Readings:
    """Every instant (:func:`_instants`) read on the business clock in one calendar call."""
    n, k = len(batch), len(batch.interactions)
    owners = None
    if isinstance(calendar, TicketCalendars):
        # The ticket of each instant (the trailing NaNs read NaN whatever their owner).
        pad = np.zeros(1, dtype=np.int64)
        owners = np.concatenate(
            [np.arange(n), batch.interactions.ticket, pad, batch.status_changes.ticket, pad]
        ).astype(np.int64)
    clock = business_clock(calendar, instants, origin, owners)
    clock_created, clock_ix, clock_sc = np.split(clock, [n, n + k + 1])
    return _Readings(clock_created, clock_ix, clock_sc)


@dataclass(frozen=True)
class _Replies:
    """The replies under the rules, their counts, and each ticket's first reply."""

    mask: BoolArray  # interactions that count as replies
    asks: BoolArray  # customer messages
    count: IntArray
    ask_count: IntArray
    first_row: IntArray  # interaction row of the first reply, -1 if none
    first_at: FloatArray
    excluded_first: BoolArray
    flat_reply: BoolArray  # first reply from the flat ``first_reply_at`` (no history)


def _measure_replies(
    batch: TicketBatch, rules: Definitions, agent_opened: BoolArray, at_ix: FloatArray
) -> _Replies:
    n = len(batch)
    ix = batch.interactions
    asks = customer_mask(ix)
    all_replies = reply_mask(ix, rules)
    opening = opening_replies(batch, all_replies, asks)
    replies = all_replies if rules.agent_created == "from_creation" else all_replies & ~opening
    reply_count = np.bincount(ix.ticket[replies], minlength=n).astype(np.int64, copy=False)
    ask_count = np.bincount(ix.ticket[asks], minlength=n).astype(np.int64, copy=False)

    first_row = first_per_ticket(ix, replies, n)
    first_at = at_ix[first_row]
    excluded_first = agent_opened if rules.agent_created == "exclude" else np.zeros(n, bool)
    flat_reply = (np.diff(ix.offsets) == 0) & np.isfinite(batch.first_reply_at)
    first_at = np.where(flat_reply, batch.first_reply_at, first_at)
    first_at = np.where(excluded_first, np.nan, first_at)
    return _Replies(
        replies, asks, reply_count, ask_count, first_row, first_at, excluded_first, flat_reply
    )


@dataclass(frozen=True)
class _Exchanges:
    """The reply exchanges, their calendar seconds, and the later (next-reply) ones."""

    events: ReplyExchanges
    seconds: FloatArray
    later: BoolArray
    next_count: IntArray


def _measure_exchanges(
    batch: TicketBatch, rules: Definitions, agent_opened: BoolArray, replies: _Replies
) -> _Exchanges:
    n = len(batch)
    waits_from_creation = ~agent_opened | (rules.agent_created == "from_creation")
    opened_at = np.where(waits_from_creation, batch.created_at, np.nan)
    exchanges = reply_exchanges(batch.interactions, replies.mask, replies.asks, opened_at)
    exchange_seconds = exchanges.replied_at - exchanges.asked_at
    later = ~exchanges.first
    next_count = np.bincount(exchanges.ticket[later], minlength=n).astype(np.int64, copy=False)
    return _Exchanges(exchanges, exchange_seconds, later, next_count)


@dataclass(frozen=True)
class _Resolution:
    """Solves and reopens per ticket, read off the status history (or the flat fields)."""

    solve_rows: IntArray  # status-change rows that are solves
    solve_ticket: IntArray
    no_status_history: BoolArray
    resolved: BoolArray
    waits_known: BoolArray  # waits are final once resolved, unknown without a history
    first_solve_row: IntArray
    last_solve_row: IntArray
    first_solved_at: FloatArray
    resolved_at: FloatArray
    solve_count: IntArray
    reopen_count: IntArray


def _measure_resolution(batch: TicketBatch, at_sc: FloatArray) -> _Resolution:
    n = len(batch)
    sc = batch.status_changes
    solves = solve_events(sc)
    solve_rows = np.flatnonzero(solves)
    solve_ticket = sc.ticket[solve_rows]
    no_status_history = np.diff(sc.offsets) == 0
    resolved = (batch.status == SOLVED_CODE) | (batch.status == CLOSED_CODE)
    first_solve_row = first_per_ticket(sc, solves, n)
    last_solve_row = np.full(n, -1, dtype=np.int64)
    last_solve_row[solve_ticket] = solve_rows  # later rows overwrite: the latest solve
    first_solved_at = np.where(no_status_history, batch.solved_at, at_sc[first_solve_row])
    last_solved_at = np.where(no_status_history, batch.solved_at, at_sc[last_solve_row])
    resolved_at = np.where(resolved, last_solved_at, np.nan)
    solve_count = np.where(
        no_status_history,
        resolved.astype(np.int64, copy=False),
        np.bincount(solve_ticket, minlength=n),
    ).astype(np.int64, copy=False)
    reopen_count = np.bincount(sc.ticket[reopen_events(sc)], minlength=n).astype(
        np.int64, copy=False
    )
    return _Resolution(
        solve_rows,
        solve_ticket,
        no_status_history,
        resolved,
        resolved & ~no_status_history,
        first_solve_row,
        last_solve_row,
        first_solved_at,
        resolved_at,
        solve_count,
        reopen_count,
    )


@dataclass(frozen=True)
class _SolveEvents:
    """Every solve: the history's, and the flat ``solved_at`` of tickets without one."""

    flat_solve: BoolArray
    flat_tickets: IntArray
    ticket: IntArray
    at: FloatArray
    order: IntArray | None  # the ticket-sorting permutation, when flat solves were added


def _solve_events(batch: TicketBatch, resolution: _Resolution) -> _SolveEvents:
    flat_solve = resolution.no_status_history & np.isfinite(batch.solved_at)
    flat_tickets = np.flatnonzero(flat_solve)
    event_ticket = np.concatenate([resolution.solve_ticket, flat_tickets])
    event_at = np.concatenate(
        [batch.status_changes.at[resolution.solve_rows], batch.solved_at[flat_tickets]]
    )
    event_order = np.argsort(event_ticket, kind="stable") if flat_tickets.size else None
    if event_order is not None:
        event_ticket, event_at = event_ticket[event_order], event_at[event_order]
    return _SolveEvents(flat_solve, flat_tickets, event_ticket, event_at, event_order)


# --- steps: calendar-time columns -----------------------------------------------------------


def _decode(codes: npt.NDArray[Any], names: tuple[str, ...]) -> Categorical:
    return Categorical(codes.astype(np.int32), names)


def _ticket_columns(
    batch: TicketBatch, replies: _Replies, resolution: _Resolution
) -> dict[str, Any]:
    """The ticket's own fields, whether it is resolved, and its reply and solve instants."""
    return {
        "id": batch.ids,
        "created_at": batch.created_at,
        "channel": batch.channel,
        "priority": _decode(batch.priority, PRIORITIES),
        "status": _decode(batch.status, TICKET_STATUSES),
        "created_by": _decode(batch.created_by, CREATED_BY),
        "customer_id": batch.customer_id,
        "agent_id": batch.agent_id,
        "group": batch.group,
        "resolved": resolution.resolved,
        "first_reply_at": replies.first_at,
        "first_resolved_at": resolution.first_solved_at,
        "resolved_at": resolution.resolved_at,
    }


def _calendar_durations(
    columns: dict[str, Any],
    batch: TicketBatch,
    replies: _Replies,
    exchanges: _Exchanges,
    resolution: _Resolution,
    segments: StatusSegments,
    total_reply: DeferredColumns,
) -> BoolArray:
    """Add the calendar-time durations; return which (ticket, status) totals are unfinished."""
    n = len(batch)
    created = batch.created_at
    starts_ends = {
        "first_reply": replies.first_at,
        "first_resolution": resolution.first_solved_at,
        "full_resolution": resolution.resolved_at,
    }
    for name, end in starts_ends.items():
        columns[name] = end - created
    segment_calendar = segments.end - segments.start
    totals, unfinished = status_totals(segments, segment_calendar, n)
    _waits(columns, totals, unfinished, resolution.waits_known, "")
    later = exchanges.later
    columns["next_reply_mean"], columns["next_reply_max"] = mean_max_per_ticket(
        exchanges.events.ticket[later], exchanges.seconds[later], n
    )
    columns["total_reply"] = total_reply
    return unfinished


def _waits(
    columns: dict[str, Any],
    totals: FloatArray,
    unfinished: BoolArray,
    known: BoolArray,
    suffix: str,
) -> None:
    """Add the waits from the per-status totals, then the status times, deferred."""

    def waits(names: dict[str, tuple[str, ...]]) -> dict[str, FloatArray]:
        return {
            f"{name}{suffix}": np.where(known, wait_totals(totals, unfinished, statuses), np.nan)
            for name, statuses in names.items()
        }

    columns.update(waits(_WAITS))
    names = tuple(f"{name}{suffix}" for name in _STATUS_TIMES)
    # Holds on to the totals (one float and one flag per ticket and status) until read.
    columns.update(DeferredColumns(names, len(known), partial(waits, _STATUS_TIMES)).placeholders())


def _total_reply(
    exchange_columns: dict[str, Any], ticket: IntArray, n: int, business: bool
) -> DeferredColumns:
    """``total_reply`` (and ``total_reply_business``): each ticket's summed exchange seconds.

    Deferred, so it reads ``exchange_columns`` once they are final: after the
    reply-clock rules and the business seconds.
    """
    suffixes = ("", "_business") if business else ("",)

    def compute() -> dict[str, FloatArray]:
        return {
            f"total_reply{suffix}": total_per_ticket(
                ticket, exchange_columns[f"seconds{suffix}"], n
            )
            for suffix in suffixes
        }

    return DeferredColumns(tuple(f"total_reply{suffix}" for suffix in suffixes), n, compute)


def _exchange_columns(batch: TicketBatch, exchanges: _Exchanges) -> dict[str, Any]:
    events = exchanges.events
    return {
        "ticket": events.ticket,
        "id": batch.ids[events.ticket],
        "asked_at": events.asked_at,
        "replied_at": events.replied_at,
        "first": events.first,
        "seconds": exchanges.seconds,
    }


def _solve_columns(batch: TicketBatch, solves: _SolveEvents) -> dict[str, Any]:
    return {
        "ticket": solves.ticket,
        "id": batch.ids[solves.ticket],
        "at": solves.at,
        "seconds": solves.at - batch.created_at[solves.ticket],
    }


# --- steps: the reply-clock rules (Chatwoot's handoff start, Zoho's closed time) ------------


def _reply_rules(
    columns: dict[str, Any],
    exchange_columns: dict[str, Any],
    batch: TicketBatch,
    rules: Definitions,
    replies: _Replies,
    exchanges: _Exchanges,
    segments: StatusSegments,
    readings: _Readings | None,
) -> None:
    """Move first reply time's start to the handoff, and take the time closed out of replies."""
    n = len(batch)
    sc = batch.status_changes
    at_sc = _with_nan(sc.at)
    no_handoff = np.full(n, -1, dtype=np.int64)
    handoff = (
        handoff_rows(sc, replies.first_at, n) if rules.first_reply_from == "handoff" else no_handoff
    )
    starts = np.where(handoff >= 0, at_sc[handoff], batch.created_at)
    events = exchanges.events
    clocks: list[tuple[str, Any, Any, Any, Any]] = [
        ("", batch.created_at, sc.at, replies.first_at, (events.asked_at, events.replied_at))
    ]
    if readings is not None:
        first_clock = columns["first_reply_business"] + readings.created
        asked = np.where(
            events.asked_row >= 0, readings.ix[events.asked_row], readings.created[events.ticket]
        )
        clocks.append(
            ("_business", readings.created, readings.sc[:-1], first_clock,
             (asked, readings.ix[events.replied_row]))
        )  # fmt: skip
    for suffix, created, changes, first, (asked_clock, replied_clock) in clocks:
        start = np.where(handoff >= 0, np.r_[changes, np.nan][handoff], created)
        first_reply = first - start
        seconds = exchange_columns[f"seconds{suffix}"]
        if rules.reply_excludes_closed:
            bounds = segment_bounds(batch, created, changes)
            ticket = np.arange(n)
            first_reply = first_reply - (
                resolved_clock(segments, *bounds, ticket, replies.first_at, first)
                - resolved_clock(segments, *bounds, ticket, starts, start)
            )
            seconds = seconds - (
                resolved_clock(segments, *bounds, events.ticket, events.replied_at, replied_clock)
                - resolved_clock(segments, *bounds, events.ticket, events.asked_at, asked_clock)
            )
        columns[f"first_reply{suffix}"] = first_reply
        exchange_columns[f"seconds{suffix}"] = seconds
        later = exchanges.later
        mean, maximum = mean_max_per_ticket(events.ticket[later], seconds[later], n)
        columns[f"next_reply_mean{suffix}"], columns[f"next_reply_max{suffix}"] = mean, maximum


# --- steps: business-time columns -----------------------------------------------------------


def _business_ends(
    columns: dict[str, Any],
    batch: TicketBatch,
    clock: tuple[Any, float, _Readings],
    replies: _Replies,
    resolution: _Resolution,
    solves: _SolveEvents,
) -> FloatArray:
    """Add the business first reply and resolutions; return the flat solves' readings."""
    calendar, origin, readings = clock
    flat_reply = replies.flat_reply
    flat_clock = clock_where(calendar, origin, flat_reply, batch.first_reply_at)
    first_clock = np.where(flat_reply, flat_clock, readings.ix[replies.first_row])
    first_clock = np.where(replies.excluded_first, np.nan, first_clock)
    no_history = resolution.no_status_history
    flat_solve_clock = clock_where(calendar, origin, solves.flat_solve, batch.solved_at)
    first_solve_clock = np.where(
        no_history, flat_solve_clock, readings.sc[resolution.first_solve_row]
    )
    last_solve_clock = np.where(
        no_history, flat_solve_clock, readings.sc[resolution.last_solve_row]
    )
    ends_clock = {
        "first_reply": first_clock,
        "first_resolution": first_solve_clock,
        "full_resolution": np.where(resolution.resolved, last_solve_clock, np.nan),
    }
    for name, end in ends_clock.items():
        columns[f"{name}_business"] = end - readings.created
    return flat_solve_clock


def _business_waits(
    columns: dict[str, Any],
    batch: TicketBatch,
    readings: _Readings,
    segments: StatusSegments,
    resolution: _Resolution,
    unfinished: BoolArray,
) -> None:
    """Add the business waits: the segments read on the business clock."""
    seg_start, seg_end = segment_bounds(batch, readings.created, readings.sc[:-1])
    # Open-ended segments are the same on both clocks: only the totals change.
    totals = status_totals(segments, seg_end - seg_start, len(batch))[0]
    _waits(columns, totals, unfinished, resolution.waits_known, "_business")


def _business_exchanges(
    columns: dict[str, Any],
    exchange_columns: dict[str, Any],
    readings: _Readings,
    exchanges: _Exchanges,
    n: int,
    total_reply: DeferredColumns,
) -> None:
    """Add each exchange's business seconds and the business next-reply mean and maximum."""
    events, later = exchanges.events, exchanges.later
    asked_clock = np.where(
        events.asked_row >= 0,
        readings.ix[events.asked_row],
        readings.created[events.ticket],
    )
    exchange_business = readings.ix[events.replied_row] - asked_clock
    columns["next_reply_mean_business"], columns["next_reply_max_business"] = mean_max_per_ticket(
        events.ticket[later], exchange_business[later], n
    )
    exchange_columns["seconds_business"] = exchange_business
    columns["total_reply_business"] = total_reply


def _business_solves(
    solve_columns: dict[str, Any],
    readings: _Readings,
    resolution: _Resolution,
    solves: _SolveEvents,
    flat_solve_clock: FloatArray,
) -> None:
    """Add each solve's business seconds since the ticket's creation."""
    event_clock = np.concatenate(
        [readings.sc[resolution.solve_rows], flat_solve_clock[solves.flat_tickets]]
    )
    if solves.order is not None:
        event_clock = event_clock[solves.order]
    solve_columns["seconds_business"] = event_clock - readings.created[solves.ticket]
