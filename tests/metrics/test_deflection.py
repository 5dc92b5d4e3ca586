"""Deflection against a session-by-session oracle; the self-service ratio by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import Ticket, deflection_rate, self_service_ratio
from cxmetrics.exceptions import CXMetricsError

T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
customers = st.sampled_from(["a", "b", "c", None])
hours = st.integers(0, 96)


@given(
    st.lists(st.tuples(customers, hours), min_size=1, max_size=25),
    st.lists(st.tuples(customers, hours), max_size=25),
    st.integers(0, 48),
)
def test_deflection_equals_the_oracle(sessions: list, tickets: list, within_hours: int) -> None:
    within = timedelta(hours=within_hours)
    rows = [{"customer_id": c, "at": T0 + timedelta(hours=h)} for c, h in sessions]
    records = [Ticket(id=i, created_at=T0 + timedelta(hours=h), customer_id=c)
               for i, (c, h) in enumerate(tickets)]  # fmt: skip
    known = [(c, h) for c, h in sessions if c is not None]
    deflected = [
        not any(tc == c and h <= th <= h + within_hours for tc, th in tickets) for c, h in known
    ]
    result = deflection_rate(rows, records, within=within, zero_division=float("nan"))
    if known:
        assert result == pytest.approx(sum(deflected) / len(known))
    else:
        assert result != result  # nan: no identified session


def test_self_service_ratio_and_errors() -> None:
    tickets = [Ticket(id=i, created_at=T0) for i in range(4)]
    assert self_service_ratio([{"at": T0}] * 10, tickets) == 2.5
    with pytest.raises(CXMetricsError, match="timezone-aware"):
        deflection_rate([{"at": T0.replace(tzinfo=None)}], tickets)
