"""Hypothesis strategies for records: random but valid ticket histories."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache

from hypothesis import strategies as st

from cxmetrics import Assignment, Call, Message, StatusChange, Ticket

T0 = datetime(2024, 3, 4, 8, tzinfo=timezone.utc)  # a Monday
STATUSES = ["new", "open", "pending", "on_hold", "solved", "closed"]


@st.composite
def tickets(draw: st.DrawFn, *, ident: int | None = None) -> Ticket:
    """A ticket with a random valid history: messages, calls, status and assignments."""
    created = T0 + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    created_by = draw(st.sampled_from(["customer", "customer", "customer", "agent", "system"]))
    n_events = draw(st.integers(0, 8))
    offsets = sorted(
        draw(st.lists(st.integers(0, 5 * 24 * 60), min_size=n_events, max_size=n_events))
    )
    interactions: list[Message | Call] = []
    for minutes in offsets:
        at = created + timedelta(minutes=minutes)
        kind = draw(st.sampled_from(["customer", "agent", "agent", "note", "bot", "auto", "call"]))
        if kind == "call":
            abandoned = draw(st.booleans())
            interactions.append(
                Call(at=at, abandoned=abandoned, talk=0 if abandoned else 60, agent_id="a1")
            )
        elif kind == "note":
            interactions.append(Message(at=at, author="agent", public=False, agent_id="a1"))
        elif kind == "auto":
            interactions.append(Message(at=at, author="system", automated=True))
        else:
            agent = draw(st.sampled_from(["a1", "a2"])) if kind == "agent" else None
            interactions.append(Message(at=at, author=kind, agent_id=agent))
    n_status = draw(st.integers(0, 5))
    status_offsets = sorted(
        draw(st.lists(st.integers(1, 6 * 24 * 60), min_size=n_status, max_size=n_status))
    )
    changes: list[StatusChange] = []
    closed = False
    for minutes in status_offsets:
        if closed:
            break
        status = draw(st.sampled_from(STATUSES))
        closed = status == "closed"
        changes.append(StatusChange(at=created + timedelta(minutes=minutes), status=status))
    assignments = [
        Assignment(at=created + timedelta(minutes=m), agent_id=draw(st.sampled_from(["a1", "a2", None])),
                   group=draw(st.sampled_from(["g1", "g2", None])))
        for m in sorted(draw(st.lists(st.integers(0, 600), max_size=3)))
    ]  # fmt: skip
    return Ticket(
        id=str(ident if ident is not None else draw(st.integers(0, 10**9))),
        created_at=created,
        channel=draw(st.sampled_from(["email", "chat", "phone"])),
        created_by=created_by,
        customer_id=draw(st.sampled_from(["c1", "c2", "c3", None])),
        tags=tuple(
            draw(st.lists(st.sampled_from(["complaint", "vip", "bug"]), max_size=2, unique=True))
        ),
        interactions=interactions,
        status_changes=changes,
        assignments=assignments,
    )


@lru_cache(maxsize=512)
def _generated(n: int, seed: int) -> tuple[Ticket, ...]:
    from cxmetrics.datasets import generate

    data = generate(n, seed=seed, start=T0, weeks=1)
    return tuple(data.ticket_records())


def generated_tickets(max_size: int = 12) -> st.SearchStrategy[list[Ticket]]:
    """Realistic ticket lists from the synthetic generator: cheap to draw, for the contract."""
    return st.builds(
        lambda n, seed: list(_generated(n, seed)), st.integers(0, max_size), st.integers(0, 300)
    )


@st.composite
def ticket_lists(draw: st.DrawFn, max_size: int = 12) -> list[Ticket]:
    """Tickets with distinct ids."""
    size = draw(st.integers(0, max_size))
    return [draw(tickets(ident=i)) for i in range(size)]
