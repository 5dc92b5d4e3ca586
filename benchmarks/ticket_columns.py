"""What the per-ticket columns cost the metrics that read a few of them.

    PYTHONPATH=src python benchmarks/ticket_columns.py [--tickets 200000] [--seed 1]

Run it from two checkouts (e.g. before and after a change to the ticket table)
to compare them: it only uses the public API that both have. Data:
``cxmetrics.datasets.generate(tickets, seed=seed)``; the business calendar is
Europe/Amsterdam, Mon-Fri 09:00-17:00.

Cases, each from the batch (every call measures it again, no shared cache):

- ``fcr_rate`` + ``first_response_time`` in calendar time;
- ``fcr_rate`` + ``first_response_time`` with the business calendar (FCR has no
  clock; the reply time is measured with the calendar);
- ``ticket_metrics(batch, calendar).to_dict()``: every column, exported.

Wall time is the best of ``--repeat`` runs, with the CPU time of that run (the
machine may be shared); peak memory is ``tracemalloc``'s peak (numpy reports its
buffers to it) over one more, untimed run.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics
from cxmetrics.calendars import BusinessCalendar
from cxmetrics.datasets import generate
from cxmetrics.metrics import fcr_rate, first_response_time
from cxmetrics.tickets import ticket_metrics

MIB = 2.0**20


def best_of(function: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Fastest wall time of ``repeat`` runs, and the CPU time of that run."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        function()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def peak_memory(function: Callable[[], Any]) -> float:
    """Peak traced bytes allocated while ``function`` runs (its result freed after)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    function()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    batch = generate(args.tickets, seed=args.seed).tickets
    calendar = BusinessCalendar("Europe/Amsterdam", {"mon-fri": "09:00-17:00"})
    calendar.business_seconds(batch.created_at[:1], batch.created_at[:1])  # warm-up
    cases: dict[str, Callable[[], Any]] = {
        "fcr_rate + first_response_time, calendar time": lambda: (
            fcr_rate(batch),
            first_response_time(batch),
        ),
        "fcr_rate + first_response_time, business calendar": lambda: (
            fcr_rate(batch),
            first_response_time(batch, calendar=calendar),
        ),
        "ticket_metrics(batch, calendar).to_dict()": lambda: ticket_metrics(
            batch, calendar
        ).to_dict(),
    }
    print(f"cxmetrics from {cxmetrics.__file__}; numpy {np.__version__}")
    print(f"{len(batch):,} tickets, {len(batch.interactions):,} messages and calls")
    print(f"| case | wall s (best of {args.repeat}) | CPU s | peak MiB |")
    print("| --- | ---: | ---: | ---: |")
    for label, case in cases.items():
        case()  # warm-up
        wall, cpu = best_of(case, args.repeat)
        peak = peak_memory(case)
        print(f"| {label} | {wall:.3f} | {cpu:.3f} | {peak / MIB:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
