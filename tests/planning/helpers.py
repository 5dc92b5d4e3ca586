"""Call arrivals with a known weekly × intraday pattern, for the planning tests."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from cxmetrics.planning import VolumeForecast

MONDAY = datetime(2024, 1, 1, tzinfo=timezone.utc)  # a Monday
HOUR = 3600.0


def pattern(hours: int = 24 * 7) -> np.ndarray:
    """Expected calls per hour of the week (Monday 00:00 first): busy weekdays, quiet weekends."""
    hour = np.arange(hours) % 24
    weekday = (np.arange(hours) // 24) % 7
    daytime = np.where(
        (hour >= 8) & (hour < 18), 20.0 + 10.0 * np.sin((hour - 8) / 10 * np.pi), 0.0
    )
    return daytime * np.where(weekday < 5, 1.0 + 0.1 * weekday, 0.3)


def arrivals(counts: np.ndarray, start: datetime = MONDAY, seed: int = 0) -> dict[str, np.ndarray]:
    """Call columns with ``counts[i]`` arrivals spread at random inside hour ``i``."""
    rng = np.random.default_rng(seed)
    hours = np.repeat(np.arange(counts.size), counts.astype(np.int64))
    at = start.timestamp() + (hours + rng.random(hours.size)) * HOUR
    return {"at": np.sort(at)}


def given_forecast(counts: list[float], interval: float, spread: float = 0.0) -> VolumeForecast:
    """A forecast of ``counts`` per interval from MONDAY on, band ± ``spread`` of the value."""
    values = np.asarray(counts, dtype=np.float64)
    return VolumeForecast(
        start_at=MONDAY.timestamp() + interval * np.arange(values.size),
        forecast=values,
        lower=values * (1 - spread),
        upper=values * (1 + spread),
        open=values >= 0,
        interval=interval,
        timezone="UTC",
        level=0.8,
        method="given",
        history_start_at=np.zeros(0),
        history=np.zeros(0),
    )
