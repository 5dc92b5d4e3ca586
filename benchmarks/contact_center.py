"""Contact-center benchmark: handling metrics over ~1M calls, Erlang staffing at scale.

    python benchmarks/contact_center.py [--calls 1000000] [--repeat 3]

Calls: arrivals uniform over 30 days (seed 42), 12 % abandoned, waits exponential
(mean 40 s), talk log-normal (median ~4 min), hold 0-120 s on a third of the
calls, wrap exponential (mean 45 s). They are given as columns (a dict of numpy
arrays, the path a DataFrame takes) and each cxmetrics figure is compared with the
straightforward pandas code an analyst would write, checking that both agree.
Building `Call` records is timed on a subset and extrapolated (marked *): records
are for applications, columns for volume.

Erlang C: `required_agents` for an 80/20 service level at offered loads from 10
to 5,000 Erlangs, against a textbook direct sum (the formula with factorials:
overflows past ~170 agents) and against the same sum in log space with numpy
(stable, but O(N) per evaluation, so a linear search is O(N^2)). Erlang A is
timed at the same loads.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from cxmetrics import Call
from cxmetrics.metrics.aht import aht, aht_by_interval
from cxmetrics.metrics.concurrency import concurrency_by_interval, peak_concurrency
from cxmetrics.metrics.service_level import service_level
from cxmetrics.staffing import ErlangA, ErlangC
from cxmetrics.staffing.erlang_a import _core

T0 = datetime(2024, 3, 1, tzinfo=timezone.utc)


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, value = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def make_calls(n: int, seed: int = 42) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    abandoned = rng.random(n) < 0.12
    answered = ~abandoned
    return {
        "at": np.sort(T0.timestamp() + np.floor(rng.uniform(0, 30 * 86400, n))),
        "wait": np.floor(rng.exponential(40.0, n)),
        "talk": np.where(answered, np.floor(rng.lognormal(np.log(240), 0.6, n)), 0.0),
        "hold": np.where(answered & (rng.random(n) < 1 / 3), np.floor(rng.uniform(0, 120, n)), 0.0),
        "wrap": np.where(answered, np.floor(rng.exponential(45.0, n)), 0.0),
        "abandoned": abandoned,
    }


def pandas_figures(pd: Any, frame: Any) -> dict[str, Any]:
    """The figures as an analyst would compute them with pandas."""
    handled = frame[~frame["abandoned"]]
    handle = handled["talk"] + handled["hold"] + handled["wrap"]
    return {"aht": handle.mean()}


def pandas_service_level(frame: Any, target: float) -> float:
    answered = ~frame["abandoned"]
    within = (answered & (frame["wait"] <= target)).sum()
    short = (frame["abandoned"] & (frame["wait"] <= target)).sum()
    return float(within / (len(frame) - short))


def pandas_aht_by_interval(pd: Any, frame: Any) -> Any:
    handled = frame[~frame["abandoned"]]
    handle = handled["talk"] + handled["hold"] + handled["wrap"]
    ends = pd.to_datetime(handled["at"] + handled["wait"] + handle, unit="s", utc=True)
    return handle.groupby(ends.dt.floor("30min")).mean()


def pandas_peak(pd: Any, frame: Any) -> int:
    start = frame["at"]
    end = frame["at"] + frame["wait"] + frame["talk"] + frame["hold"]
    events = pd.DataFrame(
        {
            "t": np.concatenate([start.to_numpy(), end.to_numpy()]),
            "d": np.r_[np.ones(len(frame)), -np.ones(len(frame))],
        }
    )
    events = events[np.r_[(end > start).to_numpy(), (end > start).to_numpy()]]
    # Ends before starts at the same instant: back-to-back calls do not overlap.
    events = events.sort_values(["t", "d"], kind="stable")
    return int(events["d"].cumsum().max())


def bench_handling(n: int, repeat: int) -> None:
    import pandas as pd

    columns = make_calls(n)
    frame = pd.DataFrame(columns)
    print(f"\nHandling metrics over {n:,} calls (columns in, best of {repeat})")
    print(f"{'metric':<34}{'cxmetrics s':>12}{'pandas s':>12}{'ratio':>8}  agree")

    def row(
        name: str, ours: Callable[[], Any], theirs: Callable[[], Any] | None, check: Any
    ) -> None:
        t_ours, v_ours = best_of(ours, repeat)
        if theirs is None:
            print(f"{name:<34}{t_ours:>12.3f}{'-':>12}{'-':>8}  -")
            return
        t_theirs, v_theirs = best_of(theirs, repeat)
        print(
            f"{name:<34}{t_ours:>12.3f}{t_theirs:>12.3f}{t_theirs / t_ours:>7.1f}x  "
            f"{check(v_ours, v_theirs)}"
        )

    row(
        "aht",
        lambda: aht(columns),
        lambda: pandas_figures(pd, frame)["aht"],
        lambda a, b: math.isclose(a.total_seconds(), b, abs_tol=1e-6),
    )
    row(
        "service_level (20 s, default)",
        lambda: service_level(columns, target=20),
        lambda: pandas_service_level(frame, 20),
        lambda a, b: math.isclose(a, b, rel_tol=1e-12),
    )
    row(
        "aht_by_interval (30 min, wrap end)",
        lambda: aht_by_interval(columns),
        lambda: pandas_aht_by_interval(pd, frame),
        lambda a, b: (
            len(a) == len(b)
            and np.allclose([x.total_seconds() for x in a.column("aht")], b.to_numpy(), atol=1e-6)
        ),
    )
    row(
        "peak_concurrency",
        lambda: peak_concurrency(columns),
        lambda: pandas_peak(pd, frame),
        lambda a, b: a == b,
    )
    row("concurrency_by_interval (30 min)", lambda: concurrency_by_interval(columns), None, None)

    subset = min(n, 50_000)
    t_records, _ = best_of(
        lambda: [
            Call(
                at=T0 + timedelta(seconds=float(columns["at"][i] - T0.timestamp())),
                wait=float(columns["wait"][i]),
                talk=float(columns["talk"][i]),
                hold=float(columns["hold"][i]),
                wrap=float(columns["wrap"][i]),
                abandoned=bool(columns["abandoned"][i]),
            )
            for i in range(subset)
        ],
        1,
    )
    print(f"{'building Call records':<34}{t_records * n / subset:>11.3f}*")


def erlang_c_direct_sum(load: float, target: float, aht: float, level: float) -> int | str:
    """Textbook Erlang C with factorials in floats, searching up from A + 1 agents."""
    n = math.floor(load) + 1
    try:
        while True:
            top = load**n / math.factorial(n) * n / (n - load)
            p_wait = top / (sum(load**k / math.factorial(k) for k in range(n)) + top)
            if 1.0 - p_wait * math.exp(-(n - load) * target / aht) >= level:
                return n
            n += 1
    except OverflowError:
        return "overflow"


def erlang_c_log_sum(load: float, target: float, aht: float, level: float) -> int:
    """The same sum in log space with numpy: stable, O(N) per evaluation."""
    n = math.floor(load) + 1
    while True:
        k = np.arange(n)
        log_terms = k * math.log(load) - np.array([math.lgamma(x + 1) for x in k])
        log_top = n * math.log(load) - math.lgamma(n + 1) + math.log(n / (n - load))
        high = max(log_terms.max(), log_top)
        total = np.exp(log_terms - high).sum() + math.exp(log_top - high)
        p_wait = math.exp(log_top - high) / total
        if 1.0 - p_wait * math.exp(-(n - load) * target / aht) >= level:
            return n
        n += 1


def bench_staffing(repeat: int) -> None:
    aht_s, interval, target, level = 240.0, 1800.0, 20.0, 0.8
    print(f"\nErlang C required_agents(0.8, 20 s), AHT 4 min, best of {repeat}")
    print(
        f"{'load E':>8}{'agents':>8}{'cxmetrics ms':>14}{'direct sum ms':>15}"
        f"{'log-sum ms':>12}  agree"
    )
    for load in (10.0, 100.0, 500.0, 1000.0, 2000.0, 5000.0):
        arrivals = load * interval / aht_s
        queue = ErlangC(arrivals, interval, aht_s)
        t_ours, agents = best_of(lambda q=queue: q.required_agents(level, target), repeat)
        t_direct, direct = best_of(lambda a=load: erlang_c_direct_sum(a, target, aht_s, level), 1)
        if load <= 1000:
            t_log, log_agents = best_of(lambda a=load: erlang_c_log_sum(a, target, aht_s, level), 1)
            log_text = f"{t_log * 1e3:>12.1f}"
        else:
            log_agents, log_text = agents, f"{'(skipped)':>12}"
        direct_text = f"{t_direct * 1e3:>15.1f}" if direct != "overflow" else f"{'overflow':>15}"
        same = log_agents == agents and direct in (agents, "overflow")
        print(f"{load:>8.0f}{agents:>8}{t_ours * 1e3:>14.2f}{direct_text}{log_text}  {same}")

    print(f"\nErlang A required_agents(0.8, 20 s), patience 3 min, best of {repeat}")
    print(f"{'load E':>8}{'Erlang C':>10}{'Erlang A':>10}{'ms':>10}")
    for load in (10, 100, 1000, 5000):
        arrivals = load * interval / aht_s
        queue = ErlangA(arrivals, interval, aht_s, patience=180.0)

        def cold(q: ErlangA = queue) -> int:
            _core.cache_clear()  # time the computation, not the memo
            return q.required_agents(level, target)

        t_a, agents_a = best_of(cold, repeat)
        agents_c = ErlangC(arrivals, interval, aht_s).required_agents(level, target)
        print(f"{load:>8}{agents_c:>10}{agents_a:>10}{t_a * 1e3:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bench_handling(args.calls, args.repeat)
    bench_staffing(args.repeat)


if __name__ == "__main__":
    main()
