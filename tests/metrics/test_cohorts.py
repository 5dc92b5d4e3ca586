"""Cohort retention table: hand examples for both activity rules, segments, oracle."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given

from cxmetrics import Customer, InvalidParameterError
from cxmetrics.metrics.cohorts import cohort_retention

from tests.metrics.cc_strategies import customer_lists

UTC = timezone.utc


def day(month: int, d: int, year: int = 2024) -> datetime:
    return datetime(year, month, d, tzinfo=UTC)


AS_OF = day(4, 15)


def _customers() -> list[Customer]:
    return [
        Customer(id=1, since=day(1, 5), segment="pro"),
        Customer(id=2, since=day(1, 9), until=day(2, 14), segment="basic"),
        Customer(id=3, since=day(1, 20), until=day(3, 1), segment="pro"),  # leaves at 1 Mar 00:00
        Customer(id=4, since=day(2, 2), until=day(2, 20), segment="basic"),
        Customer(id=5, since=day(2, 28), segment="pro"),
        Customer(id=6, since=day(5, 1), segment="pro"),  # after as_of: ignored
    ]


def test_active_during_the_month_by_hand() -> None:
    table = cohort_retention(_customers(), as_of=AS_OF)
    assert table.columns == ("cohort", "months_since", "customers", "active", "retention")
    assert table.rows == (
        ("2024-01", 0, 3, 3, 1.0),
        ("2024-01", 1, 3, 3, 1.0),  # 2 and 3 were still there for part of February
        ("2024-01", 2, 3, 1, 1 / 3),  # 3 left at the very start of March
        ("2024-01", 3, 3, 1, 1 / 3),  # April is observed: it has started
        ("2024-02", 0, 2, 2, 1.0),
        ("2024-02", 1, 2, 1, 0.5),
        ("2024-02", 2, 2, 1, 0.5),
    )


def test_active_at_month_end_by_hand() -> None:
    table = cohort_retention(_customers(), as_of=AS_OF, active="end")
    assert [(c, k, r) for c, k, _, _, r in table.rows] == [
        ("2024-01", 0, 1.0),
        ("2024-01", 1, 1 / 3),
        ("2024-01", 2, 1 / 3),  # April has not ended on 15 April: not observed
        ("2024-02", 0, 0.5),  # 4 left on 20 February
        ("2024-02", 1, 0.5),
    ]


def test_by_segment_and_max_months() -> None:
    table = cohort_retention(_customers(), as_of=AS_OF, by_segment=True, max_months=1)
    assert table.columns[0] == "segment"
    assert [row[:5] for row in table.rows] == [
        ("basic", "2024-01", 0, 1, 1),
        ("basic", "2024-01", 1, 1, 1),
        ("basic", "2024-02", 0, 1, 1),
        ("basic", "2024-02", 1, 1, 0),
        ("pro", "2024-01", 0, 2, 2),
        ("pro", "2024-01", 1, 2, 2),
        ("pro", "2024-02", 0, 1, 1),
        ("pro", "2024-02", 1, 1, 1),
    ]


def test_months_are_read_in_the_timezone() -> None:
    # 31 Jan 23:30 UTC is already February in Paris.
    late = datetime(2024, 1, 31, 23, 30, tzinfo=UTC)
    customers = [Customer(id=1, since=late)]
    assert cohort_retention(customers, as_of=AS_OF).rows[0][0] == "2024-01"
    assert cohort_retention(customers, as_of=AS_OF, timezone="Europe/Paris").rows[0][0] == "2024-02"


def test_wide_layout_is_the_triangle() -> None:
    pytest.importorskip("pandas")
    wide = cohort_retention(_customers(), as_of=AS_OF).to_pandas(layout="wide")
    assert list(wide.index) == ["2024-01", "2024-02"]
    assert wide.loc["2024-02", 2] == 0.5
    assert wide.isna().sum().sum() == 1  # February's cohort has no month 3 yet


def test_bad_parameters() -> None:
    with pytest.raises(InvalidParameterError, match=r"'as_of' parameter .* timezone-aware"):
        cohort_retention([], as_of=datetime(2024, 1, 1))
    with pytest.raises(InvalidParameterError, match="'active' parameter"):
        cohort_retention([], as_of=AS_OF, active="start")  # type: ignore[arg-type]
    assert len(cohort_retention([], as_of=AS_OF)) == 0


def _month(at: datetime) -> int:
    return at.year * 12 + at.month - 1


def _month_start(month: int) -> datetime:
    return datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC)


@given(customer_lists)
def test_during_matches_a_month_by_month_loop(customers: list[Customer]) -> None:
    as_of = datetime(2024, 6, 10, tzinfo=UTC)
    table = cohort_retention(customers, as_of=as_of)
    seen = [c for c in customers if c.since <= as_of]
    expected = []
    for cohort in sorted({_month(c.since) for c in seen}):
        members = [c for c in seen if _month(c.since) == cohort]
        for k in range(_month(as_of) - cohort + 1):
            start, end = _month_start(cohort + k), _month_start(cohort + k + 1)
            active = sum(c.since < end and (c.until is None or c.until > start) for c in members)
            label = f"{cohort // 12:04d}-{cohort % 12 + 1:02d}"
            expected.append((label, k, len(members), active, active / len(members)))
    assert list(table.rows) == expected


@given(customer_lists)
def test_end_is_never_above_during(customers: list[Customer]) -> None:
    as_of = datetime(2024, 6, 10, tzinfo=UTC) + timedelta(days=3)
    during = {(c, k): a for c, k, _, a, _ in cohort_retention(customers, as_of=as_of).rows}
    end = cohort_retention(customers, as_of=as_of, active="end")
    for cohort, k, _, active, _ in end.rows:
        assert active <= during[(cohort, k)]
