"""Churn, retention, revenue churn, lifetime: contract, hand examples, per-customer oracle."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cxmetrics import (
    Customer,
    CXMetricsDeprecationWarning,
    InvalidParameterError,
    UndefinedMetricWarning,
)
from cxmetrics.metrics.churn import Churn, churn_rate
from cxmetrics.metrics.lifetime import CustomerLifetime, average_customer_lifetime
from cxmetrics.metrics.retention import Retention, retention_rate
from cxmetrics.metrics.revenue_churn import RevenueChurn, revenue_churn_rate

from tests.metrics.cc_strategies import customer_lists
from tests.metrics.contract import MetricContract

UTC = timezone.utc
START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2024, 2, 1, tzinfo=UTC)
PERIOD = {"window": (START, END)}


def day(month: int, d: int, year: int = 2024, hour: int = 0) -> datetime:
    return datetime(year, month, d, hour, tzinfo=UTC)


# --- contract ---------------------------------------------------------------------------


class TestChurn(MetricContract):
    metric_cls = Churn
    function = churn_rate
    items = customer_lists
    params = PERIOD


@pytest.mark.parametrize(
    "denominator", ["start_all_lost", "start_plus_new", "average", "daily_sum"]
)
def test_contract_other_denominators_merge(denominator: str) -> None:
    # The full contract runs for the default; the other denominators share the state
    # layout, so merging partitions must give the one-shot value for each of them.
    customers = _customers()
    one_shot = Churn(**PERIOD, denominator=denominator)
    one_shot.update(customers)
    merged = Churn(**PERIOD, denominator=denominator)
    for part in (customers[:3], customers[3:6], customers[6:]):
        piece = Churn(**PERIOD, denominator=denominator)
        piece.update(part)
        merged.merge(piece)
    assert merged.compute().value == pytest.approx(one_shot.compute().value)


class TestChurnDailySum(MetricContract):
    metric_cls = Churn
    function = churn_rate
    items = customer_lists
    params = {**PERIOD, "denominator": "daily_sum"}


class TestRetention(MetricContract):
    metric_cls = Retention
    function = retention_rate
    items = customer_lists
    params = PERIOD


class TestRevenueChurnNet(MetricContract):
    metric_cls = RevenueChurn
    function = revenue_churn_rate
    items = customer_lists
    params = {**PERIOD, "kind": "net"}


class TestCustomerLifetime(MetricContract):
    metric_cls = CustomerLifetime
    function = average_customer_lifetime
    items = customer_lists
    params = {"as_of": datetime(2024, 9, 1, tzinfo=UTC)}


# --- hand examples ----------------------------------------------------------------------


def _customers() -> list[Customer]:
    """One month, January 2024, worked by hand in the tests below.

    S (active on Jan 1) = A, B, C, D, I; N (joined in January) = E, F;
    lost among S = B, I (I leaves exactly at the period end); lost among N = E;
    E (active on Feb 1) = A, C, D, F.
    """
    return [
        Customer(id="A", since=day(5, 1, 2023), segment="pro", revenue=100),
        Customer(id="B", since=day(6, 1, 2023), until=day(1, 20), segment="basic", revenue=50),
        Customer(
            id="C",
            since=day(7, 1, 2023),
            segment="basic",
            revenue=50,
            revenue_changes=[{"at": day(1, 15), "revenue": 80}],  # expansion +30
        ),
        Customer(
            id="D",
            since=day(8, 1, 2023),
            segment="pro",
            revenue=200,
            revenue_changes=[{"at": day(1, 10), "revenue": 150}],  # contraction -50
        ),
        Customer(
            id="E",
            since=day(1, 10, hour=12),
            until=day(1, 25, hour=12),
            segment="basic",
            revenue=30,
        ),
        Customer(id="F", since=day(1, 12, hour=12), segment="pro", revenue=40),
        Customer(id="G", since=day(1, 1, 2022), until=day(12, 1, 2023), segment="pro", revenue=9),
        Customer(id="H", since=day(3, 1), segment="pro", revenue=9),  # joins after the period
        Customer(id="I", since=day(1, 1, 2023), until=END, revenue=20),  # no segment
    ]


def test_churn_every_denominator_by_hand() -> None:
    customers = _customers()
    assert churn_rate(customers, window=(START, END)) == pytest.approx(2 / 5)
    # ChartMogul "Standard": every loss of the period over the starting customers.
    assert churn_rate(
        customers, window=(START, END), denominator="start_all_lost"
    ) == pytest.approx(3 / 5)
    assert churn_rate(
        customers, window=(START, END), denominator="start_plus_new"
    ) == pytest.approx(3 / 7)
    # (S + E) / 2 = (5 + 4) / 2
    assert churn_rate(customers, window=(START, END), denominator="average") == pytest.approx(
        3 / 4.5
    )
    # Daily: B lost on Jan 19 (7 active that morning), E on Jan 25 (6), I on Jan 31 (5).
    assert churn_rate(customers, window=(START, END), denominator="daily_sum") == pytest.approx(
        1 / 7 + 1 / 6 + 1 / 5
    )


def test_churn_details_and_segments() -> None:
    metric = Churn(**PERIOD)
    metric.update(_customers())
    result = metric.compute()
    details = result.details
    assert (details["start_customers"], details["new_customers"]) == (5, 2)
    assert (details["lost_from_start"], details["lost_new"], details["end_customers"]) == (2, 1, 4)
    assert result.n == 5
    assert result.interval is not None and result.interval[0] < 0.4 < result.interval[1]
    # pro: A, D kept; basic: B lost, C kept; no segment: I lost.
    assert details["by_segment"] == {"basic": 0.5, "pro": 0.0, None: 1.0}
    assert churn_rate(_customers(), window=(START, END), by_segment=True) == details["by_segment"]


def test_retention_by_hand() -> None:
    customers = _customers()
    # (E - N) / S = (4 - 2) / 5; the new customer E, lost again, pulls it below 1 - churn.
    assert retention_rate(customers, window=(START, END)) == pytest.approx(2 / 5)
    assert retention_rate(customers, window=(START, END), method="cohort") == pytest.approx(3 / 5)
    assert retention_rate(customers, window=(START, END), method="cohort") == pytest.approx(
        1 - churn_rate(customers, window=(START, END))
    )
    # pro: E = {A, D, F}, N = {F}, S = {A, D}; basic: E = {C}, N = {E}, S = {B, C};
    # no segment: E = {}, N = {}, S = {I}.
    assert retention_rate(customers, window=(START, END), by_segment=True) == {
        "basic": 0.0,
        "pro": 1.0,
        None: 0.0,
    }


def test_revenue_churn_gross_and_net_by_hand() -> None:
    customers = _customers()
    # Starting revenue of S: 100 + 50 + 50 + 200 + 20 = 420; churned B + I = 70;
    # contraction D = 50; expansion C = 30. New customers E, F do not count.
    assert revenue_churn_rate(customers, window=(START, END)) == pytest.approx(120 / 420)
    assert revenue_churn_rate(customers, window=(START, END), kind="net") == pytest.approx(90 / 420)
    assert revenue_churn_rate(customers, window=(START, END), by_segment=True) == pytest.approx(
        {"pro": 50 / 300, "basic": 50 / 100, None: 1.0}
    )
    assert revenue_churn_rate(
        customers, window=(START, END), kind="net", by_segment=True
    ) == pytest.approx({"pro": 50 / 300, "basic": 20 / 100, None: 1.0})
    metric = RevenueChurn(**PERIOD)
    metric.update(customers)
    details = metric.compute().details
    assert (details["starting_revenue"], details["churned_revenue"]) == (420, 70)
    assert (details["contraction"], details["expansion"]) == (50, 30)


def test_net_revenue_churn_is_negative_with_expansion() -> None:
    customers = [
        Customer(
            id=1,
            since=day(1, 1, 2023),
            revenue=100,
            revenue_changes=[{"at": day(1, 5), "revenue": 150}],
        ),
        Customer(id=2, since=day(1, 1, 2023), until=day(1, 9), revenue=20),
        Customer(id=3, since=day(1, 1, 2023)),  # revenue unknown: left out
    ]
    assert revenue_churn_rate(customers, window=(START, END)) == pytest.approx(20 / 120)
    assert revenue_churn_rate(customers, window=(START, END), kind="net") == pytest.approx(
        -30 / 120
    )


def test_average_lifetime_by_hand() -> None:
    t0 = day(1, 1)
    as_of = t0 + timedelta(days=100)
    customers = [
        Customer(id="x", since=t0, until=t0 + timedelta(days=10), segment="a"),
        Customer(id="y", since=t0 + timedelta(days=20), until=t0 + timedelta(days=50), segment="b"),
        Customer(id="z", since=t0 + timedelta(days=40), segment="a"),  # 60 days so far
        Customer(id="w", since=t0 + timedelta(days=200), segment="a"),  # after as_of
    ]
    # Exposure: (10 + 30 + 60) days over 2 customers lost.
    assert average_customer_lifetime(customers, as_of=as_of) == timedelta(days=50)
    assert average_customer_lifetime(customers, as_of=as_of, method="churned") == timedelta(days=20)
    assert average_customer_lifetime(customers, as_of=as_of, by_segment=True) == {
        "a": timedelta(days=70),
        "b": timedelta(days=30),
    }
    # Before anyone leaves the lifetime is undefined.
    with pytest.warns(UndefinedMetricWarning):
        value = average_customer_lifetime(customers, as_of=t0 + timedelta(days=5))
    assert isinstance(value, float) and math.isnan(value)
    assert average_customer_lifetime(
        customers, as_of=t0 + timedelta(days=5), zero_division=0.0
    ) == timedelta(0)


def test_empty_segment_is_undefined_not_zero() -> None:
    customers = [
        Customer(id=1, since=day(1, 1, 2023), segment="old"),
        Customer(id=2, since=day(1, 10), segment="new"),  # nobody of "new" at the start
    ]
    with pytest.warns(UndefinedMetricWarning):
        segments = churn_rate(customers, window=(START, END), by_segment=True)
    assert isinstance(segments, dict)
    assert segments["old"] == 0.0 and math.isnan(segments["new"])


# --- bad input --------------------------------------------------------------------------


def test_period_ending_before_it_starts_is_an_error() -> None:
    for function in (churn_rate, retention_rate, revenue_churn_rate):
        with pytest.raises(InvalidParameterError, match=r"'window' parameter .* before it starts"):
            function([], window=(END, START))


def test_the_old_start_end_form_warns_and_gives_the_same_value() -> None:
    customers = _customers()
    for function in (churn_rate, retention_rate, revenue_churn_rate):
        with pytest.warns(CXMetricsDeprecationWarning, match=r"window=\(start, end\)"):
            old = function(customers, START, END)
        assert old == function(customers, window=(START, END))
    with pytest.warns(CXMetricsDeprecationWarning, match="Churn"):
        assert Churn(start=START, end=END).params.window == (START, END)


def test_a_period_given_twice_or_not_at_all_is_an_error() -> None:
    with pytest.raises(InvalidParameterError, match=r"window=.* only"):
        churn_rate([], START, END, window=(START, END))
    with pytest.raises(InvalidParameterError, match=r"needs the period: window=\(start, end\)"):
        churn_rate([])


def test_naive_period_bounds_are_errors() -> None:
    with pytest.raises(InvalidParameterError, match=r"'window' parameter .* start .* is naive"):
        churn_rate([], window=(datetime(2024, 1, 1), END))
    with pytest.raises(InvalidParameterError, match=r"'as_of' parameter .* timezone-aware"):
        average_customer_lifetime([], as_of=datetime(2024, 1, 1))


def test_customer_leaving_before_joining_names_the_customer() -> None:
    with pytest.raises(
        ValidationError, match=r"customer c-42: until .* cannot leave before joining"
    ):
        Customer(id="c-42", since=day(3, 1), until=day(2, 1))


def test_negative_revenue_names_the_customer() -> None:
    with pytest.raises(ValidationError, match=r"customer c-7: revenue -5\.0 must be greater"):
        Customer(id="c-7", since=day(3, 1), revenue=-5)


def test_wrong_item_type_names_its_position() -> None:
    with pytest.raises(TypeError, match="churn_rate expects Customer items; item 1 is dict"):
        churn_rate([Customer(id=1, since=day(1, 1)), {"id": 2}], window=(START, END))


# --- oracle -----------------------------------------------------------------------------


def _oracle(customers: list[Customer], start: datetime, end: datetime) -> dict[str, float]:
    """Counts by a loop over customers, straight from the definitions."""
    s = n = lost_s = lost_n = e = 0
    for c in customers:
        until = c.until or datetime.max.replace(tzinfo=UTC)
        active_at_start = c.since <= start < until
        is_new = start < c.since <= end
        s += active_at_start
        n += is_new
        lost_s += active_at_start and until <= end
        lost_n += is_new and until <= end
        e += c.since <= end < until
    return {"S": s, "N": n, "LS": lost_s, "LN": lost_n, "E": e}


@given(customer_lists, st.integers(0, 400), st.integers(0, 200))
def test_counts_match_the_oracle(customers: list[Customer], offset: int, length: int) -> None:
    start = datetime(2023, 6, 1, tzinfo=UTC) + timedelta(days=offset)
    end = start + timedelta(days=length)
    k = _oracle(customers, start, end)
    assert k["E"] == k["S"] - k["LS"] + k["N"] - k["LN"]
    nan = -1.0

    def expect(num: float, den: float) -> float:
        return num / den if den else nan

    kw = {"zero_division": nan}
    assert churn_rate(customers, window=(start, end), **kw) == pytest.approx(
        expect(k["LS"], k["S"])
    )
    assert churn_rate(
        customers, window=(start, end), denominator="start_all_lost", **kw
    ) == pytest.approx(expect(k["LS"] + k["LN"], k["S"]))
    assert churn_rate(
        customers, window=(start, end), denominator="start_plus_new", **kw
    ) == pytest.approx(expect(k["LS"] + k["LN"], k["S"] + k["N"]))
    assert churn_rate(customers, window=(start, end), denominator="average", **kw) == pytest.approx(
        expect(k["LS"] + k["LN"], (k["S"] + k["E"]) / 2)
    )
    assert retention_rate(customers, window=(start, end), **kw) == pytest.approx(
        expect(k["E"] - k["N"], k["S"])
    )


@given(customer_lists, st.integers(0, 400), st.integers(1, 40))
def test_daily_sum_matches_a_day_by_day_loop(
    customers: list[Customer], offset: int, days: int
) -> None:
    start = datetime(2023, 6, 1, tzinfo=UTC) + timedelta(days=offset)
    end = start + timedelta(days=days)
    total = 0.0
    for d in range(days):
        morning = start + timedelta(days=d)
        evening = min(morning + timedelta(days=1), end)
        active = [
            c for c in customers if c.since <= morning and (c.until is None or c.until > morning)
        ]
        lost = [c for c in active if c.until is not None and c.until <= evening]
        if active:
            total += len(lost) / len(active)
    value = churn_rate(customers, window=(start, end), denominator="daily_sum", zero_division=0.0)
    assert value == pytest.approx(total)


# --- columns ----------------------------------------------------------------------------


def _as_columns(customers: list[Customer]) -> dict[str, list[object]]:
    return {
        "id": [c.id for c in customers],
        "since": [c.since for c in customers],
        "until": [c.until for c in customers],
        "segment": [c.segment for c in customers],
        "revenue": [c.revenue for c in customers],
    }


@given(customer_lists, st.integers(0, 400), st.integers(0, 200))
def test_columns_give_the_same_figures_as_records(
    customers: list[Customer], offset: int, length: int
) -> None:
    start = datetime(2023, 6, 1, tzinfo=UTC) + timedelta(days=offset)
    end = start + timedelta(days=length)
    columns = _as_columns(customers)
    kw = {"zero_division": -1.0, "by_segment": True}
    assert churn_rate(columns, window=(start, end), **kw) == churn_rate(
        customers, window=(start, end), **kw
    )
    assert retention_rate(columns, window=(start, end), **kw) == retention_rate(
        customers, window=(start, end), **kw
    )
    assert revenue_churn_rate(columns, window=(start, end), **kw) == revenue_churn_rate(
        customers, window=(start, end), **kw
    )
    assert average_customer_lifetime(
        columns, as_of=end, zero_division=-1.0
    ) == average_customer_lifetime(customers, as_of=end, zero_division=-1.0)


def test_dataframe_input() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_as_columns(_customers()))
    frame["since"] = pd.to_datetime(frame["since"], utc=True)
    frame["until"] = pd.to_datetime(frame["until"], utc=True)  # NaT while active
    assert churn_rate(frame, window=(START, END)) == pytest.approx(2 / 5)
    assert churn_rate(frame, window=(START, END), by_segment=True) == {
        "basic": 0.5,
        "pro": 0.0,
        None: 1.0,
    }
    # Revenue changes need records: from columns only the base revenue counts.
    assert revenue_churn_rate(frame, window=(START, END)) == pytest.approx(70 / 420)


def test_bad_columns_name_the_customers() -> None:
    columns = {
        "id": ["a", "b", "c"],
        "since": [START, START, START],
        "until": [None, START - timedelta(days=1), None],
        "revenue": [1.0, 2.0, -3.0],
    }
    with pytest.raises(ValueError, match=r"customers row 1 \(id='b'\): customers.until: .*leave"):
        churn_rate(columns, window=(START, END))
    columns["until"] = [None, None, None]
    with pytest.raises(ValueError, match=r"customers row 2 \(id='c'\): customers.revenue"):
        churn_rate(columns, window=(START, END))
    with pytest.raises(ValueError, match=r"customers row 0 \(id='a'\): customers.since: Field"):
        churn_rate({"id": ["a", "b"], "since": [None, START]}, window=(START, END))
    with pytest.raises(ValueError, match=r"customers row 0 \(id='a'\): customers.since: .*no time"):
        churn_rate({"id": ["a"], "since": [datetime(2024, 1, 1)]}, window=(START, END))
    with pytest.raises(ValueError, match="the customers table has no column 'since'"):
        churn_rate({"id": ["a"]}, window=(START, END))
