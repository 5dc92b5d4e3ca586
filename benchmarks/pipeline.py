"""End-to-end benchmark: a Parquet helpdesk export to a KPI report, stage by stage.

    python benchmarks/pipeline.py [--tickets 1000000] [--folder DIR] [--cli]

Setup (not timed): the synthetic generator writes a data set of ``--tickets``
tickets (with their messages, calls, status changes, assignments and tags) and
their survey answers as own-schema Parquet files. Then, timed:

1. read: ``cxmetrics.io.read_parquet`` (vectorised validation, no per-row objects);
2. report: every ticket metric, SLA compliance (when :mod:`cxmetrics.sla` is
   present) and the survey metrics (CSAT, CES, NPS), by ISO week and channel, in
   business hours (Mon-Fri 08:00-18:00, Europe/Paris), with intervals and
   week-on-week significance; the charts of the HTML page are drawn inside this
   stage and their time is printed on its own line;
3. render: the report as text, JSON and the HTML page.

With ``--cli``, the same report is then run as the command a user types
(``cxmetrics report DIR --period week --by channel --calendar … --sla … --format
html``) and its wall time printed.

Targets: the 1M-ticket command-line run in 8 s, its charts in 1 s, on a 2-core
machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cxmetrics.reporting.charts
import cxmetrics.stats
from cxmetrics import BusinessCalendar
from cxmetrics.datasets import generate
from cxmetrics.io import read_parquet, write_parquet
from cxmetrics.registry import available_metrics, get_metric
from cxmetrics.reporting import report


def _export(folder: Path, n: int) -> None:
    if (folder / "tickets.parquet").exists():
        return
    data = generate(n, seed=2024)
    surveys = data.surveys.to_table()
    write_parquet(folder, tickets=data.tickets, surveys=surveys)


def _policy() -> object | None:
    """First reply within 4 h, resolution within 3 days (None without cxmetrics.sla)."""
    try:
        from cxmetrics.sla import SlaPolicy, SlaTarget
    except ImportError:
        print("SLA compliance: cxmetrics.sla is not available, not measured")
        return None
    return SlaPolicy(
        name="standard",
        targets=[
            SlaTarget(metric="first_reply", within="PT4H"),
            SlaTarget(metric="resolution", within="P3D"),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, help="reuse (or keep) the export here")
    parser.add_argument("--cli", action="store_true", help="also time the command-line run")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="cxmetrics-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    _export(folder, args.tickets)
    size = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 1e6
    print(f"setup: {args.tickets:,} tickets exported to {folder} ({size:.0f} MB) in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip

    # Every metric the tickets and surveys can feed with default parameters (backlog
    # and contact rate need a moment and a customer count: listed as skipped).
    metrics = [
        name
        for name in available_metrics()
        if get_metric(name).input_kind in ("tickets", "surveys")
    ]
    # Diagnostic: time spent in Student-t quantiles (the t intervals of mean metrics).
    spent = {"calls": 0, "seconds": 0.0}
    quantile = cxmetrics.stats.student_t_quantile

    def timed_quantile(probability: float, df: float) -> float:
        begin = time.perf_counter()
        try:
            return quantile(probability, df)
        finally:
            spent["calls"] += 1
            spent["seconds"] += time.perf_counter() - begin

    cxmetrics.stats.student_t_quantile = timed_quantile  # type: ignore[assignment]
    drawing = {"seconds": 0.0, "cpu": 0.0}
    draw = cxmetrics.reporting.charts.report_charts

    def timed_charts(*chart_args: Any, **chart_kwargs: Any) -> Any:
        begin, cpu = time.perf_counter(), time.process_time()
        try:
            return draw(*chart_args, **chart_kwargs)
        finally:
            drawing["seconds"] += time.perf_counter() - begin
            drawing["cpu"] += time.process_time() - cpu

    cxmetrics.reporting.charts.report_charts = timed_charts  # type: ignore[assignment]
    calendar = BusinessCalendar(timezone=CALENDAR_ZONE, hours={"mon-fri": CALENDAR_HOURS})

    policy = _policy()
    # Wall seconds, and CPU seconds of the process (all threads): on a shared
    # machine the CPU time moves much less with the other jobs than the wall time.
    stages: list[tuple[str, float, float]] = []
    t0, c0 = time.perf_counter(), time.process_time()
    data = read_parquet(folder)
    stages.append(("read + validate Parquet", time.perf_counter() - t0, time.process_time() - c0))
    t1, c1 = time.perf_counter(), time.process_time()
    result = report(**data.inputs(), period="week", by="channel", sla=policy,
                    calendar=calendar, charts=True)  # fmt: skip
    ran = len({row.metric for row in result.rows})
    stages.append((f"report ({ran} metrics x week x channel)", time.perf_counter() - t1,
                   time.process_time() - c1))  # fmt: skip
    t2, c2 = time.perf_counter(), time.process_time()
    text = result.to_text()
    result.to_json()
    page = result.to_html()
    stages.append(("render text + JSON + HTML", time.perf_counter() - t2, time.process_time() - c2))
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0

    assert data.tickets is not None and data.surveys is not None
    print(f"tickets {len(data.tickets):,}, interactions {len(data.tickets.interactions):,}, "
          f"status changes {len(data.tickets.status_changes):,}, surveys {len(data.surveys):,}; "
          f"report rows {len(result):,}; of {len(metrics)} ticket and survey metrics, skipped: "
          f"{', '.join(s.split(':')[0] for s in result.skipped) or 'none'}")  # fmt: skip
    print()
    print("| stage | seconds | CPU seconds |")
    print("|---|---:|---:|")
    for name, seconds, cpu in stages:
        print(f"| {name} | {seconds:.2f} | {cpu:.2f} |")
    print(f"| **total** | **{total:.2f}** | **{total_cpu:.2f}** |")
    print()
    print(f"of the report: {drawing['seconds']:.2f} s ({drawing['cpu']:.2f} s CPU) drawing "
          f"{page.count('<img')} charts")  # fmt: skip
    print(f"of the report: {spent['seconds']:.2f} s in {spent['calls']:,} Student-t quantiles "
          "(cxmetrics.stats.student_t_quantile)")  # fmt: skip
    print()
    print("\n".join(text.splitlines()[:6]))
    if args.cli:
        print()
        wall, cpu = _cli_seconds(folder)
        print(f"command line, HTML with charts: {wall:.2f} s ({cpu:.2f} s CPU)")


CALENDAR_ZONE = "Europe/Paris"
CALENDAR_HOURS = "08:00-18:00"


def _cli_seconds(folder: Path) -> tuple[float, float]:
    """Wall and CPU time of ``cxmetrics report`` on the export (business hours, SLA, HTML)."""
    calendar = folder / "calendar.toml"
    calendar.write_text(f'timezone = "{CALENDAR_ZONE}"\n[hours]\nmon-fri = "{CALENDAR_HOURS}"\n')
    sla = folder / "sla.toml"
    sla.write_text(
        'name = "standard"\n[[targets]]\nmetric = "first_reply"\nwithin = "PT4H"\n'
        '[[targets]]\nmetric = "resolution"\nwithin = "P3D"\n'
    )
    command = [sys.executable, "-m", "cxmetrics", "report", *sorted(map(str, folder.glob("*.parquet"))),
               "--period", "week", "--by", "channel", "--calendar", str(calendar),
               "--sla", str(sla), "--format", "html", "--output", str(folder / "report.html")]  # fmt: skip
    begin = time.perf_counter()
    before = os.times()
    subprocess.run(command, check=True, env={**os.environ}, stderr=subprocess.DEVNULL)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return time.perf_counter() - begin, cpu


if __name__ == "__main__":
    main()
