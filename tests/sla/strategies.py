"""Hypothesis builders for SLA tests: tickets with histories on a whole-minute grid."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from cxmetrics import Call, Message, PriorityChange, StatusChange, Ticket
from cxmetrics.sla import SLA_METRICS, SlaPolicy, SlaTarget

# Monday 2024-03-04 06:00 UTC: histories cross opening, closing and a weekend.
T0 = datetime(2024, 3, 4, 6, tzinfo=timezone.utc)
PRIORITIES = ("low", "normal", "high", "urgent")
OPEN_STATUSES = ("open", "pending", "on_hold")


@st.composite
def tickets(draw: st.DrawFn, ticket_id: str = "T", max_events: int = 8) -> Ticket:
    created = T0 + timedelta(minutes=draw(st.integers(0, 4 * 24 * 60)))
    at = created
    interactions: list[Any] = []
    statuses: list[StatusChange] = []
    priorities: list[PriorityChange] = []
    closed = False
    for _ in range(draw(st.integers(0, max_events))):
        at = at + timedelta(minutes=draw(st.sampled_from([0, 0, 15, 30, 60, 90, 240, 600])))
        kind = draw(
            st.sampled_from(
                [
                    "customer",
                    "agent",
                    "agent",
                    "note",
                    "bot",
                    "call",
                    "status",
                    "status",
                    "priority",
                ]
            )
        )
        if kind == "customer":
            interactions.append(Message(at=at, author="customer"))
        elif kind == "agent":
            interactions.append(Message(at=at, author="agent", automated=draw(st.booleans())))
        elif kind == "note":
            interactions.append(Message(at=at, author="agent", public=False))
        elif kind == "bot":
            interactions.append(Message(at=at, author="bot"))
        elif kind == "call":
            interactions.append(Call(at=at, abandoned=draw(st.booleans())))
        elif kind == "status" and not closed:
            status = draw(st.sampled_from([*OPEN_STATUSES, "solved", "solved", "closed"]))
            closed = status == "closed"
            statuses.append(StatusChange(at=at, status=status))
        elif kind == "priority":
            if not priorities and draw(st.booleans()):
                priorities.append(
                    PriorityChange(at=created, priority=draw(st.sampled_from(PRIORITIES)))
                )
            priorities.append(PriorityChange(at=at, priority=draw(st.sampled_from(PRIORITIES))))
    fields: dict[str, Any] = {}
    if not priorities:
        fields["priority"] = draw(st.sampled_from([None, *PRIORITIES]))
    return Ticket(
        id=ticket_id,
        created_at=created,
        channel=draw(st.sampled_from(["email", "chat"])),
        tags=draw(st.lists(st.sampled_from(["vip", "bug"]), max_size=2, unique=True)),
        created_by=draw(st.sampled_from(["customer", "customer", "agent"])),
        interactions=interactions,
        status_changes=statuses,
        priority_changes=priorities,
        **fields,
    )


@st.composite
def ticket_lists(draw: st.DrawFn, max_size: int = 5) -> list[Ticket]:
    n = draw(st.integers(0, max_size))
    return [draw(tickets(ticket_id=f"T{i}")) for i in range(n)]


@st.composite
def policies(
    draw: st.DrawFn, calendar: Any = None, name: str = "p", reply_options: bool = False
) -> SlaPolicy:
    metrics = draw(st.lists(st.sampled_from(SLA_METRICS), min_size=1, max_size=4, unique=True))
    targets = []
    for metric in metrics:
        business = draw(st.booleans())
        for priority in draw(
            st.lists(st.sampled_from([None, *PRIORITIES]), min_size=1, max_size=3, unique=True)
        ):
            minutes = draw(st.integers(1, 16)) * 30
            targets.append(SlaTarget(metric, minutes * 60, priority, business_hours=business))
    pauses = draw(st.lists(st.sampled_from(["pending", "on_hold", "new"]), max_size=2, unique=True))
    if not reply_options:
        return SlaPolicy(name, calendar, targets, pause_statuses=pauses)
    reply_pauses = draw(
        st.lists(st.sampled_from(["pending", "on_hold", "new"]), max_size=2, unique=True)
    )
    return SlaPolicy(
        name,
        calendar,
        targets,
        pause_statuses=pauses,
        reply_pause_statuses=reply_pauses,
        first_reply_survives_solve=draw(st.booleans()),
    )
