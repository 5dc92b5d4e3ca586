"""ticket_metrics against the ticket-by-ticket oracle, hand examples, and laws."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import BusinessCalendar, Definitions, Message, StatusChange, Ticket, ticket_metrics
from cxmetrics.definitions import PRESETS

from ..strategies import T0, ticket_lists
from .oracle import measure

COLUMNS = [
    "first_reply", "first_resolution", "full_resolution", "requester_wait", "agent_wait", "on_hold",
    "replies", "customer_messages", "reopens", "solves", "assignee_stations", "group_stations", "fcr", "resolved",
]  # fmt: skip


def same(a: float, b: float | None) -> bool:
    # The oracle says None where a measure is undefined; the table says NaN.
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return isinstance(a, float) and math.isnan(a)
    return bool(abs(float(a) - float(b)) < 1e-6)


@given(ticket_lists(), st.sampled_from(sorted(PRESETS)))
def test_every_measure_agrees_with_the_oracle(tickets: list[Ticket], preset: str) -> None:
    rules = Definitions.preset(preset)
    table = ticket_metrics(tickets, definitions=rules)
    for i, ticket in enumerate(tickets):
        expected = measure(ticket, rules, others=tickets)
        for column in COLUMNS:
            assert same(table[column][i], expected[column]), (
                ticket.id,
                column,
                table[column][i],
                expected[column],
            )
        got = table.exchanges["seconds"][table.exchanges["ticket"] == i].tolist()
        assert got == pytest.approx(expected["exchanges"])


@given(ticket_lists())
def test_business_time_never_exceeds_calendar_time(tickets: list[Ticket]) -> None:
    calendar = BusinessCalendar("Europe/Berlin", {"mon-fri": ["09:00-12:00", "13:00-17:00"]})
    table = ticket_metrics(tickets, calendar=calendar)
    for column in ("first_reply", "full_resolution", "requester_wait", "agent_wait"):
        plain, business = table[column], table[f"{column}_business"]
        both = ~np.isnan(plain)
        assert np.array_equal(both, ~np.isnan(business))
        assert np.all(business[both] <= plain[both] + 1e-6)
        assert np.all(business[both] >= -1e-6)


@given(ticket_lists())
def test_always_open_calendar_equals_calendar_time(tickets: list[Ticket]) -> None:
    table = ticket_metrics(tickets, calendar=BusinessCalendar.always_open())
    for column in ("first_reply", "first_resolution", "requester_wait"):
        np.testing.assert_allclose(table[column], table[f"{column}_business"], atol=1e-6)


def conversation(
    *events: tuple[int, str], created_by: str = "customer", status: list[tuple[int, str]] = ()
) -> Ticket:  # type: ignore[assignment]
    return Ticket(
        id="T",
        created_at=T0,
        created_by=created_by,
        interactions=[Message(at=T0 + timedelta(minutes=m), author=a) for m, a in events],  # type: ignore[arg-type]
        status_changes=[StatusChange(at=T0 + timedelta(minutes=m), status=s) for m, s in status],  # type: ignore[arg-type]
    )


def test_agent_created_ticket_rules_per_preset() -> None:
    ticket = conversation((0, "agent"), (30, "customer"), (50, "agent"), created_by="agent")
    first = {p: ticket_metrics([ticket], definitions=p)["first_reply"][0] for p in PRESETS}
    assert first["zendesk"] == first["default"] == 50 * 60  # the second agent reply
    assert first["zammad"] == first["chatwoot"] == first["freshdesk"] == 0.0  # the opening message
    assert math.isnan(first["intercom"])  # excluded


def test_fcr_rules_per_preset() -> None:
    follow_up = conversation(
        (0, "customer"), (10, "agent"), (20, "customer"), status=[(30, "solved")]
    )  # one reply, but the customer wrote again
    two_replies = conversation(
        (0, "customer"), (10, "agent"), (15, "agent"), status=[(30, "solved")]
    )
    fcr = {
        p: ticket_metrics([follow_up, two_replies.model_copy(update={"id": "U"})], definitions=p)[
            "fcr"
        ].tolist()
        for p in PRESETS
    }
    assert fcr["zendesk"] == [True, False]  # exactly one agent reply
    assert fcr["freshdesk"] == [False, True]  # no customer follow-up
    assert fcr["intercom"] == [True, True]  # closed once, one teammate


def test_reopened_ticket_first_and_full_resolution() -> None:
    ticket = conversation(
        (0, "customer"), (10, "agent"),
        status=[(20, "solved"), (60, "open"), (90, "solved"), (200, "closed")],
    )  # fmt: skip
    table = ticket_metrics([ticket])
    assert table["first_resolution"][0] == 20 * 60
    assert table["full_resolution"][0] == 90 * 60
    assert table["reopens"][0] == 1 and table["solves"][0] == 2
    chatwoot = ticket_metrics([ticket], definitions="chatwoot")
    assert chatwoot.solves["seconds"].tolist() == [20 * 60, 90 * 60]  # every resolve its own event


@given(ticket_lists(max_size=10))
def test_shared_calendar_time_requests_reuse_the_business_table(tickets: list[Ticket]) -> None:
    # Inside a report, a metric in calendar time reads the calendar-time columns
    # of the business-time measurement: they must equal a measurement of its own.
    from cxmetrics.tables.ticket_batch import TicketBatch
    from cxmetrics.tickets.cache import shared_measures

    batch = TicketBatch.from_tickets(tickets)
    calendar = BusinessCalendar("Europe/Berlin", {"mon-fri": "09:00-17:00"})
    alone = ticket_metrics(batch)
    with shared_measures():
        business = ticket_metrics(batch, calendar)
        reused = ticket_metrics(batch)
        other_rules = ticket_metrics(batch, None, "chatwoot")
    assert reused is business and other_rules is not business
    for column in alone.names:
        np.testing.assert_array_equal(np.asarray(reused[column]), np.asarray(alone[column]))
    for column in ("seconds", "replied_at", "ticket"):
        np.testing.assert_array_equal(reused.exchanges[column], alone.exchanges[column])
