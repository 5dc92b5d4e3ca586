"""Hot paths of one tree, for paired runs against another (CPU seconds, peak MB).

    PYTHONPATH=src python benchmarks/hot_paths.py [--tickets 200000] [--repeat 3]

Prints one JSON line: for each operation the median CPU and wall seconds of
``--repeat`` runs (after one warm-up) and the peak traced memory of one more run.
Run it at two trees in turn, same machine, several rounds, and compare medians:
ticket metrics (calendar and business time), the ticket one-liners, a calendar's
``business_seconds`` on 1M pairs, SLA evaluation, survey metrics on a table, and
``aht`` / ``service_level`` on 1M calls as an Arrow table and as a dict of arrays.
Only public names, so that older trees run it too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

import cxmetrics as cx
from cxmetrics.datasets import generate
from cxmetrics.sla import SlaPolicy, SlaTarget, evaluate_sla
from cxmetrics.tickets import ticket_metrics


def _calls(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(42)
    abandoned = rng.random(n) < 0.12
    return {
        "at": np.sort(1.709e9 + np.floor(rng.uniform(0, 30 * 86400, n))),
        "wait": np.floor(rng.exponential(40.0, n)),
        "talk": np.where(abandoned, 0.0, np.floor(rng.lognormal(np.log(240), 0.6, n))),
        "hold": np.zeros(n),
        "wrap": np.where(abandoned, 0.0, np.floor(rng.exponential(45.0, n))),
        "abandoned": abandoned,
    }


def _operations(tickets: int) -> dict[str, Callable[[], Any]]:
    data = generate(tickets, seed=1)
    batch = data.tickets
    surveys = data.surveys.to_table() if hasattr(data.surveys, "to_table") else data.surveys
    calls = _calls(1_000_000)
    arrow_calls = pa.table(calls)
    holidays = [date(2024, 1, 1), date(2024, 4, 1)]
    calendar = cx.BusinessCalendar(
        "Europe/Amsterdam", {"mon-fri": "08:00-18:00"}, holidays=holidays
    )
    targets = [SlaTarget("first_reply", "PT4H"), SlaTarget("resolution", "P3D")]
    policy = SlaPolicy(name="standard", targets=targets)
    rng = np.random.default_rng(7)
    starts = rng.uniform(1.70e9, 1.76e9, 1_000_000)
    ends = starts + np.exp(rng.uniform(np.log(60), np.log(30 * 86400), starts.size))
    return {
        "ticket_metrics (calendar time)": lambda: ticket_metrics(batch),
        "ticket_metrics (business hours)": lambda: ticket_metrics(batch, calendar),
        "one-liners: resolution_time, fcr, reopen, volume": lambda: (
            cx.resolution_time(batch),
            cx.fcr_rate(batch),
            cx.reopen_rate(batch),
            cx.ticket_volume(batch),
        ),
        "calendar: business_seconds, 1M pairs": lambda: calendar.business_seconds(starts, ends),
        "evaluate_sla standard": lambda: evaluate_sla(batch, policy),
        "surveys: csat + nps + ces (table)": lambda: (
            cx.csat(surveys),
            cx.nps(surveys),
            cx.ces(surveys),
        ),
        "calls: aht (Arrow, 1M)": lambda: cx.aht(arrow_calls),
        "calls: aht + service_level (dict, 1M)": lambda: (
            cx.aht(calls),
            cx.service_level(calls, target=20),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out: dict[str, dict[str, Any]] = {}
    for name, operation in _operations(args.tickets).items():
        operation()
        cpu, wall = [], []
        for _ in range(args.repeat):
            c, w = time.process_time(), time.perf_counter()
            operation()
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
        tracemalloc.start()
        operation()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        out[name] = {
            "cpu": statistics.median(cpu),
            "wall": statistics.median(wall),
            "peak_mb": peak,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
