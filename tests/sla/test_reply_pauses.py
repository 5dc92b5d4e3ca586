"""Reply clocks that pause, first replies that survive a solve, and the helpdesk presets.

Worked examples come from the products' own documentation and tests:

- Znuny/OTRS, the escalation suspend add-on's documentation
  (znuny/Znuny4OTRS-EscalationSuspend, ``doc/en/feature.md``): created 08:00 with a
  2-hour solution time, "pending reminder" from 09:00 to 10:05, escalates at 11:05;
  periods in a suspend state before the first response do not count for the
  first response time either.
- Zammad, ``spec/lib/escalation/ticket_biz_break_spec.rb`` ("when ticket was
  suspended and reopened multiple times"): open 12:00, pending reminder
  12:15-12:30, open 12:30-12:45, pending close 12:45-13:00, closed at 13:00, which
  gives the breaks 12:15-12:30 and 12:45-13:00; ``lib/escalation.rb`` keeps the
  first-response escalation until ``first_response_at`` is set, computing it
  from creation with those breaks (closed states ignore escalation too).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import Message, StatusChange, Ticket
from cxmetrics.exceptions import SlaError
from cxmetrics.sla import SlaPolicy, SlaPolicySet, SlaTarget, evaluate_sla

from tests.sla.fakes import AlwaysOpen, WeekdayHours
from tests.sla.strategies import T0, policies, ticket_lists
from tests.sla.test_reference import assert_matches_reference

CALENDARS = st.sampled_from([None, AlwaysOpen(), WeekdayHours()])
DAY = datetime(2024, 3, 4, tzinfo=timezone.utc)


def _at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def _by_metric(ticket: Ticket, policy: SlaPolicy, as_of: datetime) -> dict[str, tuple]:
    out = evaluate_sla([ticket], policy, as_of=as_of).to_dict()
    return {
        m: (status, due, used)
        for m, status, due, used in zip(
            out["metric"], out["status"], out["due_at"], out["business_time_used"], strict=True
        )
    }


# --- Znuny/OTRS: the add-on's worked example --------------------------------------------


def _znuny_ticket() -> Ticket:
    return Ticket(
        id="otrs",
        created_at=_at(8),
        status_changes=[
            StatusChange(at=_at(9), status="pending"),
            StatusChange(at=_at(10, 5), status="open"),
        ],
    )


@pytest.mark.parametrize("as_of", [_at(9, 30), _at(10), _at(10, 30), _at(11)])
def test_znuny_solution_time_escalates_at_11_05(as_of):
    # "The new escalation time will be 11:05 am"; shown as 10:30 at 09:30 and 11:00
    # at 10:00 (the due time seen while paused is the one at as_of).
    policy = SlaPolicy.preset("znuny", targets=[SlaTarget("resolution", "PT2H")])
    status, due, _ = _by_metric(_znuny_ticket(), policy, as_of)["resolution"]
    if as_of >= _at(10, 5):
        assert due == _at(11, 5)
        assert status == "active"
    else:
        assert status == "paused"


def test_znuny_first_response_is_suspended_too():
    policy = SlaPolicy.preset("znuny", targets=[SlaTarget("first_reply", "PT2H")])
    status, due, used = _by_metric(_znuny_ticket(), policy, _at(11, 10))["first_reply"]
    # 08:00-09:00 and 10:05-11:10 ran: 125 minutes by 11:10.
    assert (status, due, used) == ("breached", _at(11, 5), timedelta(minutes=125))
    # Zendesk's first reply never pauses: due at 10:00.
    zendesk = SlaPolicy.preset("zendesk", targets=[SlaTarget("first_reply", "PT2H")])
    assert _by_metric(_znuny_ticket(), zendesk, _at(11, 10))["first_reply"][1] == _at(10)


# --- Zammad: the spec's history of breaks, and a reopen ----------------------------------


def _zammad_ticket(*, reopen: bool, reply_at: datetime | None = None) -> Ticket:
    changes = [
        StatusChange(at=_at(12), status="open"),
        StatusChange(at=_at(12, 15), status="pending"),
        StatusChange(at=_at(12, 30), status="open"),
        StatusChange(at=_at(12, 45), status="pending"),
        StatusChange(at=_at(13), status="solved"),
    ]
    if reopen:
        changes.append(StatusChange(at=_at(14), status="open"))
    messages = [Message(at=reply_at, author="agent")] if reply_at else []
    return Ticket(id="zammad", created_at=_at(12), status_changes=changes, interactions=messages)


def test_zammad_first_reply_waits_through_the_breaks_and_the_close():
    policy = SlaPolicy.preset("zammad", targets=[SlaTarget("first_reply", "PT1H")])
    # Closed at 13:00 after 30 minutes outside the breaks: paused, not completed.
    status, due, used = _by_metric(_zammad_ticket(reopen=False), policy, _at(13, 30))["first_reply"]
    assert (status, used) == ("paused", timedelta(minutes=30))
    # Reopened at 14:00: the other 30 minutes run out at 14:30.
    status, due, used = _by_metric(_zammad_ticket(reopen=True), policy, _at(14, 10))["first_reply"]
    assert (status, due, used) == ("active", _at(14, 30), timedelta(minutes=40))
    # Answered at 14:20: achieved, 50 minutes used; the completion is the reply.
    ticket = _zammad_ticket(reopen=True, reply_at=_at(14, 20))
    out = evaluate_sla([ticket], policy, as_of=_at(15)).to_dict()
    assert out["status"] == ["achieved"]
    assert out["completed_at"] == [_at(14, 20)]
    assert out["business_time_used"] == [timedelta(minutes=50)]


def test_the_solve_completes_the_first_reply_without_survival():
    # Znuny (and Zendesk) complete it at the solve, 13:00.
    policy = SlaPolicy.preset("znuny", targets=[SlaTarget("first_reply", "PT1H")])
    out = evaluate_sla([_zammad_ticket(reopen=True)], policy, as_of=_at(15)).to_dict()
    assert out["completed_at"] == [_at(13)]
    assert out["business_time_used"] == [timedelta(minutes=30)]


def test_a_message_after_the_reopen_joins_the_surviving_first_exchange():
    ticket = Ticket(
        id="t",
        created_at=_at(9),
        status_changes=[
            StatusChange(at=_at(10), status="solved"),
            StatusChange(at=_at(11), status="open"),
        ],
        interactions=[
            Message(at=_at(11, 30), author="customer"),
            Message(at=_at(12), author="agent"),
        ],
    )
    targets = [SlaTarget("first_reply", "PT3H"), SlaTarget("next_reply", "PT3H")]
    zammad = evaluate_sla([ticket], SlaPolicy.preset("zammad", targets=targets), as_of=_at(13))
    assert zammad["metric"].tolist() == ["first_reply"]
    zendesk = evaluate_sla([ticket], SlaPolicy.preset("zendesk", targets=targets), as_of=_at(13))
    assert sorted(zendesk["metric"].tolist()) == ["first_reply", "next_reply"]


def test_unknown_preset_suggests_the_name():
    with pytest.raises(SlaError, match="did you mean 'zammad'"):
        SlaPolicy.preset("zamad", targets=[SlaTarget("first_reply", 60)])


def test_reply_pause_status_is_checked():
    with pytest.raises(SlaError, match="does not exist"):
        SlaPolicy(name="x", targets=[SlaTarget("first_reply", 60)], reply_pause_statuses=["wait"])


# --- laws, against the minute-by-minute reference ----------------------------------------


@settings(max_examples=120)
@given(tickets=ticket_lists(), calendar=CALENDARS, data=st.data(), as_of_h=st.integers(0, 200))
def test_pausing_reply_clocks_match_reference(tickets, calendar, data, as_of_h):
    policy = data.draw(policies(calendar=calendar, reply_options=True))
    as_of = T0 + timedelta(hours=as_of_h)
    assert_matches_reference(tickets, policy, as_of)


@settings(max_examples=40)
@given(tickets=ticket_lists(), data=st.data(), as_of_h=st.integers(0, 200))
def test_mixed_policy_sets_match_reference(tickets, data, as_of_h):
    chat = data.draw(policies(calendar=WeekdayHours(), name="chat", reply_options=True))
    rest = data.draw(policies(calendar=None, name="rest", reply_options=True))
    policy_set = SlaPolicySet(policies=[chat.when(channel="chat"), rest])
    as_of = T0 + timedelta(hours=as_of_h)
    assert_matches_reference(tickets, policy_set, as_of)


@settings(max_examples=60)
@given(tickets=ticket_lists(), calendar=CALENDARS, as_of_h=st.integers(0, 200))
def test_pausing_never_brings_a_first_reply_due_earlier(tickets, calendar, as_of_h):
    targets = [SlaTarget("first_reply", "PT2H")]
    plain = SlaPolicy("p", calendar, targets)
    paused = SlaPolicy("p", calendar, targets, reply_pause_statuses=["pending", "on_hold"])
    as_of = T0 + timedelta(hours=as_of_h)
    a = evaluate_sla(tickets, plain, as_of=as_of).to_dict()
    b = evaluate_sla(tickets, paused, as_of=as_of).to_dict()
    assert a["ticket_id"] == b["ticket_id"]
    for due_a, due_b in zip(a["due_at"], b["due_at"], strict=True):
        if due_a is not None and not (isinstance(due_a, float) and math.isnan(due_a)):
            assert due_b >= due_a
