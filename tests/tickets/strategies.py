"""Hypothesis strategies: random but valid ticket histories."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from cxmetrics.definitions import PRESETS, Definitions
from cxmetrics.models import Assignment, Call, Message, StatusChange, Ticket

BASE = datetime(2024, 3, 1, 8, tzinfo=timezone.utc)  # a Friday morning
AGENTS = ("a1", "a2", "a3")


def _offset(max_minutes: int = 60 * 24 * 4) -> st.SearchStrategy[timedelta]:
    # Coarse steps make ties (same instant) common, which is where ordering bugs live.
    return st.integers(0, max_minutes // 30).map(lambda k: timedelta(minutes=30 * k)) | st.integers(
        0, max_minutes
    ).map(lambda m: timedelta(minutes=m))


@st.composite
def interactions(draw: st.DrawFn, created: datetime) -> list[Any]:
    out: list[Any] = []
    for _ in range(draw(st.integers(0, 7))):
        at = created + draw(_offset())
        if draw(st.integers(0, 9)) == 0:
            abandoned = draw(st.booleans())
            out.append(
                Call(
                    at=at,
                    agent_id=None if abandoned else draw(st.sampled_from(AGENTS)),
                    abandoned=abandoned,
                    talk=0 if abandoned else 60,
                )
            )
            continue
        author = draw(st.sampled_from(["customer", "customer", "agent", "agent", "bot", "system"]))
        out.append(
            Message(
                at=at,
                author=author,
                public=draw(st.integers(0, 4)) > 0,
                automated=author == "agent" and draw(st.integers(0, 6)) == 0,
                agent_id=draw(st.sampled_from([*AGENTS, None])) if author == "agent" else None,
            )
        )
    return out


@st.composite
def status_history(draw: st.DrawFn, created: datetime) -> list[StatusChange]:
    statuses = draw(
        st.lists(
            st.sampled_from(["open", "pending", "on_hold", "solved", "solved", "closed"]),
            max_size=6,
        )
    )
    if "closed" in statuses:  # closed is final
        statuses = statuses[: statuses.index("closed") + 1]
    times = sorted(created + draw(_offset()) for _ in statuses)
    return [StatusChange(at=t, status=s) for t, s in zip(times, statuses, strict=True)]


@st.composite
def tickets(draw: st.DrawFn, ident: int | None = None) -> Ticket:
    created = BASE + draw(_offset(60 * 24 * 20))
    fields: dict[str, Any] = {
        "id": ident if ident is not None else draw(st.integers(0, 10**9)),
        "created_at": created,
        "channel": draw(st.sampled_from(["email", "chat", "phone"])),
        "customer_id": draw(st.sampled_from(["c1", "c2", "c3", None])),
        "created_by": draw(st.sampled_from(["customer", "customer", "agent", "system"])),
        "tags": tuple(draw(st.sets(st.sampled_from(["complaint", "vip", "billing"]), max_size=2))),
    }
    if draw(st.integers(0, 7)) == 0:
        # A flat export: milestones only.
        solved = draw(st.booleans())
        fields["status"] = "solved" if solved else draw(st.sampled_from(["open", "pending"]))
        if draw(st.booleans()):
            fields["first_reply_at"] = created + draw(_offset())
        if solved and draw(st.booleans()):
            fields["solved_at"] = created + draw(_offset())
        fields["agent_id"] = draw(st.sampled_from([*AGENTS, None]))
        fields["group"] = draw(st.sampled_from(["g1", None]))
        return Ticket(**fields)
    fields["interactions"] = draw(interactions(created))
    fields["status_changes"] = draw(status_history(created))
    fields["assignments"] = [
        Assignment(
            at=created + draw(_offset()),
            agent_id=draw(st.sampled_from([*AGENTS, None])),
            group=draw(st.sampled_from(["g1", "g2", None])),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    return Ticket(**fields)


@st.composite
def ticket_lists(draw: st.DrawFn, max_size: int = 12) -> list[Ticket]:
    size = draw(st.integers(0, max_size))
    return [draw(tickets(ident=i)) for i in range(size)]


def definitions() -> st.SearchStrategy[Definitions]:
    custom = st.builds(
        Definitions,
        count_bots=st.booleans(),
        count_internal_notes=st.booleans(),
        count_automated=st.booleans(),
        count_calls=st.booleans(),
        agent_created=st.sampled_from(["second_reply", "from_creation", "exclude"]),
        resolution_events=st.sampled_from(["full", "first", "each"]),
        fcr_rule=st.sampled_from(
            [
                "exactly_one_reply",
                "one_touch",
                "one_touch_messaging",
                "no_customer_follow_up",
                "closed_once_one_agent",
                "repeat_contact",
            ]
        ),
        repeat_contact_days=st.sampled_from([0.5, 1.0, 7.0]),
        attribute_to=st.sampled_from(["created", "event"]),
    )
    return st.sampled_from(list(PRESETS.values())) | custom
