"""Solved per period and the status breakdown, by hand and against the records."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from cxmetrics import StatusChange, Ticket, solved_per_period, status_breakdown
from cxmetrics.datasets import load_sample

MONDAY = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)


def _solved(i: int, *days: float) -> Ticket:
    changes = []
    for day in days:
        changes.append(StatusChange(at=MONDAY + timedelta(days=day), status="solved"))
        changes.append(StatusChange(at=MONDAY + timedelta(days=day, hours=1), status="open"))
    changes.pop()  # ends solved
    return Ticket(id=i, created_at=MONDAY, status="solved", status_changes=changes)


def test_a_ticket_counts_once_in_the_week_of_its_first_solve() -> None:
    tickets = [_solved(1, 1), _solved(2, 2, 9), _solved(3, 8), Ticket(id=4, created_at=MONDAY)]
    table = solved_per_period(tickets)
    assert table.rows == (("2024-W10", 2), ("2024-W11", 1))
    assert solved_per_period(tickets, period="month").rows == (("2024-03", 3),)


def test_status_breakdown_matches_the_records() -> None:
    tickets = load_sample().tickets
    table = status_breakdown(tickets).to_dict()
    counts = Counter(t.status for t in tickets)
    assert table["tickets"] == [counts.get(s, 0) for s in table["status"]]
    assert abs(sum(table["share"]) - 1.0) < 1e-12
    closed = sum(
        n for n, state in zip(table["tickets"], table["state"], strict=True) if state == "closed"
    )
    assert closed == counts["solved"] + counts["closed"]
