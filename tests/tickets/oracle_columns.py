"""A slow per-ticket oracle for the dbt_zendesk columns, the ages and the time-in table.

Walks each :class:`~cxmetrics.Ticket` record in Python (never the columnar batch),
one event at a time, following the rules written in the docs. Business time is one
``calendar.business_time(start, end)`` call per span.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cxmetrics.definitions import Definitions
from cxmetrics.models import Message, Ticket

from .oracle import RESOLVED, measure

STATUS_SETS = {
    "new_status": ("new",),
    "open_status": ("open",),
    "agent_work": ("new", "open"),
    "solve_time": ("new", "open", "pending", "on_hold"),
}


def _seconds(calendar: Any, start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    if calendar is None:
        return (end - start).total_seconds()
    return float(calendar.business_time(start, end).total_seconds())


def columns(
    ticket: Ticket, rules: Definitions, calendar: Any = None, as_of: datetime | None = None
) -> dict[str, Any]:
    """The new per-ticket columns of ``ticket``, in calendar time or in ``calendar``'s."""
    base = measure(ticket, rules)
    resolved = ticket.status in RESOLVED
    out: dict[str, Any] = {}

    # Time per status set, defined once resolved with a history (as the waits).
    spent = dict.fromkeys(STATUS_SETS, 0.0)
    previous, since = "new", ticket.created_at
    for change in ticket.status_changes:
        for name, statuses in STATUS_SETS.items():
            if previous in statuses:
                spent[name] += _seconds(calendar, since, change.at) or 0.0
        previous, since = change.status, change.at
    for name in STATUS_SETS:
        out[name] = spent[name] if resolved and ticket.status_changes else None

    # Total reply time: the sum over every exchange (first included).
    exchanges = measure(ticket, rules, calendar)["exchanges"]
    out["total_reply"] = sum(exchanges) if exchanges else None

    # Comments.
    messages = [e for e in ticket.interactions if isinstance(e, Message)]
    out["public_comments"] = sum(m.public for m in messages)
    out["internal_comments"] = sum(not m.public for m in messages)
    out["agent_comments"] = sum(m.author == "agent" for m in messages)
    out["customer_comments"] = sum(m.author == "customer" for m in messages)
    out["handoffs"] = len(
        {m.agent_id for m in messages if m.author == "agent" and m.agent_id is not None}
    )
    replies = base["replies"]
    out["one_touch"] = resolved and replies == 1
    out["two_touch"] = resolved and replies == 2
    out["multi_touch"] = resolved and replies >= 3

    # Assignees.
    named = [a for a in ticket.assignments if a.agent_id is not None]
    if ticket.assignments:
        first = named[0] if named else None
        last = named[-1] if named else None
        out["first_assignee"] = first.agent_id if first else None
        out["last_assignee"] = last.agent_id if last else None
        out["unique_assignees"] = len({a.agent_id for a in named})
    else:
        first = last = None
        out["first_assignee"] = out["last_assignee"] = ticket.agent_id
        out["unique_assignees"] = int(ticket.agent_id is not None)
    resolved_at = base["resolved_at"]
    out["unassigned"] = _seconds(calendar, ticket.created_at, first.at if first else None)
    out["first_assignment_to_resolution"] = _seconds(
        calendar, first.at if first else None, resolved_at
    )
    out["last_assignment_to_resolution"] = _seconds(
        calendar, last.at if last else None, resolved_at
    )

    # Ages.
    if as_of is not None:
        events = [
            e.at
            for history in (
                ticket.interactions,
                ticket.status_changes,
                ticket.assignments,
                ticket.priority_changes,
            )
            for e in history
        ]
        updated = max([ticket.created_at, *events])
        out["updated_at"] = updated.timestamp()
        out["unsolved_age"] = None if resolved else _seconds(calendar, ticket.created_at, as_of)
        out["unsolved_age_since_update"] = None if resolved else _seconds(calendar, updated, as_of)
    return out


def time_in(
    ticket: Ticket, by: str, calendar: Any = None, as_of: datetime | None = None
) -> dict[str | None, float | None]:
    """Seconds per value for one ticket: walk the segments, carry values forward, cut at as_of."""
    if by == "status":
        spans: list[tuple[str | None, datetime, datetime | None]] = []
        value, since = "new", ticket.created_at
        for change in ticket.status_changes:
            spans.append((value, since, change.at))
            value, since = change.status, change.at
        spans.append((value, since, as_of))
    else:
        field = "agent_id" if by == "assignee" else "group"
        resolved_at = measure(ticket, Definitions())["resolved_at"]
        end = resolved_at if resolved_at is not None else as_of
        if end is not None and as_of is not None:
            end = min(end, as_of)
        if not ticket.assignments:
            spans = [(getattr(ticket, field), ticket.created_at, end)]
        else:
            spans = []
            current, since = None, ticket.created_at
            for assignment in ticket.assignments:
                spans.append((current, since, assignment.at))
                given = getattr(assignment, field)
                current = given if given is not None else current
                since = assignment.at
            spans.append((current, since, end))
        if end is not None:  # time with a group or an assignee stops at the resolution
            spans = [(v, min(a, end), min(b, end) if b is not None else end) for v, a, b in spans]
    totals: dict[str | None, float | None] = {}
    for value, start, stop in spans:
        if as_of is not None:
            start = min(start, as_of)
            stop = min(stop, as_of) if stop is not None else None
        length = _seconds(calendar, start, stop)
        before = totals.get(value, 0.0)
        totals[value] = None if before is None or length is None else before + length
    return totals


def columns_all(
    tickets: Sequence[Ticket], rules: Definitions, calendar: Any = None, as_of: Any = None
) -> list[dict[str, Any]]:
    return [columns(t, rules, calendar, as_of) for t in tickets]
