"""backtest_forecast: exact series, an error computed by hand, and the bank call-center data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from cxmetrics import InvalidParameterError
from cxmetrics.planning import backtest_forecast

from tests.planning.helpers import MONDAY, arrivals, pattern


def test_a_repeating_week_is_forecast_without_error() -> None:
    calls = arrivals(np.tile(np.round(pattern()), 3))
    table = backtest_forecast(
        calls,
        methods=["seasonal_naive", "weekly_mean"],
        interval="1h",
        initial="14D",
        as_of=MONDAY + timedelta(weeks=3),
    )
    assert table.column("mae") == pytest.approx([0.0, 0.0], abs=1e-9)
    assert table.column("coverage") == [1.0, 1.0]
    # The history starts with the first call, Monday 08:00: origins from day 14 08:00 on,
    # a whole day apart, while a whole day of actuals follows (up to day 21 00:00).
    assert table.column("origins") == [6, 6]
    assert table.column("intervals") == [6 * 24, 6 * 24]


def test_seasonal_naive_error_by_hand() -> None:
    week = np.round(pattern())
    third = week + np.where(week > 0, 2.0, 0.0)  # two more calls in every busy hour
    calls = arrivals(np.concatenate([week, week, third]))
    table = backtest_forecast(
        calls,
        methods=["seasonal_naive"],
        interval="1h",
        initial="14D",
        as_of=MONDAY + timedelta(weeks=3),
    )
    busy_share = float(np.mean(week > 0))  # the forecast repeats week two: off by 2 when busy
    assert table.column("mae")[0] == pytest.approx(2.0 * busy_share)


def test_bad_parameters() -> None:
    calls = arrivals(np.tile(np.round(pattern()), 2))
    with pytest.raises(InvalidParameterError, match="'level' parameter of backtest_forecast"):
        backtest_forecast(calls, interval="1h", level=80)
    with pytest.raises(InvalidParameterError, match="'method' parameter of backtest_forecast"):
        backtest_forecast(calls, interval="1h", methods=["mstl"])  # type: ignore[list-item]
    with pytest.raises(InvalidParameterError, match="at least one week"):
        backtest_forecast(calls, interval="1h", initial="3D")
    with pytest.raises(InvalidParameterError, match="no origin"):
        backtest_forecast(calls, interval="1h", initial="14D", as_of=MONDAY + timedelta(days=14))


@pytest.mark.realdata
def test_bank_call_center_auto_beats_seasonal_naive_and_covers(shared_data: Path) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("statsmodels")
    from benchmarks._bank import CALENDAR, bank_calls

    table = backtest_forecast(
        bank_calls(shared_data),
        methods=["seasonal_naive", "auto"],
        interval="30min",
        horizon="1D",
        initial="14D",
        calendar=CALENDAR,
    )
    naive, auto = table.rows
    assert auto[1] < 0.9 * naive[1]  # MASE: at least a tenth better than the baseline
    assert 0.72 <= auto[3] <= 0.88  # the 80 % intervals cover close to 80 %
    assert auto[4] == 13
