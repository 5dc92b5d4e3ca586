"""Metrics over own-schema Parquet files larger than memory, on one machine.

The files are read in customer buckets: the ticket ids and customer ids are read
first (two columns), each ticket gets a bucket from its customer (its own id when
it has none, as on the engines), and for each bucket the rows of every table that
belong to it are read with a filter (Arrow scans the files batch by batch and keeps
only matching rows), read by the ordinary validating readers, folded into states
and dropped. The peak is one bucket's rows, whatever the size of the files;
``chunk_tickets`` sets it. Each file is scanned once per bucket.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.core.base import Metric
from cxmetrics.core.periods import Period
from cxmetrics.engines.partition import Fold, Merge, fold_input, merge_pair, metric_states
from cxmetrics.engines.tables import KEYED, TICKET_HISTORIES
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.reporting.build import finish_report, fold_report, plan_report
from cxmetrics.reporting.parts import merge_parts
from cxmetrics.reporting.result import Report

__all__ = ["report_from_parquet", "update_from_parquet"]


_SCAN = {"batch_readahead": 2, "fragment_readahead": 1}
"""Arrow scans ahead 16 batches of 4 files by default: a folder of several files per
table would hold several files' batches at once."""

_KEY_SLICE = 1_000_000
"""Rows hashed at once: the keys become Python strings, so a slice at a time."""


def _buckets(ids: Any, customers: Any, n: int) -> Any:
    """A stable bucket in ``[0, n)`` per row, from its customer (else its id)."""
    import pandas as pd

    out = np.empty(len(ids), dtype=np.int64)
    for start in range(0, len(ids), _KEY_SLICE):
        some = ids.slice(start, _KEY_SLICE).to_pandas()
        keys = some if customers is None else customers.slice(start, _KEY_SLICE).to_pandas()
        keys = keys.fillna(some) if customers is not None else keys
        hashed = pd.util.hash_pandas_object(keys.astype(str), index=False).to_numpy()
        out[start : start + len(some)] = (hashed % n).astype(np.int64)
    return out


def _fold_keyed(kind: str, fold: Fold, merge: Merge, folder: Path, chunk_tickets: int) -> Any:
    ds = import_optional("pyarrow.dataset", extra="dataframes", feature="streamed Parquet")
    pc = import_optional("pyarrow.compute", extra="dataframes", feature="streamed Parquet")
    main = ds.dataset(folder / f"{kind}.parquet")
    names = main.schema.names
    keys = main.to_table(columns=["id", "customer_id"] if "customer_id" in names else ["id"])
    n = max(1, math.ceil(keys.num_rows / chunk_tickets))
    bucket = _buckets(keys["id"], keys["customer_id"] if "customer_id" in names else None, n)
    histories = {
        name: ds.dataset(folder / f"{name}.parquet")
        for name in (TICKET_HISTORIES if kind == "tickets" else ())
        if (folder / f"{name}.parquet").exists()
    }
    total: Any = None
    for b in range(n):
        ids = pc.filter(keys["id"], bucket == b)
        tables = {kind: main.to_table(filter=ds.field("id").isin(ids), **_SCAN)}
        for name, history in histories.items():
            tables[name] = history.to_table(filter=ds.field("ticket_id").isin(ids), **_SCAN)
        total = merge(total, fold_input(fold, kind, tables))
        del tables
    return total


def _fold_batches(kind: str, fold: Fold, merge: Merge, folder: Path, chunk_rows: int) -> Any:
    ds = import_optional("pyarrow.dataset", extra="dataframes", feature="streamed Parquet")
    pa = import_optional("pyarrow", extra="dataframes", feature="streamed Parquet")
    total: Any = None
    scanned = ds.dataset(folder / f"{kind}.parquet").to_batches(batch_size=chunk_rows, **_SCAN)
    for batch in scanned:
        table = pa.Table.from_batches([batch])
        total = merge(total, fold_input(fold, kind, {kind: table}))
    return total


def _fold_file(kind: str, fold: Fold, merge: Merge, folder: Path, chunk_tickets: int) -> Any:
    """The merged folds of one table's chunks: whole customers for tickets and calls."""
    step = _fold_keyed if kind in KEYED else _fold_batches
    return step(kind, fold, merge, folder, chunk_tickets)


def update_from_parquet(
    metrics: Sequence[Metric[Any, Any]], folder: str | Path, *, chunk_tickets: int = 250_000
) -> None:
    """Fold metrics over own-schema Parquet files in bounded memory.

    Parameters
    ----------
    metrics : sequence of Metric
        Each gains the state of the rows it reads (one pass per table read).
    folder : path
        A folder of own-schema Parquet files (``tickets.parquet``,
        ``interactions.parquet``…, ``surveys.parquet``, ``calls.parquet``,
        ``customers.parquet``), as :func:`cxmetrics.io.write_parquet` writes.
    chunk_tickets : int, default=250000
        About how many tickets (or calls) are in memory at once; whole customers
        are kept together.

    Examples
    --------
    >>> import tempfile
    >>> from cxmetrics import FCR, fcr_rate
    >>> from cxmetrics.datasets import generate
    >>> from cxmetrics.io import write_parquet
    >>> data = generate(500, seed=2)
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_parquet(folder, tickets=data.tickets)
    >>> metric = FCR()
    >>> update_from_parquet([metric], folder, chunk_tickets=100)
    >>> metric.compute().value == fcr_rate(data.tickets)
    True
    """
    if chunk_tickets < 1:
        raise InvalidParameterError(f"chunk_tickets must be at least 1, got {chunk_tickets}")
    folder = Path(folder)
    by_kind: dict[str, list[Metric[Any, Any]]] = {}
    for metric in metrics:
        by_kind.setdefault(metric.input_kind, []).append(metric)
    for kind, group in by_kind.items():
        if not (folder / f"{kind}.parquet").exists():
            raise InvalidParameterError(
                f"{type(group[0]).__name__} reads {kind}: no {kind}.parquet in {folder}"
            )
        folds = tuple((type(m), m.params) for m in group)
        fold = partial(metric_states, folds)
        states = _fold_file(kind, fold, merge_pair, folder, chunk_tickets)
        if states is not None:
            for metric, state in zip(group, states, strict=True):
                metric.merge(state)


STREAMED_KINDS = ("tickets", "surveys", "calls", "customers")
"""The own-schema files a streamed report reads (ticket histories travel with the tickets)."""


def report_from_parquet(
    folder: str | Path,
    *,
    chunk_tickets: int = 250_000,
    metrics: Sequence[str] | None = None,
    period: Period | None = None,
    by: Sequence[str] | str | None = None,
    timezone: str = "UTC",
    calendar: Any = None,
    sla: Any = None,
    params: dict[str, dict[str, Any]] | None = None,
    statistic: str = "mean",
    charts: bool | Sequence[str] = False,
    targets: Any = None,
) -> Report:
    """The KPI report of :func:`cxmetrics.report` over own-schema Parquet files, in bounded memory.

    The tickets (with their histories) and calls are read in chunks of whole
    customers, the surveys and customers in chunks of rows; each chunk is folded
    into a part of the report (:func:`cxmetrics.reporting.build.fold_report`) and
    dropped, the parts merge, and the merged part is finished into the report.
    The peak is one chunk's rows and the report's states, whatever the size of
    the files.

    Parameters
    ----------
    folder : path
        A folder of own-schema Parquet files (``tickets.parquet`` with
        ``interactions.parquet``…, ``surveys.parquet``, ``calls.parquet``,
        ``customers.parquet``), as :func:`cxmetrics.io.write_parquet` writes.
    chunk_tickets : int, default=250000
        About how many tickets (calls, survey answers) are in memory at once.
    metrics, period, by, timezone, calendar, sla, params, statistic, charts, targets
        As in :func:`cxmetrics.report`. Charts are the metric trends: the duration
        distribution and the volume heatmap need every ticket at once.

    Returns
    -------
    Report
        Equal to ``report(**read_parquet(folder).inputs(), ...)`` (floats to
        rounding): rows, totals, skipped metrics, context. What reads raw rows
        (tag spikes, survey comments and reason mix, response rates) is listed in
        ``Report.insights.left_out``, on the page and in the JSON.

    Examples
    --------
    >>> import tempfile
    >>> from cxmetrics import report
    >>> from cxmetrics.datasets import generate
    >>> from cxmetrics.io import write_parquet
    >>> data = generate(400, seed=2)
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_parquet(folder, tickets=data.tickets, surveys=data.surveys)
    >>> streamed = report_from_parquet(folder, chunk_tickets=100, period="month",
    ...                                metrics=["fcr", "csat"])
    >>> whole = report(tickets=data.tickets, surveys=data.surveys, period="month",
    ...                metrics=["fcr", "csat"])
    >>> [r.value for r in streamed.rows] == [r.value for r in whole.rows]
    True
    """
    if chunk_tickets < 1:
        raise InvalidParameterError(f"chunk_tickets must be at least 1, got {chunk_tickets}")
    folder = Path(folder)
    kinds = [kind for kind in STREAMED_KINDS if (folder / f"{kind}.parquet").exists()]
    if not kinds:
        raise InvalidParameterError(
            f"no own-schema Parquet file in {folder} (tickets.parquet, surveys.parquet, "
            "calls.parquet, customers.parquet)"
        )
    plan = plan_report(
        metrics=metrics, period=period, by=by, timezone=timezone, calendar=calendar, sla=sla,
        params=params, statistic=statistic, targets=targets,
    )  # fmt: skip
    _check_fields(plan.by, folder, kinds)
    fold = partial(fold_report, plan)
    merged = None
    for kind in kinds:
        merged = merge_parts(merged, _fold_file(kind, fold, merge_parts, folder, chunk_tickets))
    known = {*STREAMED_KINDS, *TICKET_HISTORIES}
    unread = sorted(p.name for p in folder.glob("*.parquet") if p.stem not in known)
    notes = (*left_out(kinds), *(f"{name}: not read by a streamed report" for name in unread))
    return finish_report(plan, merged, kinds=kinds, charts=charts, left_out=notes)


def left_out(kinds: Sequence[str]) -> tuple[str, ...]:
    """What a partitioned report over these inputs leaves out, with the reason.

    Examples
    --------
    >>> left_out(["calls"])
    ()
    """
    notes = []
    if "tickets" in kinds:
        notes.append(
            "tag spikes: read from every ticket's tags at once, which a partitioned "
            "report does not hold (cxmetrics.insight.tag_spikes on the tags table)"
        )
    if "surveys" in kinds:
        notes.append(
            "survey comments and reasons: read from every answer at once, which a "
            "partitioned report does not hold (cxmetrics.insight.low_score_comments)"
        )
    return tuple(notes)


def _check_fields(by: Sequence[str], folder: Path, kinds: Sequence[str]) -> None:
    """Refuse a ``by`` field that no file has (as :func:`cxmetrics.report` does)."""
    ds = import_optional("pyarrow.dataset", extra="dataframes", feature="streamed Parquet")
    columns = {
        name for kind in kinds for name in ds.dataset(folder / f"{kind}.parquet").schema.names
    }
    for name in by:
        if name not in columns:
            raise InvalidParameterError(
                f"cannot segment by {name!r}: no file in {folder} has that column"
            )
