"""Zammad's First Solution, Chatwoot's bot-handoff start, Zoho Desk's closed-time exclusion.

Each rule on the worked example of the product's own tests or documentation:

- Zammad ``test/integration/report_test.rb``: tickets 4-7 and which of them
  ``Report::TicketFirstSolution`` lists (5, 6 and 7);
- Chatwoot ``spec/listeners/reporting_event_listener_spec.rb``, "when last handoff
  event exists": handoff 20 s in, human reply 62 s in, first response 42 s;
- Zoho Desk, "Response time - Cases, Example, and Important Notes" and the
  response-time glossary: first response 10:00 to 11:30 is 1 h 30 min, and every
  response time is "minus the duration of the ticket in Closed status".
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cxmetrics import BusinessCalendar, Definitions, Message, StatusChange, Ticket, ticket_metrics
from cxmetrics.metrics.response_time import first_response_time

UTC = timezone.utc


def _zammad_tickets() -> list[Ticket]:
    """Report test tickets 4-7 (created_at, close_at); 5 was reopened after its close."""

    def ticket(number: int, created: str, closed: str, reopened: str | None = None) -> Ticket:
        created_at = datetime.fromisoformat(created).replace(tzinfo=UTC)
        changes = [
            StatusChange(at=datetime.fromisoformat(closed).replace(tzinfo=UTC), status="solved")
        ]
        if reopened is not None:
            changes.append(
                StatusChange(at=datetime.fromisoformat(reopened).replace(tzinfo=UTC), status="open")
            )
        return Ticket(id=number, created_at=created_at, status_changes=changes)

    return [
        ticket(4, "2015-10-28 10:30", "2015-10-28 11:30"),  # an hour: not a first solution
        ticket(5, "2015-10-28 11:30", "2015-10-28 11:40", "2015-10-28 14:30"),  # 10 min, reopened
        ticket(6, "2015-10-31 12:30", "2015-10-31 12:35"),  # 5 min
        ticket(7, "2015-11-01 12:30", "2015-11-01 12:30"),  # closed as created
    ]  # fmt: skip


def test_zammad_first_solution_lists_the_tickets_its_report_test_lists() -> None:
    table = ticket_metrics(_zammad_tickets(), definitions="zammad")
    listed = [
        ident for ident, fcr in zip(table["id"].tolist(), table["fcr"].tolist(), strict=True) if fcr
    ]
    assert listed == ["5", "6", "7"]


def test_first_solution_window_is_strict_and_configurable() -> None:
    t0 = datetime(2024, 3, 4, 9, tzinfo=UTC)
    at15 = Ticket(
        id=1,
        created_at=t0,
        status_changes=[StatusChange(at=t0 + timedelta(minutes=15), status="closed")],
    )
    assert ticket_metrics([at15], definitions="zammad")["fcr"].tolist() == [False]  # 15 is not < 15
    wider = Definitions(fcr_rule="first_solution", first_solution_minutes=20)
    assert ticket_metrics([at15], definitions=wider)["fcr"].tolist() == [True]


def _chatwoot_conversation() -> Ticket:
    now = datetime(2024, 3, 4, 9, tzinfo=UTC)
    return Ticket(
        id="cw",
        created_at=now,
        interactions=[
            Message(at=now, author="customer"),
            Message(at=now + timedelta(seconds=5), author="bot"),
            Message(at=now + timedelta(seconds=62), author="agent"),
        ],
        status_changes=[
            StatusChange(at=now, status="pending"),  # the bot holds the conversation
            StatusChange(at=now + timedelta(seconds=20), status="open"),  # handoff
        ],
    )


def test_chatwoot_first_response_runs_from_the_bot_handoff() -> None:
    conversation = _chatwoot_conversation()
    assert first_response_time([conversation], definitions="chatwoot") == timedelta(seconds=42)
    assert first_response_time([conversation], definitions="default") == timedelta(seconds=62)


def test_a_reopen_before_the_reply_is_a_handoff_too() -> None:
    t0 = datetime(2024, 3, 4, 9, tzinfo=UTC)
    ticket = Ticket(
        id="r", created_at=t0,
        interactions=[Message(at=t0, author="customer"), Message(at=t0 + timedelta(minutes=50), author="agent")],
        status_changes=[StatusChange(at=t0 + timedelta(minutes=10), status="solved"),
                        StatusChange(at=t0 + timedelta(minutes=30), status="open")],
    )  # fmt: skip
    rules = Definitions(first_reply_from="handoff")
    assert ticket_metrics([ticket], definitions=rules)["first_reply"].tolist() == [20 * 60.0]


def _zoho_ticket() -> Ticket:
    """Created 10:00, closed at 10:20 unanswered, reopened 11:20, answered 11:30."""
    t0 = datetime(2024, 3, 4, 10, tzinfo=UTC)
    return Ticket(
        id="z",
        created_at=t0,
        interactions=[
            Message(at=t0, author="customer"),
            Message(at=t0 + timedelta(minutes=90), author="agent"),
            Message(at=t0 + timedelta(minutes=100), author="customer"),
            Message(at=t0 + timedelta(minutes=130), author="agent"),
        ],
        status_changes=[
            StatusChange(at=t0 + timedelta(minutes=20), status="solved"),
            StatusChange(at=t0 + timedelta(minutes=80), status="open"),
            StatusChange(at=t0 + timedelta(minutes=110), status="solved"),
            StatusChange(at=t0 + timedelta(minutes=120), status="open"),
        ],
    )


def test_zoho_glossary_first_response() -> None:
    t0 = datetime(2024, 3, 4, 10, tzinfo=UTC)
    ticket = Ticket(id="g", created_at=t0, interactions=[
        Message(at=t0, author="customer"), Message(at=t0 + timedelta(minutes=90), author="agent")])  # fmt: skip
    assert first_response_time([ticket], definitions="zoho") == timedelta(hours=1, minutes=30)


def test_zoho_response_times_leave_out_the_time_closed() -> None:
    table = ticket_metrics([_zoho_ticket()], definitions="zoho")
    # First: 90 min minus 60 closed; next: 30 min minus 10 closed.
    assert table["first_reply"].tolist() == [30 * 60.0]
    assert table.exchanges["seconds"].tolist() == [30 * 60.0, 20 * 60.0]
    assert table["total_reply"].tolist() == [50 * 60.0]
    plain = ticket_metrics([_zoho_ticket()], definitions="default")
    assert plain.exchanges["seconds"].tolist() == [90 * 60.0, 30 * 60.0]


def test_zoho_rule_in_business_time() -> None:
    # Open 10:00-11:00 only: first exchange open time 60 min, of which closed 40 (10:20-11:00).
    calendar = BusinessCalendar("UTC", {"mon-fri": "10:00-11:00"})
    table = ticket_metrics([_zoho_ticket()], calendar=calendar, definitions="zoho")
    assert table["first_reply_business"].tolist() == [20 * 60.0]
    assert table.exchanges["seconds_business"].tolist() == [20 * 60.0, 0.0]


@pytest.mark.parametrize("preset", ["chatwoot", "zoho"])
def test_rules_change_nothing_without_status_history(preset: str) -> None:
    t0 = datetime(2024, 3, 4, 10, tzinfo=UTC)
    ticket = Ticket(id="f", created_at=t0, first_reply_at=t0 + timedelta(minutes=7))
    assert ticket_metrics([ticket], definitions=preset)["first_reply"].tolist() == [420.0]
