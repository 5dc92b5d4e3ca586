"""Erlang C against a direct-sum reference; monotonicity and staffing properties."""

from __future__ import annotations

import itertools
import math
from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import InvalidParameterError
from cxmetrics.staffing import ErlangC, UnstableQueueError, erlang_b


def reference_waiting_probability(agents: int, load: float) -> float:
    """The textbook formula, summed exactly with fractions (small N only)."""
    a = Fraction(load)
    terms = [a**k / math.factorial(k) for k in range(agents)]
    top = a**agents / math.factorial(agents) * agents / (agents - a)
    return float(top / (sum(terms) + top))


def reference_service_level(agents: int, load: float, aht: float, target: float) -> float:
    p_wait = reference_waiting_probability(agents, load)
    return 1.0 - p_wait * math.exp(-(agents - load) * target / aht)


loads = st.floats(0.1, 40.0)


@given(loads, st.integers(1, 60))
def test_waiting_probability_matches_direct_sum(load: float, extra: int) -> None:
    agents = math.floor(load) + extra
    queue = ErlangC(load * 10, timedelta(minutes=10), 60)  # A = arrivals x 60 s / 600 s
    assert queue.traffic == pytest.approx(load)
    p = queue.waiting_probability(agents)
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(reference_waiting_probability(agents, queue.traffic), rel=1e-9)


@given(loads, st.integers(0, 300))
def test_service_level_rises_with_agents(load: float, target: int) -> None:
    queue = ErlangC(load, 1, 1)  # A = load
    first = math.floor(load) + 1
    levels = [queue.service_level(n, target) for n in range(first, first + 30)]
    assert all(0.0 <= s <= 1.0 for s in levels)
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(levels))
    asa = [_asa_seconds(queue, n) for n in range(first, first + 30)]
    assert all(b <= a for a, b in itertools.pairwise(asa))


def _asa_seconds(queue: ErlangC, agents: int) -> float:
    """The ASA in seconds, infinite when it overflows a timedelta (agents ≈ load)."""
    try:
        return queue.average_speed_of_answer(agents).total_seconds()
    except UnstableQueueError:
        return math.inf


def test_asa_beyond_a_timedelta_is_an_explicit_error() -> None:
    queue = ErlangC(1.999999999999993, 1, 1)  # A a hair below 2 agents
    with pytest.raises(UnstableQueueError, match="barely exceed"):
        queue.average_speed_of_answer(2)
    assert queue.average_speed_of_answer(3).total_seconds() < 1


@given(
    st.floats(1, 300),
    st.floats(30, 600),
    st.floats(0.5, 0.95),
    st.integers(5, 60),
    st.none() | st.floats(5, 120),
    st.none() | st.floats(0.6, 0.99),
)
def test_required_agents_is_the_least_meeting_every_target(
    arrivals: float,
    aht: float,
    level: float,
    target: int,
    asa: float | None,
    occupancy: float | None,
) -> None:
    queue = ErlangC(arrivals, 1800, aht)

    def meets(n: int) -> bool:
        if n <= queue.traffic:
            return False
        ok = (
            reference_service_level(n, queue.traffic, aht, target) >= level
            if n < 150
            else (queue.service_level(n, target) >= level)
        )
        if asa is not None:
            ok &= queue.average_speed_of_answer(n).total_seconds() <= asa
        if occupancy is not None:
            ok &= queue.occupancy(n) <= occupancy + 1e-12
        return ok

    n = queue.required_agents(level, target, asa=asa, max_occupancy=occupancy)
    assert meets(n)
    assert not meets(n - 1)


def test_known_textbook_values() -> None:
    # 100 calls per half hour, 180 s AHT = 10 Erlangs (the classic worked example).
    queue = ErlangC(100, timedelta(minutes=30), timedelta(minutes=3))
    assert round(queue.waiting_probability(11), 4) == 0.6821
    assert round(queue.waiting_probability(12), 4) == 0.4494
    assert round(queue.service_level(13, 20), 4) == 0.7956
    assert queue.required_agents(0.8, 20) == 14  # DESIGN.md signature
    assert queue.required_agents(0.8, timedelta(seconds=20), max_occupancy=0.7) == 15
    assert queue.occupancy(14) == pytest.approx(10 / 14)
    assert erlang_b(10, 8.0) == pytest.approx(0.121661, abs=1e-6)


def test_shrinkage_grosses_up() -> None:
    queue = ErlangC(100, 1800, 180)
    assert queue.required_agents(0.8, 20, shrinkage=0.3) == math.ceil(14 / 0.7)
    assert queue.required_agents(0.8, 20, shrinkage=0.5) == 28  # exact: no rounding up to 29


def test_thousands_of_agents_are_stable() -> None:
    queue = ErlangC(60_000, 1800, 180)  # 6000 Erlangs
    n = queue.required_agents(0.8, 20)
    assert 6000 < n < 6200
    assert 0.0 < queue.waiting_probability(n) < 1.0
    assert queue.service_level(n, 20) >= 0.8 > queue.service_level(n - 1, 20)
    assert queue.waiting_probability(20_000) == 0.0  # underflows cleanly, no overflow


def test_agents_not_above_load_is_an_explicit_error() -> None:
    queue = ErlangC(100, 1800, 180)
    for method in (queue.waiting_probability, queue.occupancy, queue.average_speed_of_answer):
        with pytest.raises(
            UnstableQueueError, match="10 agents cannot serve a traffic load of 10 Erlangs"
        ):
            method(10)
    with pytest.raises(UnstableQueueError, match="at least 11 agents"):
        queue.service_level(7, 20)
    assert issubclass(UnstableQueueError, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs a target"),
        ({"service_level": 0.8}, "go together"),
        ({"service_level": 1.0, "target": 20}, "'service_level' parameter"),
        ({"asa": 20, "shrinkage": 1.0}, "'shrinkage' parameter"),
        ({"max_occupancy": 0.0}, "'max_occupancy' parameter"),
    ],
)
def test_required_agents_bad_parameters(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        ErlangC(100, 1800, 180).required_agents(**kwargs)


def test_bad_construction_and_agents() -> None:
    with pytest.raises(InvalidParameterError, match="'aht' parameter of ErlangC"):
        ErlangC(10, 1800, 0)
    with pytest.raises(InvalidParameterError, match="'arrivals' parameter"):
        ErlangC(-1, 1800, 60)
    for bad in (0, -1.5, math.nan, math.inf, True, "3"):
        with pytest.raises(InvalidParameterError, match="'agents' parameter"):
            ErlangC(10, 1800, 60).waiting_probability(bad)  # type: ignore[arg-type]


def test_no_traffic() -> None:
    queue = ErlangC(0, 1800, 180)
    assert queue.waiting_probability(1) == 0.0
    assert queue.required_agents(0.8, 20) == 1
