"""A slow, obviously correct per-ticket oracle: walk each ticket's history in Python.

It reads the :class:`~cxmetrics.Ticket` records themselves (never the columnar
batch) and follows the written rules of :class:`~cxmetrics.Definitions` one event
at a time. Business time is one ``calendar.business_time(start, end)`` call per
duration (the library reads a business clock per instant instead).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cxmetrics.definitions import Definitions
from cxmetrics.models import Call, Message, Ticket

RESOLVED = ("solved", "closed")
REQUESTER_WAIT = ("new", "open", "on_hold")


def is_reply(event: Message | Call, rules: Definitions) -> bool:
    if isinstance(event, Call):
        return rules.count_calls and not event.abandoned
    if event.author == "agent":
        if event.automated:
            return rules.count_automated and event.public
        return event.public or rules.count_internal_notes
    if event.author == "bot":
        return rules.count_bots and event.public
    return False


def is_customer(event: Message | Call) -> bool:
    return isinstance(event, Message) and event.author == "customer"


def _runs(values: Sequence[str | None]) -> int:
    known = [v for v in values if v is not None]
    return sum(1 for i, v in enumerate(known) if i == 0 or v != known[i - 1])


def measure(
    ticket: Ticket, rules: Definitions, calendar: Any = None, others: Sequence[Ticket] = ()
) -> dict[str, Any]:
    """Every per-ticket measure of ``ticket``; ``others`` is the whole batch (repeat contact)."""

    def seconds(start: datetime | None, end: datetime | None) -> float | None:
        if start is None or end is None:
            return None
        if calendar is None:
            return (end - start).total_seconds()
        return float(calendar.business_time(start, end).total_seconds())

    created = ticket.created_at
    agent_opened = ticket.created_by != "customer"
    relevant = [e for e in ticket.interactions if is_reply(e, rules) or is_customer(e)]
    opening = relevant[0] if agent_opened and relevant and is_reply(relevant[0], rules) else None
    skip_opening = opening is not None and rules.agent_created != "from_creation"
    replies = [
        e for e in ticket.interactions if is_reply(e, rules) and not (skip_opening and e is opening)
    ]
    customers = [e for e in ticket.interactions if is_customer(e)]

    # First reply.
    excluded = agent_opened and rules.agent_created == "exclude"
    first_reply_at: datetime | None = None
    if not excluded:
        if not ticket.interactions:
            first_reply_at = ticket.first_reply_at
        elif replies:
            first_reply_at = replies[0].at

    # Exchanges: walk the conversation, remembering the oldest unanswered message.
    waiting: datetime | None = (
        created if not agent_opened or rules.agent_created == "from_creation" else None
    )
    exchanges: list[tuple[datetime, datetime]] = []
    for event in relevant:
        if skip_opening and event is opening:
            continue
        if is_customer(event):
            if waiting is None:
                waiting = event.at
        elif waiting is not None:
            exchanges.append((waiting, event.at))
            waiting = None

    # Statuses: solves, reopens, waits.
    solves: list[datetime] = []
    reopens = 0
    waits = {"requester_wait": 0.0, "agent_wait": 0.0, "on_hold": 0.0}
    previous, since = "new", created
    visited = {"new"}
    for change in ticket.status_changes:
        if change.status in RESOLVED and previous not in RESOLVED:
            solves.append(change.at)
        if previous == "solved" and change.status not in RESOLVED:
            reopens += 1
        length = seconds(since, change.at)
        assert length is not None
        if previous in REQUESTER_WAIT:
            waits["requester_wait"] += length
        if previous == "pending":
            waits["agent_wait"] += length
        if previous == "on_hold":
            waits["on_hold"] += length
        previous, since = change.status, change.at
        visited.add(change.status)
    resolved = ticket.status in RESOLVED
    if ticket.status_changes:
        first_solve = solves[0] if solves else None
        last_solve = solves[-1] if solves else None
        solve_count = len(solves)
    else:
        first_solve = last_solve = ticket.solved_at
        solve_count = int(resolved)
        solves = [ticket.solved_at] if ticket.solved_at is not None else []
    full_end = last_solve if resolved else None
    wait_values: dict[str, float | None] = {
        k: (v if resolved and ticket.status_changes else None) for k, v in waits.items()
    }

    # Stations.
    if ticket.assignments:
        assignee = _runs([a.agent_id for a in ticket.assignments])
        group = _runs([a.group for a in ticket.assignments])
    else:
        assignee, group = int(ticket.agent_id is not None), int(ticket.group is not None)

    # First-contact resolution.
    rule = rules.fcr_rule
    if rule == "exactly_one_reply":
        fcr = len(replies) == 1
    elif rule == "one_touch":
        fcr = len(replies) <= 1
    elif rule == "one_touch_messaging":
        fcr = bool(replies) and not ({"pending", "on_hold"} & visited) and reopens == 0
    elif rule == "no_customer_follow_up":
        follow_ups = len(customers) - (1 if not agent_opened and customers else 0)
        fcr = follow_ups == 0
    elif rule == "closed_once_one_agent":
        known = {e.agent_id for e in replies if e.agent_id is not None}
        unknown = any(e.agent_id is None for e in replies)
        fcr = solve_count == 1 and max(len(known), int(unknown)) == 1
    elif rule == "first_solution":
        fcr = first_solve is not None and (
            (first_solve - created).total_seconds() < rules.first_solution_minutes * 60
        )
    elif rule == "flagged":
        fcr = rules.fcr_flag_tag in ticket.tags
    else:
        window = rules.repeat_contact_days * 86400.0
        position = next(i for i, t in enumerate(others) if t is ticket)
        fcr = not any(
            u is not ticket
            and ticket.customer_id is not None
            and u.customer_id == ticket.customer_id
            and 0 <= (u.created_at - created).total_seconds() <= window
            and (u.created_at > created or i > position)
            for i, u in enumerate(others)
        )

    # Chatwoot: first reply time from the latest handoff or reopen before the reply.
    first_start = created
    if rules.first_reply_from == "handoff" and first_reply_at is not None:
        before = "new"
        for change in ticket.status_changes:
            came_back = before in ("pending", "solved", "closed")
            if change.status == "open" and came_back and change.at <= first_reply_at:
                first_start = change.at
            before = change.status

    # Zoho Desk: time spent solved or closed comes off every reply time.
    def reply_time(start: datetime | None, end: datetime | None) -> float | None:
        value = seconds(start, end)
        if value is None or not rules.reply_excludes_closed:
            return value
        bounds = [created, *(c.at for c in ticket.status_changes), None]
        statuses = ["new", *(c.status for c in ticket.status_changes)]
        for status, (lo, hi) in zip(statuses, itertools.pairwise(bounds), strict=True):
            if status not in RESOLVED:
                continue
            a, b = max(lo, start), end if hi is None else min(hi, end)  # type: ignore[type-var]
            if a < b:
                value -= seconds(a, b) or 0.0
        return value

    exchange_values = [reply_time(a, b) for a, b in exchanges]
    next_values = exchange_values[1:]
    return {
        "id": ticket.id,
        "resolved": resolved,
        "first_reply": reply_time(first_start, first_reply_at),
        "first_reply_excluded": excluded,
        "first_resolution": seconds(created, first_solve),
        "full_resolution": seconds(created, full_end),
        **wait_values,
        "exchanges": exchange_values,
        "exchange_replied_at": [b for _, b in exchanges],
        "next_replies": len(next_values),
        "next_reply_mean": sum(v for v in next_values if v is not None) / len(next_values)
        if next_values
        else None,
        "next_reply_max": max(v for v in next_values if v is not None) if next_values else None,
        "replies": len(replies),
        "customer_messages": len(customers),
        "solves": solve_count,
        "solve_times": [seconds(created, s) for s in solves],
        "solve_at": solves,
        "reopens": reopens,
        "assignee_stations": assignee,
        "group_stations": group,
        "fcr": (solve_count > 0 if rule == "first_solution" else resolved) and fcr,
        "first_reply_at": first_reply_at,
        "first_resolved_at": first_solve,
        "resolved_at": full_end,
    }


def measure_all(
    tickets: Sequence[Ticket], rules: Definitions, calendar: Any = None
) -> list[dict[str, Any]]:
    return [measure(t, rules, calendar, tickets) for t in tickets]
