"""Erlang A (M/M/N+M) against a birth-death direct sum and a uniformised reference."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import InvalidParameterError
from cxmetrics.staffing import ErlangA, ErlangC


def birth_death(lam: float, mu: float, theta: float, n: int, size: int = 3000) -> np.ndarray:
    """Stationary distribution of the number in system, summed directly."""
    p = [1.0]
    for k in range(1, size):
        rate = k * mu if k <= n else n * mu + (k - n) * theta
        p.append(p[-1] * lam / rate)
    probs = np.array(p)
    return probs / probs.sum()


def reference_tail(lam: float, mu: float, theta: float, n: int, t: float) -> float:
    """P(V > t): queue position j seen on arrival, then j+1 exponential phases.

    The phases have rates n mu + i theta (i = j … 0); the pure-death chain is
    solved by uniformisation, a Poisson mixture of a discrete chain.
    """
    p = birth_death(lam, mu, theta, n)
    jmax = 80
    rates = n * mu + theta * np.arange(jmax + 1)  # rate with i customers ahead
    uniform = rates.max()
    leave = rates / uniform
    # Row j: start with j + 1 phases left (column = phases left, 0 = answered).
    state = np.zeros((jmax, jmax + 2))
    state[np.arange(jmax), np.arange(jmax) + 1] = 1.0
    if t == 0:
        return float(p[n : n + jmax].sum())
    alive = np.zeros(jmax)
    log_rate = math.log(uniform * t)
    for k in range(600):
        weight = math.exp(-uniform * t + k * log_rate - math.lgamma(k + 1))
        alive += weight * state[:, 1:].sum(axis=1)
        step = np.zeros_like(state)
        step[:, 1:] += state[:, 1:] * (1.0 - leave)
        step[:, :-1] += state[:, 1:] * leave
        step[:, 0] += state[:, 0]
        state = step
    return float(np.dot(p[n : n + jmax], alive))


def test_matches_birth_death_direct_sum() -> None:
    for arrivals, aht, patience, agents in [
        (100, 180, 120, 8),
        (100, 180, 120, 12),
        (40, 300, 60, 3),
    ]:
        lam, mu, theta = arrivals / 1800, 1 / aht, 1 / patience
        p = birth_death(lam, mu, theta, agents)
        queue_length = float(np.sum(np.maximum(np.arange(p.size) - agents, 0) * p))
        q = ErlangA(arrivals, 1800, aht, patience)
        assert q.waiting_probability(agents) == pytest.approx(p[agents:].sum(), rel=1e-9)
        assert q.abandonment_probability(agents) == pytest.approx(
            theta * queue_length / lam, rel=1e-9
        )
        assert q.average_wait(agents).total_seconds() == pytest.approx(queue_length / lam, rel=1e-6)


@pytest.mark.parametrize("t", [0.0, 5.0, 20.0, 60.0])
def test_wait_tail_matches_uniformised_reference(t: float) -> None:
    lam, mu, theta, n = 100 / 1800, 1 / 180, 1 / 120, 10
    q = ErlangA(100, 1800, 180, 120)
    expected = reference_tail(lam, mu, theta, n, t)
    assert float(q._tail(n, t)[0]) == pytest.approx(expected, rel=1e-6)


def test_service_level_matches_integrated_reference() -> None:
    lam, mu, theta, n, target = 100 / 1800, 1 / 180, 1 / 120, 10, 20.0
    q = ErlangA(100, 1800, 180, 120)
    grid = np.linspace(0.0, target, 81)
    tail = np.array([reference_tail(lam, mu, theta, n, s) for s in grid])
    f = theta * np.exp(-theta * grid) * tail
    abandoned_in_time = float(np.sum((f[1:] + f[:-1]) / 2 * np.diff(grid)))
    answered_in_time = 1 - math.exp(-theta * target) * tail[-1] - abandoned_in_time
    assert q.service_level(n, target, abandons="offered") == pytest.approx(
        answered_in_time, abs=1e-4
    )
    assert q.service_level(n, target, abandons="short_as_met") == pytest.approx(
        answered_in_time + abandoned_in_time, abs=1e-4
    )
    assert q.service_level(n, target, abandons="exclude_short") == pytest.approx(
        answered_in_time / (1 - abandoned_in_time), abs=1e-4
    )


@settings(max_examples=25)
@given(st.floats(5, 300), st.floats(60, 600), st.floats(10, 900), st.integers(1, 40))
def test_probabilities_in_range_and_monotone(
    arrivals: float, aht: float, patience: float, n: int
) -> None:
    q = ErlangA(arrivals, 1800, aht, patience)
    p_w, p_ab = q.waiting_probability(n), q.abandonment_probability(n)
    assert 0.0 <= p_ab <= p_w <= 1.0
    assert q.waiting_probability(n + 1) <= p_w + 1e-12
    assert q.abandonment_probability(n + 1) <= p_ab + 1e-12
    assert q.service_level(n + 1, 20) >= q.service_level(n, 20) - 1e-9
    assert 0.0 <= q.occupancy(n) <= 1.0


def test_long_patience_approaches_erlang_c() -> None:
    c = ErlangC(100, 1800, 180)
    a = ErlangA(100, 1800, 180, patience=timedelta(days=30))
    assert a.waiting_probability(12) == pytest.approx(c.waiting_probability(12), rel=1e-3)
    assert a.service_level(12, 20, abandons="offered") == pytest.approx(
        c.service_level(12, 20), rel=1e-3
    )
    assert a.average_speed_of_answer(12).total_seconds() == pytest.approx(
        c.average_speed_of_answer(12).total_seconds(), rel=1e-2
    )


def test_erlang_c_overstaffs() -> None:
    c = ErlangC(100, 1800, 180)
    a = ErlangA(100, 1800, 180, patience=120)
    assert a.required_agents(0.8, 20, abandons="offered") <= c.required_agents(0.8, 20)
    assert a.service_level(12, 20, abandons="offered") > c.service_level(12, 20)


@settings(max_examples=15)
@given(st.floats(20, 200), st.floats(60, 400), st.floats(30, 600), st.floats(0.5, 0.9))
def test_required_agents_is_the_least(
    arrivals: float, aht: float, patience: float, level: float
) -> None:
    q = ErlangA(arrivals, 1800, aht, patience)
    n = q.required_agents(level, 20, max_abandonment=0.1, abandons="offered")

    def meets(k: int) -> bool:
        return (
            k >= 1
            and q.service_level(k, 20, abandons="offered") >= level
            and q.abandonment_probability(k) <= 0.1
        )

    assert meets(n) and not meets(n - 1)


def test_overload_is_allowed_and_thousands_of_agents_work() -> None:
    q = ErlangA(30_000, 1800, 180, 120)  # 3000 Erlangs
    assert 0.0 < q.abandonment_probability(2900) < 0.1  # fewer agents than load: callers abandon
    # A service-level target alone lets Erlang A staff below the load: the missing
    # agents show up as abandonment, which is why max_abandonment exists.
    n = q.required_agents(0.8, 20, abandons="offered")
    assert n < 3000 and q.abandonment_probability(n) <= 0.2
    assert math.isfinite(q.average_speed_of_answer(n).total_seconds())
    capped = q.required_agents(0.8, 20, abandons="offered", max_abandonment=0.01)
    assert 2900 < capped < 3100 and q.abandonment_probability(capped) <= 0.01


def test_bad_parameters() -> None:
    with pytest.raises(InvalidParameterError, match="'patience' parameter of ErlangA"):
        ErlangA(10, 1800, 60, 0)
    with pytest.raises(InvalidParameterError, match="'max_abandonment' parameter"):
        ErlangA(10, 1800, 60, 60).required_agents(max_abandonment=1.5)
    with pytest.raises(InvalidParameterError, match="'abandons' parameter"):
        ErlangA(10, 1800, 60, 60).service_level(3, 20, abandons="never")  # type: ignore[arg-type]
