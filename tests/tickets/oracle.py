"""A pure-Python, ticket-by-ticket reference for the ticket measures.

Written from the definitions (docs/concepts/definitions.md), one ticket at a time,
with plain loops; shares no code with the vectorised kernels.
"""

from __future__ import annotations

from typing import Any

from cxmetrics import Call, Definitions, Message, Ticket

RESOLVED = ("solved", "closed")


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


def is_ask(event: Message | Call) -> bool:
    return isinstance(event, Message) and event.author == "customer"


def measure(ticket: Ticket, rules: Definitions) -> dict[str, Any]:
    created = ticket.created_at.timestamp()
    replies = [e.at.timestamp() for e in ticket.interactions if is_reply(e, rules)]
    asks = [e for e in ticket.interactions if is_ask(e)]
    agent_opened = ticket.created_by != "customer"
    # first reply
    first: float | None
    if not ticket.interactions:
        first = ticket.first_reply_at.timestamp() if ticket.first_reply_at else None
    elif agent_opened and rules.agent_created == "exclude":
        first = None
    elif agent_opened and rules.agent_created == "second_reply":
        first = replies[1] if len(replies) > 1 else None
    else:
        first = replies[0] if replies else None
    # exchanges: walk the conversation
    exchanges: list[float] = []
    waiting_since: float | None = None
    for event in ticket.interactions:
        if is_ask(event):
            if waiting_since is None:
                waiting_since = event.at.timestamp()
        elif is_reply(event, rules) and waiting_since is not None:
            exchanges.append(event.at.timestamp() - waiting_since)
            waiting_since = None
    # solves and reopens
    solves: list[float] = []
    reopens = 0
    previous = None
    for change in ticket.status_changes:
        if change.status == "solved" or (change.status == "closed" and previous not in RESOLVED):
            solves.append(change.at.timestamp())
        if previous == "solved" and change.status not in RESOLVED:
            reopens += 1
        previous = change.status
    resolved = ticket.status in RESOLVED
    if not ticket.status_changes and ticket.solved_at is not None:
        solves = [ticket.solved_at.timestamp()]
    # waits: walk the status segments from creation
    segments = [(created, "new")] + [(c.at.timestamp(), c.status) for c in ticket.status_changes]
    waits = {"requester": 0.0, "agent": 0.0, "hold": 0.0}
    unfinished = {"requester": False, "agent": False, "hold": False}
    for (start, status), nxt in zip(segments, [*segments[1:], None], strict=True):
        end = None if nxt is None else nxt[0]
        for key, statuses in (
            ("requester", ("new", "open", "on_hold")),
            ("agent", ("pending",)),
            ("hold", ("on_hold",)),
        ):
            if status in statuses:
                if end is None:
                    unfinished[key] = True
                else:
                    waits[key] += end - start
    # stations
    if ticket.assignments:
        assignees = len({a.agent_id for a in ticket.assignments if a.agent_id is not None})
        groups = len({a.group for a in ticket.assignments if a.group is not None})
    else:
        assignees, groups = int(ticket.agent_id is not None), int(ticket.group is not None)
    n_replies = len(replies) - (
        1 if rules.agent_created == "second_reply" and agent_opened and replies else 0
    )
    rule = rules.fcr_rule
    if rule == "exactly_one_reply":
        fcr = n_replies == 1
    elif rule == "one_touch":
        fcr = n_replies <= 1
    elif rule == "no_customer_follow_up":
        fcr = len(asks) - (0 if agent_opened or not asks else 1) == 0
    elif rule == "closed_once_one_agent":
        agents = {getattr(e, "agent_id", None) for e in ticket.interactions if is_reply(e, rules)}
        fcr = len(solves) == 1 and len({a for a in agents if a is not None}) <= 1
    else:
        fcr = True  # repeat_contact needs the other tickets; checked separately
    nan = float("nan")
    return {
        "first_reply": nan if first is None else first - created,
        "first_resolution": solves[0] - created if solves else nan,
        "full_resolution": solves[-1] - created if solves and resolved else nan,
        "requester_wait": nan if not resolved or unfinished["requester"] else waits["requester"],
        "agent_wait": nan if not resolved or unfinished["agent"] else waits["agent"],
        "on_hold": nan if not resolved or unfinished["hold"] else waits["hold"],
        "replies": len(replies),
        "customer_messages": len(asks),
        "reopens": reopens,
        "solves": len(solves),
        "assignee_stations": assignees,
        "group_stations": groups,
        "fcr": resolved and fcr,
        "resolved": resolved,
        "exchanges": exchanges,
    }
