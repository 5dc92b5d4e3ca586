"""Control charts and tag spikes: limits by hand, and false-alarm rates on stable series."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import Ticket
from cxmetrics.exceptions import CXMetricsError
from cxmetrics.insight import cusum_chart, ewma_chart, p_chart, tag_spikes

SERIES = 4000  # simulated stable series per rule
PERIODS = 26  # half a year of weeks


def _band(rate: float, trials: int) -> tuple[float, float]:
    """A 5-sigma binomial band around ``rate`` for ``trials`` points."""
    half = 5 * math.sqrt(rate * (1 - rate) / trials)
    return rate - half, rate + half


def test_p_chart_limits_by_hand() -> None:
    chart = p_chart([80, 90, 85], [100, 100, 200])
    p = 255 / 400
    assert chart.center[0] == pytest.approx(p)
    assert chart.upper[2] == pytest.approx(p + 3 * math.sqrt(p * (1 - p) / 200))
    assert chart.lower[0] == pytest.approx(p - 3 * math.sqrt(p * (1 - p) / 100))
    assert chart.false_alarm_rate == pytest.approx(0.0027, abs=1e-4)


def test_p_chart_false_alarm_rate_on_stable_series() -> None:
    """Known p: the share of flagged periods matches the stated rate (normal approx)."""
    rng = np.random.default_rng(7)
    trials = rng.integers(400, 600, size=(SERIES, PERIODS))
    hits = rng.binomial(trials, 0.85)
    flagged = sum(
        sum(map(bool, p_chart(h, n, center=0.85).signal)) for h, n in zip(hits, trials, strict=True)
    )
    low, high = _band(0.0027, SERIES * PERIODS)
    # The binomial's skew at p = 0.85 moves the realised rate a little off the
    # normal approximation, so the band is widened by half the nominal rate.
    assert low - 0.0014 < flagged / (SERIES * PERIODS) < high + 0.0014


def test_p_chart_with_the_rate_estimated_stays_near_the_stated_rate() -> None:
    rng = np.random.default_rng(8)
    trials = np.full((SERIES, PERIODS), 300)
    hits = rng.binomial(trials, 0.7)
    flagged = sum(sum(map(bool, p_chart(h, n).signal)) for h, n in zip(hits, trials, strict=True))
    assert flagged / (SERIES * PERIODS) < 0.006


def test_ewma_false_alarm_rate_on_stable_series() -> None:
    """Known mean and sigma: each period's average is normal, so 0.27 % are flagged."""
    rng = np.random.default_rng(9)
    values = rng.normal(4.0, 0.5, size=(SERIES, PERIODS))
    flagged = sum(sum(map(bool, ewma_chart(v, center=4.0, sigma=0.5).signal)) for v in values)
    low, high = _band(0.0027, SERIES * PERIODS)
    assert low < flagged / (SERIES * PERIODS) < high


def test_ewma_with_estimates_flags_few_stable_periods_and_finds_a_shift() -> None:
    rng = np.random.default_rng(10)
    values = rng.normal(4.0, 0.5, size=(SERIES, PERIODS))
    flagged = sum(sum(map(bool, ewma_chart(v).signal)) for v in values)
    assert flagged / (SERIES * PERIODS) < 0.01
    shifted = np.r_[rng.normal(4.0, 0.5, 12), rng.normal(5.0, 0.5, 6)]
    assert "high" in ewma_chart(shifted, baseline=12).signal[12:]


def test_ewma_statistic_by_hand() -> None:
    chart = ewma_chart([1.0, 3.0], weight=0.5, center=2.0, sigma=1.0)
    assert chart.statistic == (1.5, 2.25)
    assert chart.upper[0] == pytest.approx(2.0 + 3 * math.sqrt(0.5 / 1.5 * (1 - 0.25)))


def test_cusum_in_control_run_length_matches_the_table() -> None:
    """k = 0.5, h = 5: about one false alarm in 465 periods (Montgomery, table 9.3)."""
    rng = np.random.default_rng(11)
    values = rng.normal(0.0, 1.0, size=(400, 1000))
    flagged = sum(sum(map(bool, cusum_chart(v, center=0.0, sigma=1.0).signal)) for v in values)
    rate = flagged / values.size
    # Two-sided: each side alone has an ARL of about 930, the pair about 465.
    assert 1 / 600 < rate < 1 / 360
    assert cusum_chart([0.0, 1.0], center=0.0, sigma=1.0).false_alarm_rate == pytest.approx(1 / 465)


def test_cusum_sums_by_hand() -> None:
    chart = cusum_chart([2.0, 2.0, -1.0], center=0.0, sigma=1.0, limit=10.0)
    assert chart.statistic == (1.5, 3.0, 1.5)


@given(st.lists(st.floats(-100, 100), min_size=3, max_size=30))
def test_charts_are_shift_invariant(values: list[float]) -> None:
    x = np.array(values)
    for chart in (ewma_chart, cusum_chart):
        a, b = chart(x, sigma=1.0), chart(x + 50.0, sigma=1.0)
        assert a.signal == b.signal


def test_bad_parameters_raise_our_errors() -> None:
    with pytest.raises(CXMetricsError, match="successes"):
        p_chart([5], [4])
    with pytest.raises(CXMetricsError, match="baseline"):
        ewma_chart([1.0, 2.0, 3.0], baseline=9)
    with pytest.raises(CXMetricsError, match="labels"):
        cusum_chart([1.0, 2.0], labels=["a"])


def _tickets(shares: list[float], per_week: int, seed: int) -> list[Ticket]:
    rng = np.random.default_rng(seed)
    monday = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
    return [
        Ticket(
            id=f"{week}-{i}",
            created_at=monday + timedelta(weeks=week),
            tags=("payment error",) if rng.random() < share else ("other",),
        )
        for week, share in enumerate(shares)
        for i in range(per_week)
    ]


def test_tag_spike_found_in_its_week() -> None:
    spikes = tag_spikes(_tickets([0.05] * 6 + [0.25], 200, seed=1))
    assert spikes.column("tag") == ["payment error"]
    assert spikes.column("period") == ["2024-W07"]
    row = spikes.to_dict()
    assert row["share"][0] == row["tickets"][0] / 200


def test_tag_spikes_false_alarm_rate_on_stable_tags() -> None:
    """Stable shares: judged (tag, week) pairs flagged at most at the one-sided rate."""
    judged = flagged = 0
    for seed in range(40):
        spikes = tag_spikes(_tickets([0.1] * 12, 150, seed=seed), min_tickets=1)
        flagged += sum(tag == "payment error" for tag in spikes.column("tag"))
        judged += 12 - 3
    # Nominal 0.13 %; the binomial's skew at 15 tickets a week lifts it a little:
    # at most 1 % of the 360 judged weeks (it flags one).
    assert flagged / judged <= 0.01


def test_series_chart_picks_the_rule_from_the_unit() -> None:
    from cxmetrics import FirstResponseTime
    from cxmetrics.core.base import MetricResult
    from cxmetrics.insight import alerts_table, series_chart

    rates = [MetricResult(v, n=200, unit="ratio") for v in (0.8, 0.82, 0.79, 0.81, 0.6)]
    chart = series_chart(rates, labels=list("abcde"), baseline=4)
    expected = p_chart([160, 164, 158, 162, 120], [200] * 5, labels=list("abcde"), baseline=4)
    assert chart == expected
    hours = [timedelta(hours=h) for h in (2.0, 2.2, 1.9, 2.1, 2.0, 4.0, 4.2)]
    durations = [MetricResult(h, n=50, unit="seconds") for h in hours]
    chart = series_chart(durations, labels=list("abcdefg"), baseline=5)
    assert chart.rule == "ewma" and chart.signal[-1] == "high"
    table = alerts_table({"frt": chart}).to_dict()
    assert set(table["metric"]) == {"frt"} and "g" in table["period"]
    assert FirstResponseTime.unit == "seconds"
