"""Speed of the planning chain: one year of 15-minute intervals forecast and staffed.

    python benchmarks/planning_speed.py [--repeat 3] [--calls-per-day 3000]

History: one year of synthetic calls (Poisson around a weekday x time-of-day pattern,
seed 3; about a million calls at the default rate) given as columns. The script
times, best of --repeat runs (statsmodels imported beforehand, its import timed
once on its own):

* counting the history into 15-minute intervals and forecasting the next 365 days
  (35,040 intervals) with method="auto" (which also backtests three methods over
  the last week to choose one and calibrate the band);
* staffing_plan with Erlang C at 80/20 for every interval (vectorised);
* for scale, staffing_plan with Erlang A on the first two weeks (interval by
  interval) and the same Erlang C plan solved interval by interval with
  ErlangC.required_agents, the loop a user would otherwise write.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from cxmetrics.planning import forecast_volume, staffing_plan
from cxmetrics.planning.forecast import VolumeForecast
from cxmetrics.staffing import ErlangC

START = datetime(2023, 1, 2, tzinfo=timezone.utc)  # a Monday
QUARTER = 900.0


def history(calls_per_day: float, seed: int = 3) -> dict[str, np.ndarray]:
    slots = 365 * 96
    quarter = np.arange(slots) % 96
    weekday = (np.arange(slots) // 96) % 7
    shape = np.where(
        (quarter >= 28) & (quarter < 80), 1.0 + np.sin((quarter - 28) / 52 * np.pi), 0.0
    )
    shape *= np.where(weekday < 5, 1.0, 0.4)
    rate = shape / shape.sum() * calls_per_day * 365
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate)
    at = (
        START.timestamp()
        + (np.repeat(np.arange(slots), counts) + rng.random(counts.sum())) * QUARTER
    )
    n = at.size
    return {
        "at": at,
        "talk": rng.lognormal(np.log(200), 0.5, n),
        "wait": rng.exponential(30, n),
        "abandoned": np.zeros(n, dtype=bool),
    }


def best(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--calls-per-day", type=float, default=3000.0)
    args = parser.parse_args()

    start = time.perf_counter()
    import statsmodels.tsa.holtwinters  # noqa: F401  (import cost shown on its own)

    print(f"statsmodels import: {time.perf_counter() - start:.2f} s (once per process)")
    calls = history(args.calls_per_day)
    as_of = START + timedelta(days=365)
    print(f"history: {calls['at'].size:,} calls over 365 days; horizon: 365 days of 15 min")

    def forecast() -> VolumeForecast:
        return forecast_volume(calls, interval="15min", horizon="365D", as_of=as_of)

    t_forecast, result = best(forecast, args.repeat)
    print(
        f"forecast_volume (method chosen: {result.method}): {t_forecast:.2f} s "
        f"for {len(result):,} intervals"
    )

    def plan_c() -> Any:
        return staffing_plan(result, aht=200.0, service_level=0.8, target=20)

    t_plan, plan = best(plan_c, args.repeat)
    print(
        f"staffing_plan erlang_c, every interval: {t_plan:.2f} s "
        f"({plan.totals()['agent_hours']:,.0f} agent-hours, {plan.fte:.1f} FTE)"
    )
    print(f"forecast + staffing: {t_forecast + t_plan:.2f} s (target < 5 s)")

    two_weeks = VolumeForecast(
        **{
            **result.__dict__,
            **{
                k: getattr(result, k)[: 14 * 96]
                for k in ("start_at", "forecast", "lower", "upper", "open")
            },
        }
    )
    t_a, _ = best(lambda: staffing_plan(two_weeks, aht=200.0, model="erlang_a", patience=120), 1)
    print(
        f"staffing_plan erlang_a, 2 weeks ({len(two_weeks):,} intervals, interval by interval): "
        f"{t_a:.2f} s"
    )

    def loop() -> list[int]:
        return [
            ErlangC(float(f), QUARTER, 200.0).required_agents(0.8, 20) if f > 0 else 0
            for f in result.forecast
        ]

    t_loop, agents = best(loop, 1)
    assert agents == plan.agents.astype(int).tolist()
    print(
        f"ErlangC.required_agents in a Python loop, every interval: {t_loop:.2f} s "
        f"({t_loop / t_plan:.1f}x the vectorised plan; same agents)"
    )


if __name__ == "__main__":
    main()
