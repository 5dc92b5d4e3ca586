"""A slow, obviously-correct SLA evaluator: one ticket at a time, one minute at a time.

It re-implements the rules of ``docs/sla.md`` in the plainest way: walk each
ticket's events in order to find the target instances, then step each instance's
clock minute by minute (the clock runs in a minute when the ticket's status does
not pause it and the calendar is open) until the used time reaches the target in
force. Inputs must lie on a whole-minute grid with targets in whole minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxmetrics import Ticket
from cxmetrics.sla import SlaPolicy, SlaPolicySet

MINUTE = 60.0
RESOLVED = {"solved", "closed"}
# The clock that never pauses, whatever the policy (replies pause in the policy's
# reply_pause_statuses and, when they survive a solve, while solved).
NEVER_PAUSED = ("periodic_update",)


@dataclass
class Row:
    ticket_id: str
    policy: str | None
    metric: str | None
    status: str
    start: float | None = None
    due: float | None = None
    completed_at: float | None = None
    used: float | None = None
    time_left: float | None = None
    priority: str | None = None


def choose_policy(ticket: Ticket, policies: SlaPolicySet) -> SlaPolicy | None:
    for policy in policies.policies:
        c = policy.conditions
        if c.channel is not None and ticket.channel not in c.channel:
            continue
        if c.group is not None and ticket.group not in c.group:
            continue
        if c.segment is not None and ticket.segment not in c.segment:
            continue
        if c.priority is not None and ticket.priority not in c.priority:
            continue
        if c.tags is not None and not set(ticket.tags) & set(c.tags):
            continue
        return policy
    return None


def _events(ticket: Ticket, as_of: float) -> list[tuple[float, int, str, Any]]:
    created = ticket.created_at.timestamp()
    events: list[tuple[float, int, str, Any]] = [(created, 0, "status", "new")]
    for change in ticket.status_changes:
        if change.at.timestamp() <= as_of:
            events.append((change.at.timestamp(), 0, "status", change.status))
    solved_at = ticket.solved_at
    if not ticket.status_changes and solved_at is not None and solved_at.timestamp() <= as_of:
        status = ticket.status if ticket.status in RESOLVED else "solved"
        events.append((solved_at.timestamp(), 0, "status", status))
    if ticket.created_by == "customer":
        events.append((created, 1, "customer", True))
    for item in ticket.interactions:
        at = item.at.timestamp()
        if at > as_of:
            continue
        if item.kind == "message":
            if item.author == "customer" and item.public:
                events.append((at, 1, "customer", False))
            elif item.author == "agent" and item.public and not item.automated:
                events.append((at, 2, "agent", None))
        elif not item.abandoned:
            events.append((at, 2, "agent", None))
    replied = ticket.first_reply_at
    if not ticket.interactions and replied is not None and replied.timestamp() <= as_of:
        events.append((replied.timestamp(), 2, "agent", None))
    # Python's sort is stable: same-instant events keep their recorded order.
    return sorted(events, key=lambda e: (e[0], e[1]))


def _instances(
    ticket: Ticket, as_of: float, survives: bool = False
) -> dict[str, list[tuple[float, float | None]]]:
    out: dict[str, list[tuple[float, float | None]]] = {
        m: []
        for m in (
            "first_reply",
            "next_reply",
            "periodic_update",
            "resolution",
        )
    }
    status = "new"
    waiting: list[Any] | None = None  # [start, is_first]
    updating: float | None = None
    last_solve: float | None = None
    for at, _, kind, value in _events(ticket, as_of):
        if kind == "status":
            solves = value in RESOLVED and status not in RESOLVED
            status = value
            if solves:
                last_solve = at
                # A surviving first reply stays open through the solve.
                if waiting is not None and not (survives and waiting[1]):
                    out["first_reply" if waiting[1] else "next_reply"].append((waiting[0], at))
                    waiting = None
                if updating is not None:
                    out["periodic_update"].append((updating, at))
                    updating = None
        elif kind == "customer":
            if status not in RESOLVED and waiting is None:
                waiting = [at, value]
        else:
            if waiting is not None:
                out["first_reply" if waiting[1] else "next_reply"].append((waiting[0], at))
                waiting = None
            if updating is not None:
                out["periodic_update"].append((updating, at))
                updating = None
            if status not in RESOLVED:
                updating = at
    if waiting is not None:
        out["first_reply" if waiting[1] else "next_reply"].append((waiting[0], None))
    if updating is not None:
        out["periodic_update"].append((updating, None))
    done = status in RESOLVED
    out["resolution"].append((ticket.created_at.timestamp(), last_solve if done else None))
    return out


def _status_at(events: list[tuple[float, int, str, Any]], t: float) -> str:
    status = "new"
    for at, _, kind, value in events:
        if at > t:
            break
        if kind == "status":
            status = value
    return status


def _priority_at(ticket: Ticket, t: float, as_of: float) -> str | None:
    changes = ticket.priority_changes
    if not changes:
        return ticket.priority
    priority = changes[0].priority
    for change in changes:
        if change.at.timestamp() <= t and change.at.timestamp() <= as_of:
            priority = change.priority
    return priority


def _target(
    policy: SlaPolicy, metric: str, ticket: Ticket, start: float, t: float, as_of: float
) -> float | None:
    """Target in force at t: the priority's, else the last one in force since the start."""
    # The priority only changes at recorded changes: look at the start and at each.
    instants = [start] + [
        c.at.timestamp()
        for c in ticket.priority_changes
        if start < c.at.timestamp() <= t and c.at.timestamp() <= as_of
    ]
    found = None
    for instant in instants:
        target = policy.target_for(metric, _priority_at(ticket, instant, as_of))
        if target is not None:
            found = target.seconds
    return found


def evaluate(tickets: list[Ticket], policy: SlaPolicy | SlaPolicySet, as_of: float) -> list[Row]:
    policies = policy if isinstance(policy, SlaPolicySet) else SlaPolicySet(policies=(policy,))
    rows: list[Row] = []
    for ticket in tickets:
        chosen = choose_policy(ticket, policies)
        created = ticket.created_at.timestamp()
        if chosen is None:
            rows.append(Row(ticket.id, None, None, "no_policy", start=created))
            continue
        if created > as_of:
            rows.append(Row(ticket.id, chosen.name, None, "not_started", start=created))
            continue
        found = _instances(ticket, as_of, chosen.first_reply_survives_solve)
        found["pausable_update"] = found["periodic_update"]
        found["requester_wait"] = found["agent_work"] = found["resolution"]
        events = _events(ticket, as_of)
        undetermined = (
            not ticket.status_changes and ticket.solved_at is None and ticket.status in RESOLVED
        )
        before = len(rows)
        for metric in chosen.metrics:
            for start, end in found[metric]:
                row = _clock(ticket, chosen, metric, start, end, as_of, events)
                if row is None:
                    continue
                if undetermined and metric in ("resolution", "requester_wait", "agent_work"):
                    row.status, row.due, row.used, row.time_left = "undetermined", None, None, None
                rows.append(row)
        if len(rows) == before:
            rows.append(Row(ticket.id, chosen.name, None, "no_target", start=created))
    return rows


def _runs(policy: SlaPolicy, metric: str, status: str) -> bool:
    return status not in RESOLVED and status not in policy.pauses(metric)


def _clock(
    ticket: Ticket,
    policy: SlaPolicy,
    metric: str,
    start: float,
    end: float | None,
    as_of: float,
    events: list[tuple[float, int, str, Any]],
) -> Row | None:
    calendar = policy.calendar if policy.uses_business_hours(metric) else None
    stop = as_of if end is None else end
    # Does any target apply while the instance lives?
    if _target(policy, metric, ticket, start, stop, as_of) is None:
        return None
    used = 0.0
    used_at_stop = None
    t = start
    due = None
    while due is None:
        if t >= stop and used_at_stop is None:
            used_at_stop = used
        target = _target(policy, metric, ticket, start, min(t, stop), as_of)
        if target is not None and used >= target:
            due = t
            used_at_due = used
            break
        # The minute [t, t + 60): does the clock run?
        if t < stop:
            status = _status_at(events, t)
            running = _runs(policy, metric, status) or metric in NEVER_PAUSED
        else:
            running = True  # after the end the clock is assumed to run
        if running and (calendar is None or calendar.is_open(t)):
            used += MINUTE
        t += MINUTE
        if t - start > 120 * 86400:
            raise AssertionError("reference clock ran for 120 days")
    if used_at_stop is None:
        # Due before the end: keep counting to the end for the time used.
        while t < stop:
            status = _status_at(events, t)
            running = _runs(policy, metric, status) or metric in NEVER_PAUSED
            if running and (calendar is None or calendar.is_open(t)):
                used += MINUTE
            t += MINUTE
        used_at_stop = used
    if end is not None:
        state = "achieved" if end <= due else "breached"
    elif due < as_of:
        state = "breached"
    elif _runs(policy, metric, _status_at(events, as_of)) or metric in NEVER_PAUSED:
        state = "active"
    else:
        state = "paused"
    return Row(
        ticket.id,
        policy.name,
        metric,
        state,
        start=start,
        due=due,
        completed_at=end,
        used=used_at_stop,
        time_left=used_at_due - used_at_stop,
        priority=_priority_at(ticket, stop, as_of),
    )
