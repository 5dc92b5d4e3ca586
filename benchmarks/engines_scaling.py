"""Scaling benchmark: the same ticket metrics in process, on Dask and on Spark.

    python -m pip install -e ".[bench,dask,spark,sketch]"
    python benchmarks/engines_scaling.py --tickets 100000 300000 --modes inprocess streamed dask spark

For each size, a generated data set (``cxmetrics.datasets.generate``, seed 1) is
written once as own-schema Parquet files, then each mode runs in a fresh
subprocess and folds the same metrics over the files:

- ``inprocess``: ``cxmetrics.io.read_parquet`` then ``update`` of every metric;
- ``streamed``: ``cxmetrics.engines.stream.update_from_parquet`` (customer
  buckets of about 250,000 tickets, read with Arrow filters);
- ``dask``: ``dask.dataframe.read_parquet`` of each table on a ``LocalCluster`` of
  two single-threaded worker processes, then ``cxmetrics.engines.update_all``;
- ``spark``: ``spark.read.parquet`` on ``local[2]``, then ``update_all``.

Reported: wall time of the run (reading included, cluster start excluded) and the
peak resident memory of the whole process tree (the driver, workers and JVM,
summed, sampled every 0.1 s with psutil), also per ticket. Results are checked
equal across modes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

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


class PeakMemory:
    """Peak RSS of this process and all its descendants, summed, sampled in a thread."""

    def __init__(self) -> None:
        import psutil

        self.root = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in [self.root, *self.root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _tables(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet"))


def run_inprocess(folder: Path) -> list[Any]:
    from cxmetrics.io import read_parquet

    data = read_parquet(folder)
    metrics = _metrics()
    for metric in metrics:
        metric.update(getattr(data, metric.input_kind))
    return metrics


def run_streamed(folder: Path) -> list[Any]:
    from cxmetrics.engines.stream import update_from_parquet

    metrics = _metrics()
    update_from_parquet(metrics, folder, chunk_tickets=250_000)
    return metrics


def run_dask(folder: Path) -> list[Any]:
    import dask.dataframe as dd

    from cxmetrics.engines import DistributedTables, update_all

    tables = DistributedTables(
        **{f.stem: dd.read_parquet(f, blocksize="64MiB") for f in _tables(folder)}
    )
    metrics = _metrics()
    update_all(metrics, tables)
    return metrics


def run_spark(folder: Path, spark: Any) -> list[Any]:
    from cxmetrics.engines import DistributedTables, update_all

    tables = DistributedTables(**{f.stem: spark.read.parquet(str(f)) for f in _tables(folder)})
    metrics = _metrics()
    update_all(metrics, tables)
    return metrics


def one_run(mode: str, folder: Path) -> dict[str, Any]:
    """Run one mode in this process; print and return time, peak memory and values."""
    warnings.simplefilter("ignore")
    with PeakMemory() as memory:
        context: Any = None
        if mode == "dask":
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
            context = Client(cluster)
        if mode == "spark":
            from pyspark.sql import SparkSession

            context = (
                SparkSession.builder.master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.memory", "4g")
                .getOrCreate()
            )
            context.sparkContext.setLogLevel("ERROR")
        start = time.perf_counter()
        if mode == "inprocess":
            metrics = run_inprocess(folder)
        elif mode == "streamed":
            metrics = run_streamed(folder)
        elif mode == "dask":
            metrics = run_dask(folder)
        else:
            metrics = run_spark(folder, context)
        seconds = time.perf_counter() - start
        values = {type(m).name: m.compute().to_dict()["value"] for m in metrics}
        if context is not None:
            context.close() if mode == "dask" else context.stop()
    return {"mode": mode, "seconds": seconds, "peak_bytes": memory.peak, "values": values}


def prepare(size: int, root: Path) -> Path:
    """Write the generated data set of ``size`` tickets once (Parquet, own schema)."""
    folder = root / f"tickets-{size}"
    if not (folder / "tickets.parquet").exists():
        from cxmetrics.datasets import generate
        from cxmetrics.io import write_parquet

        data = generate(size, seed=1)
        write_parquet(folder, tickets=data.tickets, surveys=data.surveys.to_table())
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[100_000])
    parser.add_argument("--modes", nargs="+", default=["inprocess", "streamed", "dask", "spark"])
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "cxmetrics-scaling"
    )
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(one_run(args.run, args.data)))
        return
    print(f"{'tickets':>9} {'mode':>10} {'seconds':>8} {'peak MiB':>9} {'KiB/ticket':>10}")
    for size in args.tickets:
        folder = prepare(size, args.data)
        reference = None
        for mode in args.modes:
            out = subprocess.run(
                [sys.executable, __file__, "--run", mode, "--data", str(folder)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            reference = reference or result["values"]
            same = result["values"] == reference
            print(
                f"{size:>9} {mode:>10} {result['seconds']:>8.1f} {result['peak_bytes'] / 2**20:>9.0f} "
                f"{result['peak_bytes'] / 1024 / size:>10.2f}{'' if same else '  (values differ!)'}",
                flush=True,
            )


if __name__ == "__main__":
    main()
