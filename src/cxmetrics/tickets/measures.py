"""Per-ticket measures, vectorised over a :class:`~cxmetrics.batch.TicketBatch`.

Every function here works on whole columns: the histories are sorted by ticket and
time, so "the first reply of each ticket" is a first-occurrence lookup, "the time
spent pending" is a sum of segment lengths per ticket, and business time is one
vectorised calendar call per measure. No Python loop runs per ticket.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.batch import AUTHORS, CREATED_BY, EventTable, TicketBatch, as_ticket_batch
from cxmetrics.definitions import Definitions
from cxmetrics.models.ticket import TICKET_STATUSES

__all__ = [
    "ReplyExchanges",
    "TicketTable",
    "elapsed",
    "first_per_ticket",
    "nth_per_ticket",
    "reply_exchanges",
    "reply_mask",
    "shared_measures",
    "solve_events",
    "status_segments",
    "ticket_metrics",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_AGENT, _CUSTOMER, _BOT = AUTHORS.index("agent"), AUTHORS.index("customer"), AUTHORS.index("bot")
_STATUS = {name: code for code, name in enumerate(TICKET_STATUSES)}
_SOLVED, _CLOSED = _STATUS["solved"], _STATUS["closed"]
# Zendesk's requester wait counts new, open and on-hold (on-hold looks open to the
# requester); agent wait counts pending.
_REQUESTER_WAIT = np.array([_STATUS["new"], _STATUS["open"], _STATUS["on_hold"]])
_AGENT_WAIT = np.array([_STATUS["pending"]])
_ON_HOLD = np.array([_STATUS["on_hold"]])


def elapsed(calendar: Any, starts: FloatArray, ends: FloatArray) -> FloatArray:
    """Seconds from ``starts`` to ``ends``: business seconds with a calendar, else elapsed.

    Examples
    --------
    >>> elapsed(None, np.array([0.0, np.nan]), np.array([90.0, 5.0])).tolist()
    [90.0, nan]
    """
    if calendar is None:
        return ends - starts
    result: FloatArray = calendar.business_seconds(starts, ends)
    return result


def first_per_ticket(table: EventTable, mask: BoolArray, n: int) -> IntArray:
    """Row index of the first row of each ticket where ``mask`` holds (-1 if none).

    Examples
    --------
    >>> t = EventTable.build(np.array([0, 0, 1]), np.array([1.0, 2.0, 3.0]), {}, 3)
    >>> first_per_ticket(t, np.array([False, True, True]), 3).tolist()
    [1, 2, -1]
    """
    return nth_per_ticket(table, mask, n, 0)


def nth_per_ticket(table: EventTable, mask: BoolArray, n: int, k: int) -> IntArray:
    """Row index of the ``k``-th (0-based) row of each ticket where ``mask`` holds, or -1."""
    rows = np.flatnonzero(mask)
    out = np.full(n, -1, dtype=np.int64)
    if rows.size == 0:
        return out
    tickets = table.ticket[rows]
    starts = np.flatnonzero(np.concatenate([[True], tickets[1:] != tickets[:-1]]))
    counts = np.diff(np.concatenate([starts, [rows.size]]))
    has = counts > k
    out[tickets[starts[has]]] = rows[starts[has] + k]
    return out


def _at(table: EventTable, index: IntArray) -> FloatArray:
    return np.where(index >= 0, table.at[np.maximum(index, 0)] if len(table) else np.nan, np.nan)


def reply_mask(interactions: EventTable, definitions: Definitions) -> BoolArray:
    """Which interactions count as replies to the customer under ``definitions``.

    Public, human, not automated agent messages always count; bots, internal notes,
    automated messages and answered calls count when the definitions say so.
    """
    if len(interactions) == 0:
        return np.zeros(0, dtype=bool)
    kind, author = interactions["kind"], interactions["author"]
    public, automated = interactions["public"], interactions["automated"]
    message = kind == 0
    human = message & (author == _AGENT) & ~automated
    mask = human & public
    if definitions.count_internal_notes:
        mask |= human & ~public
    if definitions.count_bots:
        mask |= message & (author == _BOT) & public
    if definitions.count_automated:
        mask |= message & (author == _AGENT) & automated & public
    if definitions.count_calls:
        mask |= (kind == 1) & ~interactions["abandoned"]
    result: BoolArray = mask
    return result


def customer_mask(interactions: EventTable) -> BoolArray:
    """Messages written by the customer."""
    if len(interactions) == 0:
        return np.zeros(0, dtype=bool)
    result: BoolArray = (interactions["kind"] == 0) & (interactions["author"] == _CUSTOMER)
    return result


@dataclass(frozen=True, eq=False)
class ReplyExchanges:
    """One row per customer→agent exchange: a reply and the oldest message it answers.

    Attributes
    ----------
    ticket : int64 array
        Ticket index of the exchange.
    asked_at, replied_at : float64 arrays
        The oldest unanswered customer message and the reply (epoch seconds).
    first : bool array
        The ticket's first exchange (its first response).
    """

    ticket: IntArray
    asked_at: FloatArray
    replied_at: FloatArray
    first: BoolArray

    def __len__(self) -> int:
        return int(self.ticket.size)


def reply_exchanges(interactions: EventTable, replies: BoolArray) -> ReplyExchanges:
    """Pair every reply with the oldest customer message left unanswered before it.

    A run of customer messages collapses to its first one (the oldest unanswered),
    and a reply that follows another reply with no customer message between answers
    nothing and starts no exchange.

    Examples
    --------
    >>> ix = EventTable.build(np.zeros(5, dtype=np.int64), np.array([0., 10., 30., 40., 50.]),
    ...                       {"kind": np.zeros(5, np.int8), "author": np.array([0, 0, 1, 1, 0], np.int8)}, 1)
    >>> ex = reply_exchanges(ix, np.array([False, False, True, True, False]))
    >>> ex.asked_at.tolist(), ex.replied_at.tolist(), ex.first.tolist()
    ([0.0], [30.0], [True])
    """
    asks = customer_mask(interactions) if len(interactions) else np.zeros(0, dtype=bool)
    rows = np.flatnonzero(asks | replies)
    if rows.size == 0:
        empty = np.empty(0)
        return ReplyExchanges(np.empty(0, dtype=np.int64), empty, empty, np.empty(0, dtype=bool))
    ticket = interactions.ticket[rows]
    is_reply = replies[rows]
    position = np.arange(rows.size)
    new_ticket = np.concatenate([[True], ticket[1:] != ticket[:-1]])
    # An opener is a customer message whose predecessor (in this ticket) is a reply
    # or nothing: the oldest message of an unanswered run.
    opener = ~is_reply & (new_ticket | np.concatenate([[False], is_reply[:-1]]))
    last_opener = np.maximum.accumulate(np.where(opener, position, -1))
    previous_reply = np.concatenate(
        [[-1], np.maximum.accumulate(np.where(is_reply, position, -1))[:-1]]
    )
    ticket_start = np.maximum.accumulate(np.where(new_ticket, position, -1))
    answers = is_reply & (last_opener > previous_reply) & (last_opener >= ticket_start)
    reply_positions = np.flatnonzero(answers)
    opener_positions = last_opener[reply_positions]
    exchange_ticket = ticket[reply_positions]
    first = (
        np.concatenate([[True], exchange_ticket[1:] != exchange_ticket[:-1]])
        if reply_positions.size
        else np.empty(0, dtype=bool)
    )
    return ReplyExchanges(
        exchange_ticket,
        interactions.at[rows[opener_positions]],
        interactions.at[rows[reply_positions]],
        first,
    )


def solve_events(status_changes: EventTable) -> BoolArray:
    """Which status changes are solves: into solved, or into closed from an unresolved status."""
    if len(status_changes) == 0:
        return np.zeros(0, dtype=bool)
    status = status_changes["status"]
    ticket = status_changes.ticket
    previous = np.concatenate([[-1], status[:-1]])
    previous = np.where(np.concatenate([[True], ticket[1:] != ticket[:-1]]), -1, previous)
    was_resolved = (previous == _SOLVED) | (previous == _CLOSED)
    result: BoolArray = (status == _SOLVED) | ((status == _CLOSED) & ~was_resolved)
    return result


def _reopens(status_changes: EventTable) -> BoolArray:
    if len(status_changes) == 0:
        return np.zeros(0, dtype=bool)
    status, ticket = status_changes["status"], status_changes.ticket
    previous = np.concatenate([[-1], status[:-1]])
    same = np.concatenate([[False], ticket[1:] == ticket[:-1]])
    result: BoolArray = same & (previous == _SOLVED) & (status != _SOLVED) & (status != _CLOSED)
    return result


def status_segments(batch: TicketBatch) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Every status segment: (ticket, status, start, end); the last one ends at NaN.

    A ticket is ``new`` from its creation until its first status change.
    """
    sc = batch.status_changes
    n = len(batch)
    ticket = np.concatenate([np.arange(n, dtype=np.int64), sc.ticket])
    at = np.concatenate([batch.created_at, sc.at])
    status = np.concatenate(
        [
            np.full(n, _STATUS["new"], dtype=np.int64),
            sc["status"].astype(np.int64) if len(sc) else np.empty(0, np.int64),
        ]
    )
    # Creation sorts before a change at the same instant (stable on this order).
    order = np.lexsort((np.concatenate([np.zeros(n), np.ones(len(sc))]), at, ticket))
    ticket, at, status = ticket[order], at[order], status[order]
    same_next = np.concatenate([ticket[1:] == ticket[:-1], [False]])
    end = np.where(same_next, np.concatenate([at[1:], [np.nan]]), np.nan)
    return ticket, status, at, end


def _segment_sums(
    calendar: Any,
    segments: tuple[IntArray, IntArray, FloatArray, FloatArray],
    statuses: npt.NDArray[np.int64],
    n: int,
) -> FloatArray:
    ticket, status, start, end = segments
    chosen = np.isin(status, statuses)
    lengths = elapsed(calendar, start[chosen], end[chosen])
    # An open-ended chosen segment (still waiting) leaves the ticket's sum undefined.
    total = np.bincount(ticket[chosen], weights=np.nan_to_num(lengths), minlength=n)
    unfinished = np.bincount(ticket[chosen], weights=np.isnan(lengths), minlength=n) > 0
    result: FloatArray = np.where(unfinished, np.nan, total)
    return result


def _distinct_per_ticket(ticket: IntArray, codes: npt.NDArray[Any], n: int) -> IntArray:
    known = codes >= 0
    if not known.any():
        return np.zeros(n, dtype=np.int64)
    pairs = np.unique(ticket[known] * (int(codes.max()) + 1) + codes[known])
    result: IntArray = np.bincount(pairs // (int(codes.max()) + 1), minlength=n).astype(np.int64)
    return result


@dataclass(frozen=True, eq=False)
class TicketTable:
    """One row per ticket of measures, plus the exchange and solve event tables.

    Columns (durations in seconds; ``*_business`` present when a calendar was given):
    ``id``, ``created_at``, ``resolved``, ``first_reply``, ``first_resolution``,
    ``full_resolution``, ``requester_wait``, ``agent_wait``, ``on_hold``,
    ``replies``, ``customer_messages``, ``reopens``, ``solves``,
    ``assignee_stations``, ``group_stations``, ``fcr``, ``fcr_excluded``.
    NaN marks a measure that is undefined for the ticket (no reply yet, not
    resolved, excluded by a rule).
    """

    columns: dict[str, Any]
    exchanges: ReplyExchanges
    exchange_seconds: FloatArray
    solves_ticket: IntArray
    solves_at: FloatArray
    solve_seconds: FloatArray
    definitions: Definitions
    business: bool

    def __len__(self) -> int:
        return int(self.columns["id"].size)

    def __getitem__(self, name: str) -> Any:
        return self.columns[name]

    def to_dict(self) -> dict[str, list[Any]]:
        """Return the per-ticket columns as lists."""
        return {name: np.asarray(values).tolist() for name, values in self.columns.items()}

    def to_pandas(self) -> Any:
        """Return the per-ticket columns as a pandas DataFrame (``dataframes`` extra)."""
        pandas = import_optional("pandas", extra="dataframes", feature="TicketTable.to_pandas")
        return pandas.DataFrame(self.columns)

    def to_polars(self) -> Any:
        """Return the per-ticket columns as a polars DataFrame (``dataframes`` extra)."""
        polars = import_optional("polars", extra="dataframes", feature="TicketTable.to_polars")
        return polars.DataFrame({k: np.asarray(v) for k, v in self.columns.items()})


def ticket_metrics(
    tickets: Any,
    calendar: Any = None,
    definitions: Definitions | str = "default",
) -> TicketTable:
    """Measure every ticket: reply, resolution and wait times, counts, FCR.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    calendar : BusinessCalendar, optional
        When given, durations are in business seconds of this calendar (the
        calendar-time values stay available in the ``*_calendar`` columns).
    definitions : Definitions or str, default="default"
        The rules (or a preset name: zendesk, freshdesk, intercom, zammad, chatwoot).

    Returns
    -------
    TicketTable
        One row per ticket, in input order.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Message, StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id="A", created_at=t0, interactions=[
    ...     Message(at=t0, author="customer"),
    ...     Message(at=t0 + timedelta(minutes=30), author="agent"),
    ...     Message(at=t0 + timedelta(hours=2), author="customer"),
    ...     Message(at=t0 + timedelta(hours=3), author="agent")],
    ...     status_changes=[StatusChange(at=t0 + timedelta(hours=3), status="solved")])
    >>> table = ticket_metrics([ticket])
    >>> table["first_reply"].tolist(), table["full_resolution"].tolist(), table["replies"].tolist()
    ([1800.0], [10800.0], [2])
    >>> table.exchange_seconds.tolist()    # 30 min, then 1 h after the customer's follow-up
    [1800.0, 3600.0]
    """
    rules = Definitions.preset(definitions) if isinstance(definitions, str) else definitions
    batch = as_ticket_batch(tickets)
    shared = _SHARED.get()
    if shared is not None:
        # Inside shared_measures() (the report): measure each batch once for all metrics.
        key = (id(batch), id(calendar), rules)
        if key not in shared:
            shared[key] = (batch, calendar, _measure(batch, calendar, rules))
        return shared[key][2]
    return _measure(batch, calendar, rules)


@contextmanager
def shared_measures() -> Iterator[None]:
    """Within this block, :func:`ticket_metrics` measures each batch only once.

    Metrics over tickets all start from :func:`ticket_metrics`; a report that
    runs many of them on the same batches shares one measurement per (batch,
    calendar, definitions) instead of repeating it per metric.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> batch = generate(20, seed=1).tickets
    >>> with shared_measures():
    ...     ticket_metrics(batch) is ticket_metrics(batch)
    True
    """
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


_SHARED: ContextVar[dict[tuple[int, int, Definitions], tuple[Any, Any, TicketTable]] | None] = (
    ContextVar("cxmetrics_shared_measures", default=None)
)


def _measure(batch: TicketBatch, calendar: Any, rules: Definitions) -> TicketTable:
    n = len(batch)
    ix = batch.interactions
    created = batch.created_at
    replies = reply_mask(ix, rules)
    asks = customer_mask(ix)
    reply_count = np.bincount(ix.ticket[replies], minlength=n).astype(np.int64)
    ask_count = np.bincount(ix.ticket[asks], minlength=n).astype(np.int64)
    agent_opened = batch.created_by != CREATED_BY.index("customer")

    # --- first reply ------------------------------------------------------------------
    first = _at(ix, first_per_ticket(ix, replies, n))
    second = _at(ix, nth_per_ticket(ix, replies, n, 1))
    excluded_first = np.zeros(n, dtype=bool)
    if rules.agent_created == "second_reply":
        # Zendesk: the agent's own opening message is not a reply to anyone.
        opened_by_reply = agent_opened & (reply_count > 0)
        first = np.where(opened_by_reply, second, first)
    elif rules.agent_created == "exclude":
        excluded_first = agent_opened
        first = np.where(agent_opened, np.nan, first)
    # A flat export without history gives the milestone directly.
    no_history = np.diff(ix.offsets) == 0
    first = np.where(no_history & ~excluded_first, batch.first_reply_at, first)

    # --- resolution -------------------------------------------------------------------
    sc = batch.status_changes
    solves = solve_events(sc)
    solve_rows = np.flatnonzero(solves)
    solve_ticket = sc.ticket[solve_rows]
    solve_count = np.bincount(solve_ticket, minlength=n).astype(np.int64)
    first_solve = _at(sc, first_per_ticket(sc, solves, n))
    last_solve = np.full(n, np.nan)
    if solve_rows.size:
        last_solve[solve_ticket] = sc.at[solve_rows]  # later rows overwrite: the latest solve
    resolved = (batch.status == _SOLVED) | (batch.status == _CLOSED)
    no_status_history = np.diff(sc.offsets) == 0
    first_solve = np.where(no_status_history, batch.solved_at, first_solve)
    last_solve = np.where(no_status_history, batch.solved_at, last_solve)
    full_end = np.where(resolved, last_solve, np.nan)
    reopen_count = np.bincount(sc.ticket[_reopens(sc)], minlength=n).astype(np.int64)

    segments = status_segments(batch)

    # --- stations ------------------------------------------------------------------------
    asg = batch.assignments
    if len(asg):
        assignee_stations = _distinct_per_ticket(asg.ticket, asg["agent_id"].codes, n)
        group_stations = _distinct_per_ticket(asg.ticket, asg["group"].codes, n)
    else:
        assignee_stations = np.zeros(n, dtype=np.int64)
        group_stations = np.zeros(n, dtype=np.int64)
    no_assignments = np.diff(asg.offsets) == 0
    assignee_stations = np.where(
        no_assignments, (batch.agent_id.codes >= 0).astype(np.int64), assignee_stations
    )
    group_stations = np.where(
        no_assignments, (batch.group.codes >= 0).astype(np.int64), group_stations
    )

    # --- first-contact resolution -----------------------------------------------------------
    effective_replies = reply_count - (
        (rules.agent_created == "second_reply") & agent_opened & (reply_count > 0)
    )
    fcr = _fcr(
        rules, batch, resolved, effective_replies, ask_count, agent_opened, solve_count, ix, replies
    )

    exchanges = reply_exchanges(ix, replies)
    columns: dict[str, Any] = {
        "id": batch.ids,
        "created_at": created,
        "channel": np.array(batch.channel.to_list(), dtype=object),
        "priority": batch.priority,
        "status": np.array(TICKET_STATUSES, dtype=object)[batch.status],
        "resolved": resolved,
    }
    for name, end in (
        ("first_reply", first),
        ("first_resolution", first_solve),
        ("full_resolution", full_end),
    ):
        columns[name] = end - created
        if calendar is not None:
            columns[f"{name}_business"] = elapsed(calendar, created, end)
    for name, statuses in (
        ("requester_wait", _REQUESTER_WAIT),
        ("agent_wait", _AGENT_WAIT),
        ("on_hold", _ON_HOLD),
    ):
        values = _segment_sums(None, segments, statuses, n)
        columns[name] = np.where(resolved, values, np.nan)
        if calendar is not None:
            columns[f"{name}_business"] = np.where(
                resolved, _segment_sums(calendar, segments, statuses, n), np.nan
            )
    columns.update(
        replies=reply_count,
        customer_messages=ask_count,
        reopens=reopen_count,
        solves=solve_count,
        assignee_stations=assignee_stations,
        group_stations=group_stations,
        fcr=fcr & resolved,
        first_reply_excluded=excluded_first,
    )
    solves_at = sc.at[solve_rows]
    return TicketTable(
        columns=columns,
        exchanges=exchanges,
        exchange_seconds=elapsed(calendar, exchanges.asked_at, exchanges.replied_at),
        solves_ticket=solve_ticket,
        solves_at=solves_at,
        solve_seconds=elapsed(calendar, created[solve_ticket], solves_at),
        definitions=rules,
        business=calendar is not None,
    )


def _fcr(
    rules: Definitions,
    batch: TicketBatch,
    resolved: BoolArray,
    replies: IntArray,
    asks: IntArray,
    agent_opened: BoolArray,
    solves: IntArray,
    ix: EventTable,
    reply_rows: BoolArray,
) -> BoolArray:
    rule = rules.fcr_rule
    counts: BoolArray
    if rule == "exactly_one_reply":
        counts = replies == 1
        return resolved & counts
    if rule == "one_touch":
        counts = replies <= 1
        return resolved & counts
    if rule == "no_customer_follow_up":
        # Freshdesk: no customer message after the one that opened the ticket.
        follow_ups = asks - (~agent_opened & (asks > 0))
        counts = follow_ups == 0
        return resolved & counts
    if rule == "closed_once_one_agent":
        agents = ix["agent_id"].codes if len(ix) else np.empty(0, dtype=np.int32)
        distinct = _distinct_per_ticket(ix.ticket[reply_rows], agents[reply_rows], len(batch))
        counts = (solves == 1) & (distinct <= 1)
        return resolved & counts
    # repeat_contact: no other ticket from the same customer within the window.
    window = rules.repeat_contact_days * 86400.0
    customer = batch.customer_id.codes.astype(np.int64)
    order = np.lexsort((batch.created_at, customer))
    created = batch.created_at[order]
    same_next = np.concatenate([customer[order][1:] == customer[order][:-1], [False]])
    gap = np.concatenate([created[1:] - created[:-1], [np.inf]])
    repeated_sorted = same_next & (gap <= window) & (customer[order] >= 0)
    repeated = np.empty(len(batch), dtype=bool)
    repeated[order] = repeated_sorted
    return resolved & ~repeated
