"""Scaling benchmark: the same ticket metrics in process, streamed, on Dask and on Spark.

    python -m pip install -e ".[bench,dask,spark,sketch]"
    python benchmarks/engines_scaling.py --tickets 1000000 3000000 --data /tmp/scale
    python benchmarks/engines_scaling.py --data /tmp/scale --table   # the markdown table

For each size, the generated data set is written once, chunk by chunk, as
own-schema Parquet files (``benchmarks/_generate_parquet.py``: ``generate`` 500,000
tickets at a time, ids made unique per chunk; reused when already there), then
each mode runs in a fresh subprocess and folds the same six metrics over the same
files:

- ``inprocess``: ``cxmetrics.io.read_parquet`` then ``update`` of every metric;
- ``streamed``: ``cxmetrics.engines.stream.update_from_parquet`` (customer
  buckets of about ``--chunk-tickets`` tickets, read with Arrow filters);
- ``dask``: ``dask.dataframe.read_parquet`` of each table on a ``LocalCluster`` of
  two single-threaded worker processes (``--worker-memory`` each, so they spill),
  then ``cxmetrics.engines.update_all``;
- ``spark``: ``spark.read.parquet`` on ``local[2]`` (``--spark-memory`` for the
  driver), then ``update_all``.

A mode is an entry of ``MODES``: the code run in the child, and the session
(cluster) it needs, started before the clock.

Reported: wall time of the run (reading included, cluster start excluded), the
peak resident memory of the whole process tree (driver, workers and JVM, summed,
sampled every 0.1 s with psutil), also per ticket, and the load average before
and after (the machine may be shared). The parent watches each child's tree and
kills it above ``--memory-limit`` GiB, or when the machine has less than
``--keep-free`` GiB available, recorded as "out of memory (> N GiB)";
the mode then skips the bigger sizes. Values are checked equal across modes
(exactly: counts, sums and the exact quantiles alike). Each result is a JSON
file ``<data>/results/<tickets>-<mode>.json``; ``--table`` renders them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _generate_parquet import DEFAULT_CHUNK, folder_for

METRICS = (
    ("fcr", {}),
    ("resolution_time", {"statistic": "median"}),
    ("first_response_time", {"statistic": "p90"}),
    ("reopen_rate", {}),
    ("contact_rate", {}),
    ("csat", {}),
)


def _metrics() -> list[Any]:
    from cxmetrics import get_metric

    return [get_metric(name)(**options) for name, options in METRICS]


def tree_rss(root: Any) -> int:
    """Resident bytes of ``root`` (a psutil.Process) and all its descendants."""
    import psutil

    total = 0
    for proc in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


class PeakMemory:
    """Peak RSS of this process and all its descendants, summed, sampled in a thread."""

    def __init__(self) -> None:
        import psutil

        self.root = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.root))
            time.sleep(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _tables(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet"))


# --- the modes: what runs in the child ------------------------------------------------


def run_inprocess(folder: Path, session: Any, options: argparse.Namespace) -> list[Any]:
    from cxmetrics.io import read_parquet

    data = read_parquet(folder)
    metrics = _metrics()
    for metric in metrics:
        metric.update(getattr(data, metric.input_kind))
    return metrics


def run_streamed(folder: Path, session: Any, options: argparse.Namespace) -> list[Any]:
    from cxmetrics.engines.stream import update_from_parquet

    metrics = _metrics()
    with _progress_of_buckets():
        update_from_parquet(metrics, folder, chunk_tickets=options.chunk_tickets)
    return metrics


@contextlib.contextmanager
def _progress_of_buckets() -> Iterator[None]:
    """Log each partition the streamed reader folds (stderr: the child's log file)."""
    import psutil

    from cxmetrics.engines import stream

    fold, start, count = stream.fold_partition, time.perf_counter(), [0]

    def logged(*args: Any) -> Any:
        states = fold(*args)
        count[0] += 1
        rss = psutil.Process().memory_info().rss / 2**20
        elapsed = time.perf_counter() - start
        print(f"bucket {count[0]} folded at {elapsed:.0f} s, {rss:,.0f} MiB", file=sys.stderr)
        return states

    stream.fold_partition = logged  # type: ignore[assignment]
    try:
        yield
    finally:
        stream.fold_partition = fold


@contextlib.contextmanager
def dask_session(options: argparse.Namespace) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        memory_limit=options.worker_memory,
        dashboard_address=None,
        local_directory=str(options.data / "dask-spill"),
    )
    with cluster, Client(cluster) as client:
        yield client


def run_dask(folder: Path, session: Any, options: argparse.Namespace) -> list[Any]:
    import dask.dataframe as dd

    from cxmetrics.engines import DistributedTables, update_all

    tables = DistributedTables(
        **{f.stem: dd.read_parquet(f, blocksize="64MiB") for f in _tables(folder)}
    )
    metrics = _metrics()
    update_all(metrics, tables)
    return metrics


@contextlib.contextmanager
def spark_session(options: argparse.Namespace) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", options.spark_memory)
        .config("spark.local.dir", str(options.data / "spark-local"))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()


def run_spark(folder: Path, session: Any, options: argparse.Namespace) -> list[Any]:
    from cxmetrics.engines import DistributedTables, update_all

    tables = DistributedTables(**{f.stem: session.read.parquet(str(f)) for f in _tables(folder)})
    metrics = _metrics()
    update_all(metrics, tables)
    return metrics


@dataclass(frozen=True)
class Mode:
    """What a mode runs in its child process, and the session it needs first."""

    run: Callable[[Path, Any, argparse.Namespace], list[Any]]
    session: Callable[[argparse.Namespace], contextlib.AbstractContextManager[Any]] = (
        lambda options: contextlib.nullcontext()
    )


#: Mode name -> code run in the child (a streamed ``report`` mode is one more entry).
MODES: dict[str, Mode] = {
    "inprocess": Mode(run_inprocess),
    "streamed": Mode(run_streamed),
    "dask": Mode(run_dask, dask_session),
    "spark": Mode(run_spark, spark_session),
}


def one_run(mode: str, folder: Path, options: argparse.Namespace) -> dict[str, Any]:
    """Run one mode in this process; return time, peak memory and values."""
    warnings.simplefilter("ignore")
    with PeakMemory() as memory, MODES[mode].session(options) as session:
        start = time.perf_counter()
        metrics = MODES[mode].run(folder, session, options)
        seconds = time.perf_counter() - start
        values = {type(m).name: m.compute().to_dict()["value"] for m in metrics}
    return {"seconds": seconds, "peak_bytes": memory.peak, "values": values}


# --- the parent: data, children under a memory watchdog, results ------------------------


def prepare(size: int, options: argparse.Namespace) -> Path:
    """Write (or reuse) the data set of ``size`` tickets, in a child process."""
    script = Path(__file__).resolve().parent / "_generate_parquet.py"
    command = [sys.executable, str(script), "--tickets", str(size), "--data", str(options.data)]
    subprocess.run([*command, "--chunk", str(options.generate_chunk)], check=True)
    return folder_for(options.data, size, 1, options.generate_chunk)


def _child(mode: str, folder: Path, options: argparse.Namespace) -> dict[str, Any]:
    """Run ``mode`` in a child; kill its tree above the memory limit."""
    import psutil

    command = [sys.executable, __file__, "--run", mode, "--folder", str(folder)]
    for flag in ("data", "chunk_tickets", "worker_memory", "spark_memory"):
        command += [f"--{flag.replace('_', '-')}", str(getattr(options, flag))]
    limit = options.memory_limit * 2**30
    logs = options.data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    name = "-".join(
        map(str, (folder.name, mode, *([options.chunk_tickets] * (mode == "streamed"))))
    )
    log = logs / f"{name}.log"  # the child's stderr, and the tree's peak every minute
    with tempfile.TemporaryFile("w+") as out, open(log, "w", buffering=1) as errors:
        child = subprocess.Popen(command, stdout=out, stderr=errors, text=True)
        parent, killed, watched, start = psutil.Process(child.pid), False, 0, time.monotonic()
        report = start
        while child.poll() is None:
            watched = max(watched, tree_rss(parent))
            if time.monotonic() >= report:
                seconds = time.monotonic() - start
                print(f"watch: {seconds:.0f} s, tree peak {watched / 2**20:,.0f} MiB", file=errors)
                report += 60
            # Also stop before the machine runs out (it may be shared).
            low = psutil.virtual_memory().available < options.keep_free * 2**30
            if watched > limit or low:
                for proc in [*parent.children(recursive=True), parent]:
                    with contextlib.suppress(psutil.Error):
                        proc.kill()
                killed = True
                break
            time.sleep(0.2)
        child.wait()
        if killed:
            reached = f"> {options.memory_limit:g} GiB"
            if low:
                reached = f"{watched / 2**30:.1f} GiB, machine below {options.keep_free:g} GiB free"
            return {"status": f"out of memory ({reached})", "watched_peak_bytes": watched}
        if child.returncode != 0:
            return {"status": "failed", "error": log.read_text().strip().splitlines()[-1:]}
        out.seek(0)
        result = json.loads(out.read().strip().splitlines()[-1])
        return {"status": "ok", **result, "watched_peak_bytes": watched}


def measure(options: argparse.Namespace) -> None:
    results = options.data / "results"
    results.mkdir(parents=True, exist_ok=True)
    failed = {  # a mode out of memory at a smaller size, in an earlier invocation too
        record["mode"]
        for record in map(json.loads, map(Path.read_text, results.glob("*.json")))
        if record["tickets"] < min(options.tickets) and record["status"].startswith("out of")
    }
    for size in options.tickets:
        folder = prepare(size, options)
        for mode in options.modes:
            record: dict[str, Any] = {"tickets": size, "mode": mode}
            if mode == "streamed":
                record["chunk_tickets"] = options.chunk_tickets
            if mode in failed:
                record["status"] = "skipped (failed at a smaller size)"
            else:
                record["load_before"] = os.getloadavg()
                record.update(_child(mode, folder, options))
                record["load_after"] = os.getloadavg()
                record["finished_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
            if record["status"] != "ok" and not record["status"].startswith("skipped"):
                failed.add(mode)
            name = "-".join(map(str, (size, *_column(record))))
            (results / f"{name}.json").write_text(json.dumps(record, indent=1))
            print(_cell(record), f"({size:,} tickets, {mode})", flush=True)


def _cell(record: dict[str, Any] | None) -> str:
    if record is None:
        return "not run (time)"
    if record["status"] == "failed" and record.get("error"):
        return f"failed ({record['error'][-1].split(':')[0]})"  # the exception's name
    if record["status"] != "ok":
        return str(record["status"])
    mib, size = record["peak_bytes"] / 2**20, record["tickets"]
    load = max(record["load_before"][0], record["load_after"][0])
    differ = "" if record.get("same_values", True) else ", values differ!"
    return (
        f"{record['seconds']:,.0f} s, {mib:,.0f} MiB ({mib * 1024 / size:.2f} KiB/ticket), "
        f"load {load:.1f}{differ}"
    )


def _column(record: dict[str, Any]) -> tuple[str, ...]:
    """The table column of a result: its mode, and the streamed mode's bucket size."""
    chunk = record.get("chunk_tickets")
    return (record["mode"],) if chunk is None else (record["mode"], str(chunk))


def table(options: argparse.Namespace) -> str:
    """The markdown table of every result under ``<data>/results``."""
    found: dict[tuple[int, tuple[str, ...]], dict[str, Any]] = {}
    for path in (options.data / "results").glob("*.json"):
        record = json.loads(path.read_text())
        if record["mode"] in options.modes:
            found[record["tickets"], _column(record)] = record
    order = list(MODES).index
    columns = sorted({c for _, c in found}, key=lambda c: (order(c[0]), c[1:] and int(c[1])))
    sizes = sorted({size for size, _ in found} | set(options.tickets))
    reference: dict[int, Any] = {}  # the first column that ran, per size
    for size in sizes:
        for column in columns:
            record = found.get((size, column))
            if record is not None and record["status"] == "ok":
                reference.setdefault(size, record["values"])
                record["same_values"] = record["values"] == reference[size]
    header = {"inprocess": "in process", "dask": "Dask (2 workers)", "spark": "Spark `local[2]`"}
    titles = [
        f"streamed (`chunk_tickets={int(c[1]):,}`)" if len(c) > 1 else header[c[0]] for c in columns
    ]
    lines = ["| tickets | " + " | ".join(titles) + " |", "| ---: |" + " --- |" * len(columns)]
    for size in sizes:
        cells = [_cell(found.get((size, column))) for column in columns]
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "scale")
    parser.add_argument("--chunk-tickets", type=int, default=250_000, help="streamed buckets")
    parser.add_argument("--generate-chunk", type=int, default=DEFAULT_CHUNK)
    parser.add_argument("--memory-limit", type=float, default=12.0, help="GiB per child tree")
    parser.add_argument(
        "--keep-free", type=float, default=2.0, help="GiB the machine keeps available"
    )
    parser.add_argument("--worker-memory", default="4GiB", help="each Dask worker's limit")
    parser.add_argument("--spark-memory", default="8g", help="spark.driver.memory")
    parser.add_argument("--table", action="store_true", help="print the markdown table")
    parser.add_argument("--run", choices=list(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.run:
        print(json.dumps(one_run(options.run, options.folder, options)))
    elif options.table:
        print(table(options))
    else:
        measure(options)


if __name__ == "__main__":
    main()
