"""Fractional agents: Erlang B against Jagerman's integral, continuity and order laws."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad

from cxmetrics.staffing import ErlangA, ErlangC, erlang_b


def jagerman_erlang_b(servers: float, load: float) -> float:
    """Independent formula: 1 / B(x, A) = A ∫_0^∞ e^{-A t} (1 + t)^x dt (Jagerman 1974).

    Valid for real ``servers``; integrated numerically with scipy's QUADPACK, around
    the peak of the integrand at t = x / A - 1 so that the quadrature sees it.
    """
    peak = max(0.0, servers / load - 1.0)
    log_peak = -load * peak + servers * math.log1p(peak)

    def integrand(t: float) -> float:
        return math.exp(-load * t + servers * math.log1p(t) - log_peak)

    pieces = [quad(integrand, 0.0, peak)[0]] if peak > 0 else []
    pieces.append(quad(integrand, peak, math.inf, limit=200)[0])
    return 1.0 / (load * math.exp(log_peak) * sum(pieces))


@given(st.floats(0.01, 60.0), st.floats(0.1, 60.0))
def test_erlang_b_matches_jagerman_integral(servers: float, load: float) -> None:
    assert erlang_b(servers, load) == pytest.approx(jagerman_erlang_b(servers, load), rel=1e-7)


def test_published_value() -> None:
    # 1 / B(0.5, 8) = e^8 8^-0.5 Γ(1.5, 8), Γ(1.5, x) = √x e^-x + (√π / 2) erfc(√x).
    inverse = (
        math.exp(8.0)
        / math.sqrt(8.0)
        * (math.sqrt(8.0) * math.exp(-8.0) + math.sqrt(math.pi) / 2.0 * math.erfc(math.sqrt(8.0)))
    )
    assert erlang_b(0.5, 8.0) == pytest.approx(1.0 / inverse, rel=1e-12)
    assert erlang_b(10.5, 8.0) == pytest.approx(0.100106093106, rel=1e-10)


@given(st.integers(1, 200), st.floats(0.1, 150.0))
def test_continuous_at_whole_numbers(agents: int, load: float) -> None:
    whole = erlang_b(agents, load)
    assert erlang_b(agents - 1e-9, load) == pytest.approx(whole, rel=1e-6, abs=1e-300)
    assert erlang_b(agents + 1e-9, load) == pytest.approx(whole, rel=1e-6, abs=1e-300)
    assert erlang_b(float(agents), load) == whole  # 12.0 takes the integer path


@given(st.floats(0.05, 80.0), st.floats(0.1, 60.0))
def test_blocking_falls_with_agents(agents: float, load: float) -> None:
    assert 0.0 <= erlang_b(agents + 0.25, load) <= erlang_b(agents, load) <= 1.0


@given(st.floats(0.1, 0.9))
def test_erlang_c_and_a_between_whole_neighbours(part: float) -> None:
    c = ErlangC(100, 1800, 180)  # 10 Erlangs
    a = ErlangA(100, 1800, 180, 120)
    for queue_level in (
        lambda n: c.service_level(n, 20),
        lambda n: a.service_level(n, 20),
        lambda n: -a.abandonment_probability(n),
    ):
        low, mid, high = queue_level(12), queue_level(12 + part), queue_level(13)
        assert low - 1e-12 <= mid <= high + 1e-12
    assert c.occupancy(12.5) == pytest.approx(10 / 12.5)
    assert c.average_speed_of_answer(12.5) < c.average_speed_of_answer(12)
