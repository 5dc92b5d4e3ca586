"""staffing_plan against single-interval Erlang C and A, and the totals by hand."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import InvalidParameterError
from cxmetrics.planning import VolumeForecast, staffing_plan
from cxmetrics.staffing import ErlangA, ErlangC

from tests.planning.helpers import MONDAY, given_forecast

HALF_HOUR = 1800.0


def volume(counts: list[float], interval: float = HALF_HOUR) -> VolumeForecast:
    return given_forecast(counts, interval)


@settings(max_examples=60)
@given(
    st.lists(st.one_of(st.just(0.0), st.floats(0.01, 3000.0)), min_size=1, max_size=30),
    st.floats(30.0, 900.0),
    st.sampled_from([(0.8, 20.0), (0.9, 15.0), (0.5, 60.0)]),
    st.sampled_from([None, 0.85]),
)
def test_every_interval_is_single_interval_erlang_c(
    counts: list[float], aht: float, goal: tuple[float, float], max_occupancy: float | None
) -> None:
    plan = staffing_plan(
        volume(counts),
        aht=aht,
        service_level=goal[0],
        target=goal[1],
        max_occupancy=max_occupancy,
    )
    for i, arrivals in enumerate(counts):
        if arrivals == 0:
            assert plan.agents[i] == 0 and plan.service_level[i] == 1.0
            continue
        queue = ErlangC(arrivals, HALF_HOUR, aht)
        expected = queue.required_agents(goal[0], goal[1], max_occupancy=max_occupancy)
        assert plan.agents[i] == expected
        assert plan.traffic[i] == queue.traffic
        assert plan.service_level[i] == pytest.approx(
            queue.service_level(expected, goal[1]), rel=1e-12
        )
        assert plan.asa[i] == pytest.approx(
            queue.average_speed_of_answer(expected).total_seconds(), rel=1e-9, abs=1e-6
        )
        assert plan.occupancy[i] == pytest.approx(queue.occupancy(expected), rel=1e-12)
        assert plan.abandonment[i] == 0.0


def test_asa_goal_matches_erlang_c() -> None:
    counts = [5.0, 80.0, 400.0]
    plan = staffing_plan(volume(counts), aht=240, service_level=None, target=None, asa=15)
    for i, arrivals in enumerate(counts):
        assert plan.agents[i] == ErlangC(arrivals, HALF_HOUR, 240).required_agents(asa=15)


def test_every_interval_is_single_interval_erlang_a() -> None:
    counts = [0.0, 3.0, 40.0, 100.0, 260.0]
    plan = staffing_plan(
        volume(counts), aht=timedelta(minutes=3), model="erlang_a", patience=120, shrinkage=0.3
    )
    for i, arrivals in enumerate(counts):
        if arrivals == 0:
            assert plan.agents[i] == 0
            continue
        queue = ErlangA(arrivals, HALF_HOUR, 180, 120)
        n = queue.required_agents(0.8, 20)
        assert plan.agents[i] == n
        assert plan.scheduled[i] == queue.required_agents(0.8, 20, shrinkage=0.3)
        assert plan.service_level[i] == pytest.approx(queue.service_level(n, 20), rel=1e-12)
        assert plan.abandonment[i] == pytest.approx(queue.abandonment_probability(n), rel=1e-12)
        assert plan.occupancy[i] == pytest.approx(queue.occupancy(n), rel=1e-12)


def test_shrinkage_totals_and_fte_by_hand() -> None:
    counts = [100.0] * 4 + [0.0] * 4  # four busy half hours, four closed
    plan = staffing_plan(volume(counts), aht=180, shrinkage=0.3, hours_per_fte=37.5)
    assert plan.agents.tolist() == [14.0] * 4 + [0.0] * 4  # ErlangC docstring: 14 at 80/20
    assert plan.scheduled.tolist() == [20.0] * 4 + [0.0] * 4  # ceil(14 / 0.7)
    assert plan.agent_hours == 40.0  # 4 half hours x 20 agents
    weeks = 8 * HALF_HOUR / (7 * 86400)
    assert plan.fte == pytest.approx(40.0 / weeks / 37.5)
    assert plan.totals()["contacts"] == 400.0


@pytest.mark.parametrize("model", ["erlang_c", "erlang_a"])
def test_fractional_agents_are_the_least_real_staffing(model: str) -> None:
    counts = [37.0, 100.0, 250.0]
    options = {"aht": 200.0, "model": model, "patience": 90.0}
    whole = staffing_plan(volume(counts), **options)  # type: ignore[arg-type]
    real = staffing_plan(volume(counts), fractional=True, shrinkage=0.2, **options)  # type: ignore[arg-type]
    for i, arrivals in enumerate(counts):
        n = real.agents[i]
        assert whole.agents[i] - 1 < n <= whole.agents[i]
        queue = (
            ErlangC(arrivals, HALF_HOUR, 200.0)
            if model == "erlang_c"
            else ErlangA(arrivals, HALF_HOUR, 200.0, 90.0)
        )
        assert queue.service_level(n, 20) >= 0.8
        if n - 1e-5 > queue.traffic or model == "erlang_a":
            assert queue.service_level(n - 1e-5, 20) < 0.8
        assert real.scheduled[i] == pytest.approx(n / 0.8)
        assert real.service_level[i] == pytest.approx(queue.service_level(n, 20))


def test_aht_and_patience_from_history() -> None:
    # Monday 00:00-00:30 calls of 100 s and 300 s; Monday 00:30 none answered; one abandon.
    at = MONDAY.timestamp()
    history = {
        "at": np.array([at + 60, at + 120, at + 1900, at + 7 * 86400 + 60]),
        "talk": np.array([100.0, 300.0, 0.0, 200.0]),
        "wait": np.array([10.0, 20.0, 90.0, 0.0]),
        "abandoned": np.array([False, False, True, False]),
    }
    forecast = volume([10.0, 10.0])
    forecast = VolumeForecast(**{**forecast.__dict__, "start_at": forecast.start_at + 14 * 86400})
    plan = staffing_plan(forecast, history=history, model="erlang_a")
    assert plan.aht.tolist() == [200.0, 200.0]  # (100 + 300 + 200) / 3; 00:30 falls back to all
    queue = ErlangA(10.0, HALF_HOUR, 200.0, 120.0)  # patience = (10 + 20 + 90 + 0) / 1
    assert plan.agents[0] == queue.required_agents(0.8, 20)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"aht": 180, "model": "erlang_b"}, "'model' parameter"),
        ({"aht": 180, "shrinkage": 1.0}, "'shrinkage' parameter"),
        ({"aht": -1}, "'aht' parameter"),
        ({}, "needs the AHT"),
        ({"aht": 180, "service_level": 0.8, "target": None}, "go together"),
        ({"aht": 180, "model": "erlang_a"}, "needs patience"),
        ({"aht": 180, "hours_per_fte": 0}, "'hours_per_fte' parameter"),
        ({"aht": 180, "max_abandonment": 0.05}, "needs model='erlang_a'"),
    ],
)
def test_bad_parameters(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        staffing_plan(volume([10.0]), **options)  # type: ignore[arg-type]


def test_table() -> None:
    pytest.importorskip("pandas")
    frame = staffing_plan(volume([10.0, 0.0]), aht=180).to_pandas()
    assert frame.index.name == "start_at"
    assert str(frame.index.tz) == "UTC"
    assert list(frame.columns[:5]) == ["forecast", "aht", "traffic", "agents", "scheduled"]
    assert math.isclose(frame["occupancy"].iloc[0], 1.0 / frame["agents"].iloc[0])
