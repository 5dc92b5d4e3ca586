"""The dbt_zendesk per-ticket columns, the ages and the time-in table: oracle, hand examples, laws."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import (
    Assignment,
    BusinessCalendar,
    Definitions,
    Message,
    StatusChange,
    Ticket,
    ticket_metrics,
)
from cxmetrics.definitions import PRESETS
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tickets import time_in

from .oracle_columns import STATUS_SETS, columns
from .oracle_columns import time_in as time_in_oracle
from .strategies import BASE, ticket_lists

AS_OF = BASE + timedelta(days=30)
CALENDAR = BusinessCalendar("Europe/Berlin", {"mon-fri": ["09:00-12:00", "13:00-17:00"]})
DURATIONS = [
    *STATUS_SETS, "total_reply", "unassigned", "first_assignment_to_resolution",
    "last_assignment_to_resolution", "unsolved_age", "unsolved_age_since_update",
]  # fmt: skip
OTHERS = [
    "public_comments", "internal_comments", "agent_comments", "customer_comments", "handoffs",
    "one_touch", "two_touch", "multi_touch", "first_assignee", "last_assignee",
    "unique_assignees", "updated_at",
]  # fmt: skip


def same(a: object, b: object) -> bool:
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None or (isinstance(a, float) and math.isnan(a))
    if isinstance(b, str) or isinstance(a, str):
        return a == b
    return bool(abs(float(a) - float(b)) < 1e-6)  # type: ignore[arg-type]


@given(ticket_lists(), st.sampled_from(sorted(PRESETS)))
def test_the_new_columns_agree_with_the_oracle(tickets: list[Ticket], preset: str) -> None:
    rules = Definitions.preset(preset)
    table = ticket_metrics(tickets, definitions=rules, as_of=AS_OF)
    for i, ticket in enumerate(tickets):
        expected = columns(ticket, rules, as_of=AS_OF)
        for name in DURATIONS + OTHERS:
            got = table[name][i]
            assert same(got, expected[name]), (ticket.id, name, got, expected[name])


@settings(max_examples=60)
@given(ticket_lists(max_size=6))
def test_the_business_columns_agree_with_the_oracle(tickets: list[Ticket]) -> None:
    table = ticket_metrics(tickets, calendar=CALENDAR, as_of=AS_OF)
    for i, ticket in enumerate(tickets):
        expected = columns(ticket, Definitions(), CALENDAR, as_of=AS_OF)
        for name in DURATIONS:
            got = table[f"{name}_business"][i]
            assert same(got, expected[name]), (ticket.id, name, got, expected[name])


@settings(max_examples=60)
@given(ticket_lists(), st.sampled_from(["status", "group", "assignee"]), st.booleans())
def test_time_in_agrees_with_the_oracle(tickets: list[Ticket], by: str, cut: bool) -> None:
    as_of = AS_OF - timedelta(days=27) if cut else None  # a cut inside many histories
    long = time_in(tickets, by=by, as_of=as_of)  # type: ignore[arg-type]
    for i, ticket in enumerate(tickets):
        rows = long["ticket"] == i
        got = dict(zip(long["value"][rows].tolist(), long["seconds"][rows].tolist(), strict=True))
        expected = time_in_oracle(ticket, by, as_of=as_of)
        assert set(got) == set(expected), (ticket.id, got, expected)
        for value, seconds in expected.items():
            assert same(got[value], seconds), (ticket.id, value, got[value], seconds)


@settings(max_examples=60)
@given(ticket_lists(max_size=5), st.sampled_from(["status", "group", "assignee"]))
def test_time_in_business_agrees_with_the_oracle(tickets: list[Ticket], by: str) -> None:
    long = time_in(tickets, by=by, calendar=CALENDAR, as_of=AS_OF)  # type: ignore[arg-type]
    for i, ticket in enumerate(tickets):
        rows = long["ticket"] == i
        got = dict(
            zip(long["value"][rows].tolist(), long["seconds_business"][rows].tolist(), strict=True)
        )
        expected = time_in_oracle(ticket, by, CALENDAR, as_of=AS_OF)
        for value, seconds in expected.items():
            assert same(got[value], seconds), (ticket.id, value, got[value], seconds)


@settings(max_examples=60)
@given(ticket_lists())
def test_time_in_status_sums_to_the_age(tickets: list[Ticket]) -> None:
    """Law: a ticket's time over all statuses is as_of minus its creation."""
    long = time_in(tickets, by="status", as_of=AS_OF)
    totals = np.bincount(long["ticket"], weights=long["seconds"], minlength=len(tickets))
    expected = [(AS_OF - t.created_at).total_seconds() for t in tickets]
    np.testing.assert_allclose(totals, expected, atol=1e-6)


@settings(max_examples=60)
@given(ticket_lists())
def test_partition_equals_one_shot(tickets: list[Ticket]) -> None:
    """Law: every column depends on the ticket alone, so halves agree with the whole."""
    whole = ticket_metrics(tickets, as_of=AS_OF)
    half = len(tickets) // 2
    parts = [ticket_metrics(p, as_of=AS_OF) for p in (tickets[:half], tickets[half:])]
    for name in DURATIONS + OTHERS:
        joined = np.concatenate([np.asarray(p[name]) for p in parts])
        assert all(same(a, b) for a, b in zip(joined.tolist(), whole[name].tolist(), strict=True))


def test_a_ticket_by_hand() -> None:
    """One ticket worked on paper, every span in minutes."""
    t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)

    def at(minutes: float) -> datetime:
        return t0 + timedelta(minutes=minutes)

    ticket = Ticket(
        id="H",
        created_at=t0,
        interactions=[
            Message(at=at(0), author="customer"),
            Message(at=at(20), author="agent", agent_id="ann", public=False),  # internal note
            Message(at=at(30), author="agent", agent_id="ann"),  # reply 1: 30 min
            Message(at=at(60), author="customer"),
            Message(at=at(100), author="agent", agent_id="bob"),  # reply 2: 40 min
        ],
        status_changes=[
            StatusChange(at=at(10), status="open"),
            StatusChange(at=at(30), status="pending"),
            StatusChange(at=at(60), status="open"),
            StatusChange(at=at(100), status="solved"),
        ],
        assignments=[
            Assignment(at=at(15), agent_id="ann", group="tier1"),
            Assignment(at=at(70), group="tier2"),
            Assignment(at=at(80), agent_id="bob"),
        ],
    )
    row = {k: v[0] for k, v in ticket_metrics([ticket], as_of=at(600)).to_dict().items()}
    minutes = {
        "new_status": 10, "open_status": 20 + 40, "agent_work": 70, "solve_time": 100,
        "agent_wait": 30, "total_reply": 30 + 40, "unassigned": 15,
        "first_assignment_to_resolution": 85, "last_assignment_to_resolution": 20,
    }  # fmt: skip
    assert {k: row[k] / 60 for k in minutes} == minutes
    counts = {
        "public_comments": 4, "internal_comments": 1, "agent_comments": 3,
        "customer_comments": 2, "handoffs": 2, "unique_assignees": 2, "replies": 2,
        "two_touch": True, "one_touch": False, "multi_touch": False,
        "first_assignee": "ann", "last_assignee": "bob",
    }  # fmt: skip
    assert {k: row[k] for k in counts} == counts
    assert math.isnan(row["unsolved_age"])  # solved: no unsolved age
    long = time_in([ticket], by="group", as_of=at(600))
    by_group = dict(zip(long["value"].tolist(), (long["seconds"] / 60).tolist(), strict=True))
    assert by_group == {None: 15, "tier1": 55, "tier2": 30}  # stops at the solve (100)
    long = time_in([ticket], by="assignee")
    by_agent = dict(zip(long["value"].tolist(), (long["seconds"] / 60).tolist(), strict=True))
    assert by_agent == {None: 15, "ann": 65, "bob": 20}  # ann from 15 to 80, through tier2


def test_bad_parameters_are_named() -> None:
    with pytest.raises(InvalidParameterError, match="by must be"):
        time_in([], by="brand")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="as_of"):
        ticket_metrics([], as_of=datetime(2024, 3, 4))
    with pytest.raises(InvalidParameterError, match="as_of"):
        time_in([], as_of=datetime(2024, 3, 4))
