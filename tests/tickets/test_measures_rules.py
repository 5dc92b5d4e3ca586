"""Per-ticket measures: agreement with the oracle, hand examples of every rule, laws, bad input."""

from __future__ import annotations

import math
import pickle
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.calendars import BusinessCalendar
from cxmetrics.definitions import PRESETS, Definitions
from cxmetrics.exceptions import RecordValidationError
from cxmetrics.models import Assignment, Call, Message, StatusChange, Ticket
from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tickets import ticket_metrics
from cxmetrics.tickets.clocks import business_clock, elapsed

from tests.tickets import oracle
from tests.tickets.strategies import definitions, ticket_lists

T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)  # a Monday, 09:00 UTC
OFFICE = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
PARIS = BusinessCalendar(
    "Europe/Paris", {"mon-fri": ["09:00-12:30", "13:30-18:00"]}, holidays=["2024-03-08"]
)

PER_TICKET = (
    "first_reply",
    "first_resolution",
    "full_resolution",
    "requester_wait",
    "agent_wait",
    "on_hold",
    "next_reply_mean",
    "next_reply_max",
)
COUNTS = (
    "replies",
    "customer_messages",
    "next_replies",
    "solves",
    "reopens",
    "assignee_stations",
    "group_stations",
)
FLAGS = ("resolved", "fcr", "first_reply_excluded")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def msg(minutes: float, author: str = "customer", **kw: Any) -> Message:
    return Message(at=at(minutes), author=author, **kw)


def status(minutes: float, name: str) -> StatusChange:
    return StatusChange(at=at(minutes), status=name)


def same(a: Any, b: Any) -> bool:
    if b is None:
        return isinstance(a, float) and math.isnan(a)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def check_against_oracle(items: list[Ticket], rules: Definitions, calendar: Any = None) -> None:
    table = ticket_metrics(items, calendar, rules)
    expected = oracle.measure_all(items, rules, calendar)
    suffix = "_business" if calendar is not None else ""
    assert len(table) == len(items)
    for row, want in enumerate(expected):
        for name in PER_TICKET:
            got = table[name + suffix][row]
            assert same(got, want[name]), (name, row, got, want[name], items[row])
        for name in (*COUNTS, *FLAGS):
            assert table[name][row] == want[name], (name, row, items[row])
    exchanges = table.exchanges
    seconds = np.asarray(exchanges["seconds" + suffix])
    got_pairs = sorted(zip(exchanges["id"].tolist(), seconds.tolist(), strict=True))
    want_pairs = sorted((w["id"], s) for w in expected for s in w["exchanges"])
    assert len(got_pairs) == len(want_pairs)
    for (gid, gs), (wid, ws) in zip(got_pairs, want_pairs, strict=True):
        assert gid == wid and same(gs, ws)
    solves = sorted(
        zip(table.solves["id"].tolist(), table.solves["seconds" + suffix].tolist(), strict=True)
    )
    want_solves = sorted((w["id"], s) for w in expected for s in w["solve_times"])
    assert [i for i, _ in solves] == [i for i, _ in want_solves]
    assert all(same(g, w) for (_, g), (_, w) in zip(solves, want_solves, strict=True))


# --- agreement with the oracle -------------------------------------------------------------


@settings(max_examples=100)  # ~0.1 s an example: the suite stays under 10 min
@given(items=ticket_lists(), rules=definitions())
def test_calendar_time_matches_the_oracle(items: list[Ticket], rules: Definitions) -> None:
    check_against_oracle(items, rules)


@settings(max_examples=40)
@given(items=ticket_lists(max_size=6), rules=definitions(), paris=st.booleans())
def test_business_time_matches_the_oracle(
    items: list[Ticket], rules: Definitions, paris: bool
) -> None:
    check_against_oracle(items, rules, PARIS if paris else OFFICE)


# --- laws ------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(items=ticket_lists())
def test_business_time_never_exceeds_calendar_time(items: list[Ticket]) -> None:
    table = ticket_metrics(items, OFFICE)
    for name in PER_TICKET:
        calendar, business = np.asarray(table[name]), np.asarray(table[name + "_business"])
        defined = ~np.isnan(calendar)
        assert np.array_equal(defined, ~np.isnan(business))
        assert np.all(business[defined] <= calendar[defined] + 1e-6)
        assert np.all(business[defined] >= -1e-6)


@settings(max_examples=40)
@given(items=ticket_lists())
def test_an_always_open_calendar_is_calendar_time(items: list[Ticket]) -> None:
    table = ticket_metrics(items, BusinessCalendar.always_open())
    for name in PER_TICKET:
        np.testing.assert_allclose(table[name + "_business"], table[name], atol=1e-6)


@settings(max_examples=100)  # ~0.1 s an example: the suite stays under 10 min
@given(items=ticket_lists(), cut=st.integers(0, 12), rules=definitions())
def test_partition_gives_the_same_rows(items: list[Ticket], cut: int, rules: Definitions) -> None:
    if rules.fcr_rule == "repeat_contact":
        rules = rules.model_copy(update={"fcr_rule": "one_touch"})  # looks across tickets
    whole = ticket_metrics(items, None, rules)
    parts = [ticket_metrics(items[:cut], None, rules), ticket_metrics(items[cut:], None, rules)]
    for name in (*PER_TICKET, *COUNTS, *FLAGS):
        joined = np.concatenate([np.asarray(p[name], dtype=float) for p in parts])
        np.testing.assert_array_equal(joined, np.asarray(whole[name], dtype=float))


@settings(max_examples=100)  # ~0.1 s an example: the suite stays under 10 min
@given(items=ticket_lists())
def test_batch_and_list_give_the_same_table(items: list[Ticket]) -> None:
    from_list = ticket_metrics(items, None, "zendesk")
    from_batch = ticket_metrics(TicketBatch.from_tickets(items), None, "zendesk")
    for name in from_list.names:
        a, b = np.asarray(from_list[name]), np.asarray(from_batch[name])
        if a.dtype == object:
            assert a.tolist() == b.tolist()
        else:
            np.testing.assert_array_equal(a, b)


# --- hand examples: replies ------------------------------------------------------------------


def one(ticket: Ticket, rules: Definitions | str = "default", calendar: Any = None) -> Any:
    table = ticket_metrics([ticket], calendar, rules)
    return {name: np.asarray(table[name])[0] for name in table.names}


def test_replies_are_public_human_and_not_automated() -> None:
    ticket = Ticket(
        id=1,
        created_at=T0,
        interactions=[
            msg(0),
            msg(5, "agent", public=False),  # internal note
            msg(10, "bot"),
            msg(15, "agent", automated=True),  # trigger
            msg(20, "system"),
            msg(30, "agent"),
        ],
    )
    assert one(ticket)["first_reply"] == 30 * 60
    assert one(ticket, Definitions(count_internal_notes=True))["first_reply"] == 5 * 60
    assert one(ticket, Definitions(count_bots=True))["first_reply"] == 10 * 60
    assert one(ticket, Definitions(count_automated=True))["first_reply"] == 15 * 60
    assert one(ticket)["replies"] == 1


def test_answered_calls_count_unless_the_definitions_say_otherwise() -> None:
    ticket = Ticket(
        id=1,
        created_at=T0,
        channel="phone",
        interactions=[Call(at=at(1), abandoned=True), Call(at=at(3), talk=60), msg(50, "agent")],
    )
    assert one(ticket)["first_reply"] == 180
    assert one(ticket, "chatwoot")["first_reply"] == 50 * 60  # Chatwoot: calls are not replies


@pytest.mark.parametrize(
    ("preset", "first_reply", "replies", "excluded"),
    [
        ("zendesk", 90 * 60, 1, False),  # the opening message is no reply: the next one is
        ("default", 90 * 60, 1, False),
        ("freshdesk", 0.0, 2, False),  # from creation: the opening message counts
        ("zammad", 0.0, 2, False),
        ("chatwoot", 0.0, 2, False),
        ("intercom", None, 1, True),  # outbound conversations are left out
    ],
)
def test_agent_created_tickets_under_every_preset(
    preset: str, first_reply: float | None, replies: int, excluded: bool
) -> None:
    ticket = Ticket(
        id=1,
        created_at=T0,
        created_by="agent",
        interactions=[msg(0, "agent"), msg(60), msg(90, "agent")],
    )
    row = one(ticket, preset)
    assert same(row["first_reply"], first_reply)
    assert row["replies"] == replies and row["first_reply_excluded"] == excluded


def test_agent_created_ticket_opened_by_the_customer_message_keeps_its_first_reply() -> None:
    # An agent logged the customer's e-mail: the first message is the customer's.
    ticket = Ticket(
        id=1, created_at=T0, created_by="agent", interactions=[msg(0), msg(20, "agent")]
    )
    assert one(ticket, "zendesk")["first_reply"] == 20 * 60
    assert one(ticket, "zendesk")["replies"] == 1


def test_solved_without_reply_then_reopened_ends_first_reply_after_the_reopen() -> None:
    ticket = Ticket(
        id=1,
        created_at=T0,
        interactions=[msg(0), msg(200, "agent")],
        status_changes=[status(10, "solved"), status(100, "open"), status(300, "solved")],
    )
    row = one(ticket, "zendesk")
    assert row["first_reply"] == 200 * 60
    assert (row["first_resolution"], row["full_resolution"]) == (10 * 60, 300 * 60)
    assert (row["solves"], row["reopens"]) == (2, 1)


# --- hand examples: next replies --------------------------------------------------------------


def test_next_replies_start_at_the_oldest_unanswered_message() -> None:
    ticket = Ticket(
        id=1,
        created_at=T0,
        interactions=[
            msg(0),
            msg(10, "agent"),
            msg(15, "agent"),  # answers nothing: no exchange
            msg(60),
            msg(70),  # collapses into the run that started at 60
            msg(100, "agent"),
            msg(130),  # still unanswered: no exchange yet
        ],
    )
    table = ticket_metrics([ticket])
    assert table.exchanges["seconds"].tolist() == [600.0, 2400.0]
    assert table.exchanges["first"].tolist() == [True, False]
    row = one(ticket)
    assert (row["next_replies"], row["next_reply_mean"], row["next_reply_max"]) == (1, 2400, 2400)


def test_a_customer_opened_ticket_waits_from_its_creation() -> None:
    # A web form ticket with no message logged: the first reply answers the creation.
    ticket = Ticket(id=1, created_at=T0, interactions=[msg(45, "agent")])
    assert ticket_metrics([ticket]).exchanges["seconds"].tolist() == [2700.0]


# --- hand examples: resolution and waits ---------------------------------------------------------


def test_waits_are_status_sums_and_full_resolution_does_not_pause() -> None:
    ticket = Ticket(
        id=1,
        created_at=T0,
        status_changes=[
            status(10, "open"),
            status(30, "pending"),
            status(90, "on_hold"),
            status(100, "open"),
            status(120, "solved"),
            status(150, "closed"),  # solved → closed is not another solve
        ],
    )
    row = one(ticket)
    assert row["requester_wait"] == (10 + 20 + 10 + 20) * 60  # new + open + on-hold + open
    assert row["agent_wait"] == 60 * 60
    assert row["on_hold"] == 10 * 60
    assert row["full_resolution"] == 120 * 60 and row["solves"] == 1


def test_waits_of_unresolved_or_history_less_tickets_are_undefined() -> None:
    open_ticket = Ticket(id=1, created_at=T0, status_changes=[status(10, "pending")])
    flat = Ticket(id=2, created_at=T0, status="solved", solved_at=at(60))
    table = ticket_metrics([open_ticket, flat])
    assert np.isnan(table["requester_wait"]).all() and np.isnan(table["agent_wait"]).all()
    assert table["full_resolution"].tolist()[1] == 3600.0


def test_closing_an_unsolved_ticket_is_a_solve() -> None:
    ticket = Ticket(id=1, created_at=T0, status_changes=[status(5, "open"), status(50, "closed")])
    row = one(ticket)
    assert row["first_resolution"] == row["full_resolution"] == 50 * 60


def test_business_time_of_a_ticket_over_a_weekend() -> None:
    friday = datetime(2024, 3, 8, 16, tzinfo=timezone.utc)
    ticket = Ticket(
        id=1,
        created_at=friday,
        interactions=[Message(at=friday + timedelta(days=3), author="agent")],  # Monday 16:00
    )
    row = one(ticket, calendar=OFFICE)
    assert row["first_reply"] == 3 * 86400
    assert row["first_reply_business"] == 8 * 3600  # Friday 16-17 + Monday 09-16


# --- hand examples: stations and FCR rules -----------------------------------------------------------


def test_stations_are_runs_of_assignees_and_groups() -> None:
    ticket = Ticket(
        id=1,
        created_at=T0,
        assignments=[
            Assignment(at=at(0), agent_id="a", group="g1"),
            Assignment(at=at(1), agent_id="b", group="g1"),
            Assignment(at=at(2), group="g2"),  # no agent named: not an assignee station
            Assignment(at=at(3), agent_id="a", group="g2"),
        ],
    )
    row = one(ticket)
    assert (row["assignee_stations"], row["group_stations"]) == (3, 2)


def _fcr_cases() -> dict[str, Ticket]:
    def solved(*interactions: Any, **kw: Any) -> Ticket:
        changes = kw.pop("changes", [status(500, "solved")])
        return Ticket(id=kw.pop("id", 1), created_at=T0, interactions=interactions,
                      status_changes=changes, **kw)  # fmt: skip

    return {
        "no_reply": solved(msg(0)),
        "one_reply": solved(msg(0), msg(5, "agent", agent_id="a")),
        "two_replies": solved(msg(0), msg(5, "agent", agent_id="a"), msg(9, "agent", agent_id="a")),
        "thanks_after": solved(msg(0), msg(5, "agent", agent_id="a"), msg(20)),
        "two_agents": solved(msg(0), msg(5, "agent", agent_id="a"), msg(9, "agent", agent_id="b")),
        "pending": solved(
            msg(0),
            msg(5, "agent", agent_id="a"),
            changes=[status(6, "pending"), status(500, "solved")],
        ),
        "reopened": solved(
            msg(0),
            msg(5, "agent", agent_id="a"),
            changes=[status(6, "solved"), status(8, "open"), status(500, "solved")],
        ),
    }


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("exactly_one_reply", {"one_reply", "thanks_after", "pending", "reopened"}),
        ("one_touch", {"no_reply", "one_reply", "thanks_after", "pending", "reopened"}),
        # Zendesk messaging: any number of replies, but never pending/on-hold, never reopened
        ("one_touch_messaging", {"one_reply", "two_replies", "thanks_after", "two_agents"}),
        ("no_customer_follow_up",
         {"no_reply", "one_reply", "two_replies", "two_agents", "pending", "reopened"}),
        ("closed_once_one_agent", {"one_reply", "two_replies", "thanks_after", "pending"}),
    ],
)  # fmt: skip
def test_every_fcr_rule_by_hand(rule: str, expected: set[str]) -> None:
    cases = _fcr_cases()
    rules = Definitions(fcr_rule=rule)  # type: ignore[arg-type]
    got = {name for name, ticket in cases.items() if one(ticket, rules)["fcr"]}
    assert got == expected


def test_fcr_repeat_contact_within_the_window() -> None:
    def ticket(i: int, days: float, customer: str) -> Ticket:
        return Ticket(id=i, created_at=T0 + timedelta(days=days), customer_id=customer,
                      status="solved")  # fmt: skip

    items = [ticket(1, 0, "c1"), ticket(2, 3, "c1"), ticket(3, 20, "c1"), ticket(4, 0, "c2")]
    rules = Definitions(fcr_rule="repeat_contact", repeat_contact_days=7)
    assert ticket_metrics(items, None, rules)["fcr"].tolist() == [False, True, True, True]


def test_unresolved_tickets_are_never_fcr() -> None:
    ticket = Ticket(id=1, created_at=T0, interactions=[msg(0), msg(5, "agent")])
    assert not any(one(ticket, preset)["fcr"] for preset in PRESETS)


# --- flat exports -------------------------------------------------------------------------------------


def test_flat_exports_use_their_milestones() -> None:
    ticket = Ticket(id=1, created_at=T0, status="solved", first_reply_at=at(30), solved_at=at(90))
    row = one(ticket)
    assert (row["first_reply"], row["full_resolution"], row["solves"]) == (1800, 5400, 1)
    assert one(ticket, calendar=OFFICE)["full_resolution_business"] == 5400


# --- the table ----------------------------------------------------------------------------------------


def test_table_exports() -> None:
    items = [
        Ticket(id="A", created_at=T0, channel="chat", interactions=[msg(0), msg(3, "agent")]),
        Ticket(id="B", created_at=T0, priority="high"),
    ]
    table = ticket_metrics(items, OFFICE, "zendesk")
    frame = table.to_pandas()
    assert frame.shape == (2, len(table.names))
    assert str(frame["channel"].dtype) == "category"
    assert frame["first_reply_business"].tolist()[0] == timedelta(seconds=180)
    assert str(frame["created_at"].dt.tz) == "UTC"
    polars = table.to_polars()
    assert polars["id"].to_list() == ["A", "B"]
    assert polars["priority"].to_list() == [None, "high"]
    assert table.to_dict()["channel"] == ["chat", "email"]
    assert table.exchanges.to_pandas()["id"].tolist() == ["A"]
    with pytest.raises(KeyError, match="no column 'nope'"):
        table["nope"]


def test_empty_input_gives_an_empty_table() -> None:
    table = ticket_metrics([], OFFICE)
    assert len(table) == 0 and len(table.exchanges) == 0
    assert table["first_reply_business"].tolist() == []


# --- bad input -----------------------------------------------------------------------------------------


def test_duplicate_ids_are_named() -> None:
    items = [Ticket(id="X-1", created_at=T0), Ticket(id="X-1", created_at=T0)]
    with pytest.raises(RecordValidationError, match="'X-1'"):
        ticket_metrics(items)


def test_histories_out_of_order_are_sorted() -> None:
    shuffled = Ticket(id=1, created_at=T0, interactions=[msg(30, "agent"), msg(0)])
    assert one(shuffled)["first_reply"] == 1800


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        (
            {"interactions": [Message(at=T0 - timedelta(minutes=1), author="agent")]},
            "before created_at",
        ),
        ({"status_changes": [status(1, "closed"), status(2, "open")]}, "closed is final"),
        ({"status": "open", "status_changes": [status(1, "solved")]}, "contradicts"),
    ],
)
def test_invalid_histories_are_rejected(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Ticket(id=1, created_at=T0, **fields)


def test_unknown_preset_and_bad_definitions() -> None:
    with pytest.raises(ValueError, match="unknown definitions preset 'helpscout'"):
        ticket_metrics([], None, "helpscout")
    with pytest.raises(TypeError, match="Definitions or a preset name"):
        ticket_metrics([], None, 3)  # type: ignore[arg-type]


def test_time_helpers() -> None:
    starts, ends = np.array([0.0, np.nan]), np.array([10.0, 1.0])
    assert elapsed(None, starts, ends)[0] == 10.0
    clock = business_clock(BusinessCalendar.always_open(), np.array([5.0, 65.0]), 5.0)
    assert clock.tolist() == [0.0, 60.0]


def test_definitions_travel_with_the_table() -> None:
    table = ticket_metrics([], None, "intercom")
    assert pickle.loads(pickle.dumps(table.definitions)) == PRESETS["intercom"]
