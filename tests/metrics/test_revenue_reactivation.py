"""Net revenue churn with reactivation netted (ChartMogul's net MRR churn).

The worked example is ChartMogul's own ("Chart: Net MRR Churn Rate", Standard
formula): $100 MRR at the start of the month, $10 lost to churn and $10 to
contraction, one customer up by $10, no reactivation: net MRR churn 10%.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.metrics.revenue_churn import RevenueChurn, reactivated, revenue_churn_rate
from cxmetrics.models.customer import Customer
from cxmetrics.tables.inputs import customer_columns

UTC = timezone.utc
START, END = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
OLD = datetime(2023, 1, 1, tzinfo=UTC)


def day(d: int, month: int = 1, year: int = 2024) -> datetime:
    return datetime(year, month, d, tzinfo=UTC)


def chartmogul_month() -> list[Customer]:
    """$100 at the start: a $10 customer churns, a $40 one contracts by $10, a $50 one expands by $10."""
    return [
        Customer(id="churns", since=OLD, revenue=10, until=day(12)),
        Customer(id="shrinks", since=OLD, revenue=40, revenue_changes=[{"at": day(8), "revenue": 30}]),
        Customer(id="grows", since=OLD, revenue=50, revenue_changes=[{"at": day(20), "revenue": 60}]),
    ]  # fmt: skip


def test_chartmogul_worked_example() -> None:
    customers = chartmogul_month()
    assert revenue_churn_rate(customers, window=(START, END)) == pytest.approx(0.20)  # gross
    assert revenue_churn_rate(
        customers, window=(START, END), kind="net", reactivation=True
    ) == pytest.approx(0.10)


def test_a_returning_customer_is_netted_as_reactivation() -> None:
    # "lapsed" churned in November and comes back on 15 January paying $25.
    customers = [
        *chartmogul_month(),
        Customer(id="lapsed", since=day(1, 6, 2023), until=day(1, 11, 2023), revenue=20),
        Customer(id="lapsed", since=day(15), revenue=25),
        Customer(id="brand_new", since=day(16), revenue=70),  # new business: never netted
    ]
    without = revenue_churn_rate(customers, window=(START, END), kind="net")
    with_reactivation = revenue_churn_rate(
        customers, window=(START, END), kind="net", reactivation=True
    )
    assert without == pytest.approx(0.10)
    assert with_reactivation == pytest.approx((20 - 10 - 25) / 100)  # -15%: net negative churn
    metric = RevenueChurn(window=(START, END), kind="net", reactivation=True)
    metric.update(customers)
    assert metric.compute().details["reactivation"] == 25.0


def test_what_is_not_a_reactivation() -> None:
    customers = [
        Customer(id="a", since=day(1, 6, 2023), until=day(10), revenue=5),  # churns in the period
        Customer(id="a", since=day(12), revenue=5),  # back in the period: a reactivation
        Customer(id="b", since=day(1, 6, 2023), until=day(3, 3), revenue=5),  # still active then
        Customer(id="b", since=day(20), revenue=5),  # overlaps its earlier lifetime: no
        Customer(id="c", since=day(1, 6, 2023), until=day(1, 7, 2023), revenue=5),
        Customer(id="c", since=day(5, 2), revenue=5),  # back after the period: no
    ]
    flags = reactivated(
        customer_columns(customers, owner="test"), START.timestamp(), END.timestamp()
    )
    assert flags.tolist() == [False, True, False, False, False, False]


@given(
    st.lists(
        st.tuples(
            st.integers(0, 3), st.integers(-400, 40), st.integers(1, 200), st.integers(0, 90)
        ),
        max_size=12,
    )
)
def test_partitions_by_customer_merge_to_the_whole(rows: list[tuple[int, int, int, int]]) -> None:
    """Law: with every record of a customer in one partition, merge equals one shot."""
    customers = [
        Customer(
            id=f"c{who}", since=START + timedelta(days=offset), revenue=revenue,
            until=START + timedelta(days=offset + length) if length else None,
        )
        for who, offset, revenue, length in rows
    ]  # fmt: skip
    params = {"window": (START, END), "kind": "net", "reactivation": True, "zero_division": 0.0}
    whole = RevenueChurn(**params)
    whole.update(customers)
    parts = [RevenueChurn(**params) for _ in range(2)]
    for part, keep in zip(parts, ({"c0", "c1"}, {"c2", "c3"}), strict=True):
        part.update([c for c in customers if c.id in keep])
    parts[0].merge(parts[1])
    merged = parts[0]
    assert merged.compute().value == pytest.approx(whole.compute().value, nan_ok=True)
    assert merged.compute().details["reactivation"] == pytest.approx(
        whole.compute().details["reactivation"]
    )
