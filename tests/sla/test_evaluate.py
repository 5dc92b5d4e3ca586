"""Hand-computed SLA outcomes on a Monday-Friday 09:00-17:00 UTC calendar, and bad input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from pydantic import ValidationError

from cxmetrics import (
    BusinessCalendar,
    InvalidParameterError,
    Message,
    PriorityChange,
    SlaError,
    StatusChange,
    Ticket,
)
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.policy import SlaPolicy, SlaPolicySet, SlaTarget

from tests.sla.fakes import NeverOpen

CAL = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
MON = datetime(2024, 3, 4, tzinfo=timezone.utc)  # a Monday
H = 3600.0


def at(day: int, hour: float) -> datetime:
    return MON + timedelta(days=day, hours=hour)


def reply(day: int, hour: float) -> Message:
    return Message(at=at(day, hour), author="agent")


def one(tickets, policy, as_of, metric=None):
    out = evaluate_sla(tickets, policy, as_of=as_of).to_dict()
    rows = [
        {k: v[i] for k, v in out.items()}
        for i in range(len(out["status"]))
        if metric is None or out["metric"][i] == metric
    ]
    assert len(rows) == 1, rows
    return rows[0]


def first_reply_policy(hours: float, calendar=CAL) -> SlaPolicy:
    return SlaPolicy(
        name="std", calendar=calendar, targets=[SlaTarget(metric="first_reply", within=hours * H)]
    )


def test_created_before_opening_hours_starts_counting_at_opening():
    ticket = Ticket(id="early", created_at=at(0, 7), interactions=[reply(0, 10.5)])
    row = one([ticket], first_reply_policy(2), at(1, 0))
    assert row["due_at"] == at(0, 11)
    assert row["status"] == "achieved"
    assert row["business_time_used"] == timedelta(hours=1.5)
    assert row["time_left"] == timedelta(minutes=30)


def test_due_exactly_at_closing_time_and_a_reply_at_the_next_opening_is_late():
    on_time = Ticket(id="a", created_at=at(0, 15), interactions=[reply(0, 17)])
    next_day = Ticket(id="b", created_at=at(0, 15), interactions=[reply(1, 9)])
    row = one([on_time], first_reply_policy(2), at(2, 0))
    assert (row["due_at"], row["status"]) == (at(0, 17), "achieved")
    row = one([next_day], first_reply_policy(2), at(2, 0))
    # Same business time used (2 h) but the reply came after the due instant.
    assert (row["due_at"], row["status"]) == (at(0, 17), "breached")
    assert row["business_time_used"] == timedelta(hours=2)
    assert row["time_left"] == timedelta(0)


def test_paused_and_resumed_moves_the_due_time_by_the_paused_business_time():
    # Pending from Monday 10:00 to Tuesday 10:00 pauses 7 business hours.
    ticket = Ticket(
        id="p",
        created_at=at(0, 9),
        status_changes=[
            StatusChange(at=at(0, 10), status="pending"),
            StatusChange(at=at(1, 10), status="open"),
            StatusChange(at=at(1, 12), status="solved"),
        ],
    )
    policy = SlaPolicy(name="std", calendar=CAL, targets=[SlaTarget("resolution", 4 * H)])
    row = one([ticket], policy, at(2, 0))
    assert row["due_at"] == at(1, 13)
    assert row["status"] == "achieved"
    assert row["business_time_used"] == timedelta(hours=3)
    # Live, while pending: paused, and the due time is not known to move yet.
    live = one([ticket], policy, at(0, 15))
    assert live["status"] == "paused"
    assert live["business_time_used"] == timedelta(hours=1)
    assert live["time_left"] == timedelta(hours=3)


def test_breached_then_completed_has_negative_time_left():
    ticket = Ticket(id="late", created_at=at(0, 9), interactions=[reply(0, 12)])
    row = one([ticket], first_reply_policy(1), at(1, 0))
    assert (row["status"], row["due_at"], row["completed_at"]) == ("breached", at(0, 10), at(0, 12))
    assert row["time_left"] == timedelta(hours=-2)
    # Live at 11:00, before the reply: already breached, one hour over.
    live = one([ticket], first_reply_policy(1), at(0, 11))
    assert (live["status"], live["completed_at"]) == ("breached", None)
    assert live["time_left"] == timedelta(hours=-1)


PRIORITY_POLICY = SlaPolicy(
    name="prio",
    calendar=None,
    targets=[
        SlaTarget("first_reply", 8 * H, "normal"),
        SlaTarget("first_reply", 2 * H, "urgent"),
    ],
)


def _raised(hour: float, replied: float) -> Ticket:
    return Ticket(
        id="r",
        created_at=at(0, 9),
        interactions=[reply(0, replied)],
        priority_changes=[
            PriorityChange(at=at(0, 9), priority="normal"),
            PriorityChange(at=at(0, hour), priority="urgent"),
        ],
    )


def test_priority_raised_midway_keeps_the_elapsed_time():
    # Raised at 10:00 with 1 h used: the urgent 2 h target is due at 11:00.
    row = one([_raised(10, 10.5)], PRIORITY_POLICY, at(1, 0))
    assert (row["due_at"], row["status"], row["priority"]) == (at(0, 11), "achieved", "urgent")
    assert row["target"] == timedelta(hours=2)


def test_priority_raised_after_the_new_target_has_passed_breaches_at_the_change():
    row = one([_raised(12, 13)], PRIORITY_POLICY, at(1, 0))
    assert (row["due_at"], row["status"]) == (at(0, 12), "breached")
    assert row["time_left"] == timedelta(hours=-1)


def test_priority_changes_after_as_of_are_not_known_yet():
    row = one([_raised(12, 13)], PRIORITY_POLICY, at(0, 11))
    assert (row["status"], row["priority"], row["due_at"]) == ("active", "normal", at(0, 17))


def test_reopened_after_resolution_is_one_instance_that_skips_the_solved_time():
    ticket = Ticket(
        id="re",
        created_at=at(0, 9),
        status_changes=[
            StatusChange(at=at(0, 10), status="solved"),
            StatusChange(at=at(0, 12), status="open"),
            StatusChange(at=at(0, 14), status="solved"),
        ],
    )
    policy = SlaPolicy(name="std", targets=[SlaTarget("resolution", 4 * H)])
    row = one([ticket], policy, at(1, 0))
    assert (row["status"], row["completed_at"], row["due_at"]) == ("achieved", at(0, 14), at(0, 15))
    assert row["business_time_used"] == timedelta(hours=3)
    # Between the first solve and the reopen the first solve is the completion.
    assert one([ticket], policy, at(0, 11))["completed_at"] == at(0, 10)
    live = one([ticket], policy, at(0, 13))
    assert (live["status"], live["completed_at"], live["time_left"]) == (
        "active",
        None,
        timedelta(hours=2),
    )


def test_next_reply_counts_from_the_oldest_unanswered_customer_message():
    ticket = Ticket(
        id="n",
        created_at=at(0, 9),
        interactions=[
            reply(0, 9.5),
            Message(at=at(0, 10), author="customer"),
            Message(at=at(0, 10.5), author="customer"),
            reply(0, 12),
            Message(at=at(0, 13), author="customer"),
            reply(0, 13.5),
        ],
    )
    policy = SlaPolicy(name="std", targets=[SlaTarget("next_reply", 1 * H)])
    out = evaluate_sla([ticket], policy, as_of=at(1, 0)).to_dict()
    assert out["start_at"] == [at(0, 10), at(0, 13)]
    assert out["status"] == ["breached", "achieved"]
    assert out["instance"] == [0, 1]


def test_policy_set_first_match_wins_and_unmatched_tickets_are_reported():
    fast = SlaPolicy(name="chat", targets=[SlaTarget("first_reply", 60)]).when(channel="chat")
    vip = SlaPolicy(name="vip", targets=[SlaTarget("first_reply", 2 * H)]).when(tags="vip")
    tickets = [
        Ticket(id="both", created_at=at(0, 9), channel="chat", tags=["vip"]),
        Ticket(id="vip", created_at=at(0, 9), tags=["vip"]),
        Ticket(id="none", created_at=at(0, 9)),
    ]
    out = evaluate_sla(tickets, SlaPolicySet(policies=[fast, vip]), as_of=at(0, 10)).to_dict()
    assert out["ticket_id"] == ["both", "vip", "none"]
    assert out["policy"] == ["chat", "vip", None]
    assert out["status"] == ["breached", "active", "no_policy"]


def test_calendar_time_target_ignores_the_calendar():
    policy = SlaPolicy(
        name="std", calendar=CAL, targets=[SlaTarget("first_reply", 2 * H, business_hours=False)]
    )
    row = one([Ticket(id="c", created_at=at(0, 16))], policy, at(0, 17))
    assert (row["due_at"], row["status"]) == (at(0, 18), "active")


def test_ticket_created_after_as_of_and_ticket_without_target():
    policy = SlaPolicy(name="std", targets=[SlaTarget("first_reply", H, "urgent")])
    out = evaluate_sla(
        [Ticket(id="later", created_at=at(1, 9)), Ticket(id="low", created_at=at(0, 9))],
        policy,
        as_of=at(0, 12),
    ).to_dict()
    assert out["status"] == ["not_started", "no_target"]


def test_solved_without_a_solve_time_is_undetermined():
    ticket = Ticket(id="u", created_at=at(0, 9), status="solved")
    policy = SlaPolicy(name="std", targets=[SlaTarget("resolution", H)])
    row = one([ticket], policy, at(1, 0))
    assert row["status"] == "undetermined" and row["due_at"] is None


def test_exports_to_pandas_and_polars():
    ticket = Ticket(id="e", created_at=at(0, 9), interactions=[reply(0, 10)])
    out = evaluate_sla([ticket], first_reply_policy(2), as_of=at(1, 0))
    frame = out.to_pandas()
    assert (
        str(frame["due_at"].dtype).startswith("datetime64") and str(frame["due_at"].dt.tz) == "UTC"
    )
    assert frame["time_left"].iloc[0] == np.timedelta64(3600, "s")
    assert out.to_polars()["status"].to_list() == ["achieved"]


# --- bad input ---------------------------------------------------------------------


def test_target_must_be_positive():
    with pytest.raises(ValidationError, match="positive duration"):
        SlaTarget("first_reply", 0)
    with pytest.raises(ValidationError, match="positive duration"):
        SlaTarget("first_reply", "-PT1H")


def test_unknown_metric_and_priority():
    with pytest.raises(ValidationError, match="metric"):
        SlaTarget("first_response", 60)
    with pytest.raises(ValidationError, match="priority"):
        SlaTarget("first_reply", 60, "critical")


def test_pause_status_must_exist():
    with pytest.raises(SlaError, match="'waiting' does not exist"):
        SlaPolicy(name="x", targets=[SlaTarget("resolution", 60)], pause_statuses=["waiting"])
    with pytest.raises(SlaError, match="cannot be a pause status"):
        SlaPolicy(name="x", targets=[SlaTarget("resolution", 60)], pause_statuses=["solved"])


def test_calendar_that_never_opens():
    closed = BusinessCalendar("UTC", {})
    with pytest.raises(SlaError, match="never opens"):
        SlaPolicy(name="x", calendar=closed, targets=[SlaTarget("resolution", 60)])
    # Calendars without never_open are probed over a year.
    with pytest.raises(SlaError, match="never opens"):
        SlaPolicy(name="x", calendar=NeverOpen(), targets=[SlaTarget("resolution", 60)])
    with pytest.raises(SlaError, match="has no business_seconds"):
        SlaPolicy(name="x", calendar="24/7", targets=[SlaTarget("resolution", 60)])
    # Calendar-time targets do not need it open.
    SlaPolicy(
        name="x", calendar=closed, targets=[SlaTarget("resolution", 60, business_hours=False)]
    )


def test_ambiguous_targets():
    with pytest.raises(SlaError, match="two targets"):
        SlaPolicy(name="x", targets=[SlaTarget("resolution", 60), SlaTarget("resolution", 90)])
    with pytest.raises(SlaError, match="mixes business-hours and calendar-time"):
        SlaPolicy(
            name="x",
            calendar=CAL,
            targets=[
                SlaTarget("resolution", 60, "low"),
                SlaTarget("resolution", 90, "high", business_hours=False),
            ],
        )
    with pytest.raises(SlaError, match="no targets"):
        SlaPolicy(name="x", targets=[])


def test_as_of_must_be_aware():
    policy = first_reply_policy(1)
    with pytest.raises(InvalidParameterError, match="naive"):
        evaluate_sla([], policy, as_of=datetime(2024, 3, 4))


def test_not_a_policy():
    with pytest.raises(SlaError, match="expected an SlaPolicy"):
        evaluate_sla([], "standard", as_of=MON)  # type: ignore[arg-type]


def test_policies_are_hashable_and_immutable():
    a, b = first_reply_policy(1), first_reply_policy(1)
    assert a == b and hash(a) == hash(b)
    with pytest.raises(ValidationError):
        a.name = "other"  # type: ignore[misc]


def test_policies_from_plain_data_are_checked_like_built_ones():
    data = first_reply_policy(1).model_dump()
    rebuilt = SlaPolicySet(policies=[data])
    assert rebuilt.policies[0] == first_reply_policy(1)
    data["pause_statuses"] = ("waiting",)
    with pytest.raises(SlaError, match="does not exist"):
        SlaPolicySet(policies=[data])


def test_identifiers_export_as_strings_and_statuses_as_categoricals():
    tickets = [Ticket(id=f"T{i}", created_at=at(0, 9)) for i in range(3)]
    frame = evaluate_sla(tickets, first_reply_policy(1), as_of=at(0, 9.5)).to_pandas()
    assert frame["ticket_id"].tolist() == ["T0", "T1", "T2"]
    assert str(frame["ticket_id"].dtype) != "category"
    assert str(frame["status"].dtype) == "category"


def test_old_instant_column_names_still_read_with_a_warning() -> None:
    from cxmetrics.exceptions import CXMetricsDeprecationWarning

    ticket = Ticket(
        id="T1", created_at=at(0, 9), interactions=[Message(at=at(0, 10), author="agent")]
    )
    out = evaluate_sla(
        [ticket], SlaPolicy("p", None, [SlaTarget("first_reply", "PT2H")]), as_of=at(0, 12)
    )
    for old, new in (("due", "due_at"), ("start", "start_at")):
        with pytest.warns(
            CXMetricsDeprecationWarning, match=f"'{old}' column is now called '{new}'"
        ):
            assert out[old].tolist() == out[new].tolist()


# Issue 13: durations that pydantic reads wrongly or with an unhelpful message.
@pytest.mark.parametrize(
    ("within", "message"),
    [("4h", r'not an ISO 8601 duration; write e.g. "PT4H"'), ("P1M", "months or years"),
     ("P1Y", "months or years")],
)  # fmt: skip
def test_sla_within_names_the_fix(within: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SlaTarget(metric="first_reply", within=within)


@pytest.mark.parametrize(
    ("within", "seconds"), [("PT4H", 14400), ("P2D", 172800), ("04:00:00", 14400), (60, 60)]
)
def test_sla_within_readable_forms(within: object, seconds: int) -> None:
    assert SlaTarget(metric="first_reply", within=within).within.total_seconds() == seconds
