"""SLA compliance (contract, hand values, groups), at-risk list and breached backlog."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings

from cxmetrics import BusinessCalendar, InvalidParameterError, Message, StatusChange, Ticket
from cxmetrics.sla.compliance import (
    SlaCompliance,
    sla_at_risk,
    sla_breached_backlog,
    sla_compliance,
    sla_compliance_rate,
)
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.policy import SlaPolicy, SlaTarget
from cxmetrics.stats import wilson_interval

from tests.metrics.contract import MetricContract
from tests.sla.strategies import T0, ticket_lists

CAL = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
POLICY = SlaPolicy(
    name="std",
    calendar=CAL,
    targets=[
        SlaTarget("first_reply", 2 * 3600),
        SlaTarget("first_reply", 1800, "urgent"),
        SlaTarget("next_reply", 4 * 3600),
        SlaTarget("resolution", 8 * 3600),
        SlaTarget("periodic_update", 6 * 3600, business_hours=False),
    ],
)
AS_OF = T0 + timedelta(days=6)


class TestSlaCompliance(MetricContract):
    metric_cls, function, items = SlaCompliance, sla_compliance_rate, ticket_lists(max_size=6)
    params = {"policy": POLICY, "as_of": AS_OF}


class TestSlaComplianceGrouped(MetricContract):
    metric_cls, items = SlaCompliance, ticket_lists(max_size=6)
    params = {"policy": POLICY, "as_of": AS_OF, "by": ("metric", "priority", "period")}
    params["period"] = "day"


@settings(max_examples=40)
@given(tickets=ticket_lists(max_size=6))
def test_groups_count_the_outcome_rows(tickets):
    out = evaluate_sla(tickets, POLICY, as_of=AS_OF)
    settled = [
        (m, p, c, s)
        for m, p, c, s in zip(
            out["metric"], out["priority"], out["channel"], out["status"], strict=True
        )
        if s in ("achieved", "breached")
    ]
    expected = Counter((m, p, c) for m, p, c, _ in settled)
    wins = Counter((m, p, c) for m, p, c, s in settled if s == "achieved")
    table = sla_compliance(out, by=["metric", "priority", "channel"])
    got = {
        (m, p, c): (n, a)
        for m, p, c, n, a in zip(
            table["metric"],
            table["priority"],
            table["channel"],
            table["n"],
            table["achieved"],
            strict=True,
        )
    }
    assert got == {key: (n, wins[key]) for key, n in expected.items()}
    total = len(settled)
    rate = sla_compliance_rate(out, zero_division=-1.0)
    assert rate == (sum(wins.values()) / total if total else -1.0)


def _day(day: int, hour: float) -> datetime:
    return datetime(2024, 3, 4, tzinfo=timezone.utc) + timedelta(days=day, hours=hour)


def _ticket(i: str, created: datetime, replied: float | None, channel: str = "email") -> Ticket:
    replies = (
        [] if replied is None else [Message(at=created + timedelta(hours=replied), author="agent")]
    )
    return Ticket(id=i, created_at=created, channel=channel, interactions=replies)


HOURLY = SlaPolicy(name="std", targets=[SlaTarget("first_reply", 3600)])


def test_hand_computed_rate_and_wilson_interval():
    tickets = [
        _ticket("a", _day(0, 9), 0.5),
        _ticket("b", _day(0, 9), 2),  # breached, replied late
        _ticket("c", _day(0, 9), None),  # open and past due: breached
        _ticket("d", _day(0, 11.5), None),  # open, due 12:30: running, not counted
        _ticket("e", _day(0, 9), 1),  # exactly at the due time: achieved
    ]
    metric = SlaCompliance(policy=HOURLY, as_of=_day(0, 12))
    metric.update(tickets)
    result = metric.compute()
    assert (result.value, result.n) == (0.5, 4)
    assert result.interval == wilson_interval(2, 4)
    assert (result.details["achieved"], result.details["breached"]) == (2, 2)


def test_by_period_uses_when_the_verdict_became_known():
    tickets = [
        # Achieved on Tuesday (completion), breached on Monday (due time).
        _ticket("a", _day(0, 23.5), 40 / 60),
        _ticket("b", _day(0, 22), 3),
    ]
    table = sla_compliance(tickets, HOURLY, period="day", as_of=_day(3, 0))
    assert table["period"].tolist() == ["2024-03-04", "2024-03-05"]
    assert table["rate"].tolist() == [0.0, 1.0]
    tokyo = sla_compliance(tickets, HOURLY, period="day", timezone="Asia/Tokyo", as_of=_day(3, 0))
    assert tokyo["period"].tolist() == ["2024-03-05"]
    assert tokyo["n"].tolist() == [2]


def test_by_channel_and_policy_with_intervals():
    tickets = [
        _ticket(str(i), _day(0, 9), 0.5 if i % 3 else 2, "chat" if i < 6 else "email")
        for i in range(9)
    ]
    table = sla_compliance(tickets, HOURLY, by=["policy", "channel"], as_of=_day(1, 0))
    assert table["policy"].tolist() == ["std", "std"]
    assert table["channel"].tolist() == ["chat", "email"]
    assert table["achieved"].tolist() == [4, 2] and table["n"].tolist() == [6, 3]
    low, high = wilson_interval(4, 6)
    assert math.isclose(table["low"][0], low) and math.isclose(table["high"][0], high)
    assert list(table.to_pandas().columns) == [
        "policy",
        "channel",
        "achieved",
        "breached",
        "n",
        "rate",
        "low",
        "high",
    ]


def test_empty_and_bad_parameters():
    with pytest.warns(UserWarning, match="undefined"):
        assert math.isnan(sla_compliance_rate([], HOURLY, as_of=_day(0, 0)))
    with pytest.raises(InvalidParameterError, match="needs a policy"):
        sla_compliance_rate([_ticket("a", _day(0, 9), 1)])
    with pytest.raises(InvalidParameterError, match="'by' parameter"):
        SlaCompliance(policy=HOURLY, by="agent")
    with pytest.raises(InvalidParameterError, match="period"):
        SlaCompliance(policy=HOURLY, by="period")
    with pytest.raises(InvalidParameterError, match="as_of"):
        SlaCompliance(policy=HOURLY, as_of=datetime(2024, 3, 4))


def test_at_risk_lists_active_instances_due_within_the_horizon_soonest_first():
    pending = Ticket(
        id="paused",
        created_at=_day(0, 9),
        status_changes=[StatusChange(at=_day(0, 9.5), status="pending")],
    )
    policy = SlaPolicy(
        name="std",
        targets=[SlaTarget("first_reply", 3600), SlaTarget("resolution", 2 * 3600)],
    )
    tickets = [
        _ticket("late", _day(0, 8), None),  # already breached: backlog, not at risk
        _ticket("soon", _day(0, 9.25), None),
        _ticket("sooner", _day(0, 9), None),
        _ticket("later", _day(0, 9.75), None),
        pending,
    ]
    risk = sla_at_risk(tickets, policy, _day(0, 9.5), within=timedelta(minutes=45))
    # The paused resolution clock is not at risk; its first-reply clock is.
    assert list(zip(risk["ticket_id"], risk["metric"], strict=True)) == [
        ("sooner", "first_reply"),
        ("paused", "first_reply"),
        ("late", "resolution"),
        ("soon", "first_reply"),
    ]
    assert risk["time_to_due"].tolist() == [1800.0, 1800.0, 1800.0, 2700.0]
    backlog = sla_breached_backlog(tickets, policy, _day(0, 9.5))
    assert backlog["ticket_id"].tolist() == ["late"]
    assert backlog["overdue"].tolist() == [1800.0]
    # Outcomes can be passed instead of tickets, at their own instant only.
    out = evaluate_sla(tickets, policy, as_of=_day(0, 9.5))
    assert sla_breached_backlog(out)["ticket_id"].tolist() == ["late"]
    with pytest.raises(InvalidParameterError, match="another instant"):
        sla_at_risk(out, as_of=_day(0, 10))
    with pytest.raises(InvalidParameterError, match="non-negative"):
        sla_at_risk(out, within=-1)


def test_outcome_rows_for_open_tickets_are_not_counted():
    out = evaluate_sla([_ticket("a", _day(0, 9), None)], HOURLY, as_of=_day(0, 9.5))
    assert out["status"].tolist() == ["active"]
    assert sla_compliance_rate(out, zero_division=0.0) == 0.0
    assert len(sla_compliance(out)) == 0
