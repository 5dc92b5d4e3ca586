"""two_touch_rate and unassigned_time: the shared contract, hand examples, and the columns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given

from cxmetrics import (
    Assignment,
    BusinessCalendar,
    Message,
    StatusChange,
    Ticket,
    TwoTouchRate,
    UnassignedTime,
    ticket_metrics,
    two_touch_rate,
    unassigned_time,
)

from ..strategies import generated_tickets, ticket_lists
from .contract import MetricContract

tickets = generated_tickets()
T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)  # a Monday


class TestTwoTouchRate(MetricContract):
    metric_cls, function, items = TwoTouchRate, two_touch_rate, tickets


class TestUnassignedTime(MetricContract):
    metric_cls, function, items = UnassignedTime, unassigned_time, tickets
    params = {"statistic": "median"}


def _solved(ident: int, replies: int) -> Ticket:
    return Ticket(
        id=ident,
        created_at=T0,
        interactions=[
            Message(at=T0 + timedelta(minutes=m + 1), author="agent") for m in range(replies)
        ],
        status_changes=[StatusChange(at=T0 + timedelta(hours=1), status="solved")],
    )


def test_two_touch_rate_by_hand() -> None:
    items = [
        _solved(1, 2),
        _solved(2, 2),
        _solved(3, 1),
        _solved(4, 0),
        Ticket(id=5, created_at=T0),
    ]
    assert two_touch_rate(items) == pytest.approx(2 / 4)  # the open ticket counts neither way


def test_unassigned_time_by_hand_in_calendar_and_business_time() -> None:
    items = [
        Ticket(id=1, created_at=T0, assignments=[Assignment(at=T0 + timedelta(hours=2), agent_id="a")]),
        Ticket(id=2, created_at=T0 - timedelta(hours=12), assignments=[
            Assignment(at=T0 - timedelta(hours=11), group="g"),  # a group only: still unassigned
            Assignment(at=T0 + timedelta(hours=1), agent_id="b")]),
        Ticket(id=3, created_at=T0),  # never assigned: excluded
    ]  # fmt: skip
    assert unassigned_time(items) == timedelta(hours=(2 + 13) / 2)
    office = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})  # ticket 2 waits from 21:00 Sunday
    assert unassigned_time(items, calendar=office) == timedelta(hours=(2 + 1) / 2)
    result = UnassignedTime()
    result.update(items)
    assert result.compute().details["excluded"] == 1


@given(ticket_lists())
def test_the_aggregates_read_the_columns(items: list[Ticket]) -> None:
    table = ticket_metrics(items)
    resolved = np.asarray(table["resolved"], dtype=bool)
    if resolved.any():
        expected = np.asarray(table["two_touch"])[resolved].mean()
        assert two_touch_rate(items) == pytest.approx(expected)
    values = np.asarray(table["unassigned"])
    values = values[~np.isnan(values)]
    if values.size:
        assert unassigned_time(items).total_seconds() == pytest.approx(values.mean(), abs=1e-6)
