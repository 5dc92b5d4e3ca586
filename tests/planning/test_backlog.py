"""project_backlog against a step-by-step simulation and a slow ticket-by-ticket oracle."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import BusinessCalendar, InvalidParameterError
from cxmetrics.planning import VolumeForecast, project_backlog

from tests.planning.helpers import given_forecast

HOUR = 3600.0


def hourly(counts: list[float], spread: float = 0.2) -> VolumeForecast:
    return given_forecast(counts, HOUR, spread)


def simulate(arrivals: np.ndarray, capacity: np.ndarray, start: float) -> list[float]:
    backlog, out = start, []
    for a, c in zip(arrivals, capacity, strict=True):
        backlog = max(0.0, backlog + a - c)
        out.append(backlog)
    return out


def longest_wait_by_units(arrivals: list[int], capacity: list[int], start: int) -> float:
    """Slow oracle: whole tickets, arriving evenly in their hour, solved evenly in each hour, FIFO."""
    queue = [0.0] * start  # arrival times (hours) of open tickets
    worst = 0.0
    horizon = len(arrivals)
    for hour, (a, c) in enumerate(zip(arrivals, capacity, strict=True)):
        for k in range(a):
            queue.append(hour + k / a)
        for k in range(c):
            if not queue:
                break
            solved_at = hour + (k + 1) / c
            worst = max(worst, solved_at - queue.pop(0))
    for arrived in queue:  # never solved: they have waited at least until the horizon
        worst = max(worst, horizon - arrived)
    return worst


@settings(max_examples=80)
@given(
    st.lists(st.floats(0.0, 50.0), min_size=1, max_size=48),
    st.floats(0.0, 8.0),
    st.floats(0.0, 500.0),
)
def test_backlog_follows_the_recursion(counts: list[float], agents: float, start: float) -> None:
    result = project_backlog(
        hourly(counts), agents=agents, tickets_per_agent_hour=4.0, backlog=start
    )
    capacity = np.full(len(counts), agents * 4.0)
    np.testing.assert_allclose(
        result.backlog, simulate(np.array(counts), capacity, start), atol=1e-6
    )
    assert np.all(result.backlog_low <= result.backlog + 1e-9)
    assert np.all(result.backlog <= result.backlog_high + 1e-9)
    assert result.days_to_clear_low <= result.days_to_clear <= result.days_to_clear_high


def test_days_to_clear_by_hand() -> None:
    result = project_backlog(hourly([10.0] * 72), agents=3, tickets_per_agent_hour=5, backlog=200)
    assert result.days_to_clear == pytest.approx(40 / 24)  # falls by 5 an hour
    assert result.days_to_clear_low == pytest.approx(200 / 7 / 24)
    assert result.days_to_clear_high == pytest.approx(200 / 3 / 24)
    never = project_backlog(hourly([10.0] * 24), agents=1, tickets_per_agent_hour=5, backlog=10)
    assert never.days_to_clear == math.inf


def test_calendar_closes_capacity() -> None:
    calendar = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"}, holidays=[date(2024, 1, 2)])
    result = project_backlog(
        hourly([0.0] * 48), agents=2, tickets_per_agent_hour=5, backlog=100, calendar=calendar
    )
    expected = np.where((np.arange(48) % 24 >= 9) & (np.arange(48) % 24 < 17), 10.0, 0.0)
    expected[24:] = 0.0  # Tuesday is a holiday
    np.testing.assert_allclose(result.capacity, expected)
    assert result.backlog[-1] == 20.0


@pytest.mark.parametrize(
    ("arrivals", "start", "target_hours"),
    [
        ([10] * 24, 30, 5),
        ([0, 30, 5, 5, 0, 0, 20, 10] * 3, 0, 3),
        ([4] * 12 + [40] * 4 + [4] * 8, 10, 6),
    ],
)
def test_agents_needed_is_the_least_meeting_the_target(
    arrivals: list[int], start: int, target_hours: float
) -> None:
    result = project_backlog(
        hourly([float(a) for a in arrivals]),
        agents=1,
        tickets_per_agent_hour=1,
        backlog=start,
        resolution_target=target_hours * HOUR,
    )
    needed = result.agents_needed
    assert needed is not None and needed >= 1
    n = int(needed)
    assert longest_wait_by_units(arrivals, [n] * len(arrivals), start) <= target_hours + 1.0
    assert longest_wait_by_units(arrivals, [n - 1] * len(arrivals), start) > target_hours - 1.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"agents": -1, "tickets_per_agent_hour": 5}, "'agents' parameter"),
        ({"agents": 1, "tickets_per_agent_hour": 0}, "'tickets_per_agent_hour' parameter"),
        ({"agents": 1, "tickets_per_agent_hour": 5, "backlog": -3}, "'backlog' parameter"),
        ({"agents": 1, "tickets_per_agent_hour": 5, "shrinkage": 1}, "'shrinkage' parameter"),
        ({"agents": 1, "tickets_per_agent_hour": 5, "resolution_target": 0}, "'resolution_target'"),
    ],
)
def test_bad_parameters(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        project_backlog(hourly([1.0, 2.0]), **options)  # type: ignore[arg-type]
