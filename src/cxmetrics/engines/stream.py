"""Metrics over own-schema Parquet files larger than memory, on one machine.

The files are read in customer buckets: the ticket ids and customer ids are read
first (two columns), each ticket gets a bucket from its customer (its own id when
it has none, as on the engines), and one pass over each file writes its rows,
numbered in table order, into a temporary folder per bucket (a history row takes
its ticket's bucket, found by a 64-bit hash of the ticket id). Then each bucket's
rows of every table are read back, read by the ordinary validating readers,
folded and dropped. The peak is one bucket's rows and the ids' hashes (24 bytes a
ticket), whatever the size of the files; ``chunk_tickets`` sets it. Each file is
read once and written once to the temporary folder (about its own size on disk).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.core.base import Metric
from cxmetrics.core.periods import Period
from cxmetrics.engines.partition import (
    ORDER,
    Fold,
    Merge,
    fold_input,
    fold_report_sealed,
    merge_pair,
    metric_states,
)
from cxmetrics.engines.tables import KEYED, TICKET_HISTORIES
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.reporting.build import finish_report, plan_report
from cxmetrics.reporting.parts import merge_parts
from cxmetrics.reporting.result import Report

__all__ = ["report_from_parquet", "update_from_parquet"]


_SCAN = {"batch_readahead": 2, "fragment_readahead": 1}
"""Arrow scans ahead 16 batches of 4 files by default: a folder of several files per
table would hold several files' batches at once."""

_SPILL_ROWS = 262_144
"""Rows read before every bucket's share of them is written (a row group per bucket)."""

_KEY_SLICE = 1_000_000
"""Rows hashed at once: the keys become Python strings, so a slice at a time."""


def _hashes(values: Any) -> Any:
    """A stable 64-bit hash of every value of an Arrow array (as text), a slice at a time."""
    import pandas as pd

    out = np.empty(len(values), dtype=np.uint64)
    for start in range(0, len(values), _KEY_SLICE):
        some = values.slice(start, _KEY_SLICE).to_pandas().astype(str)
        out[start : start + len(some)] = pd.util.hash_pandas_object(some, index=False).to_numpy()
    return out


def _buckets(ids: Any, customers: Any, n: int) -> Any:
    """A stable bucket in ``[0, n)`` per row, from its customer (else its id)."""
    pc = import_optional("pyarrow.compute", extra="dataframes", feature="streamed Parquet")
    keys = ids if customers is None else pc.coalesce(customers.cast(ids.type), ids)
    return (_hashes(keys) % np.uint64(n)).astype(np.int64)


def _spill(dataset: Any, bucket_of: Any, target: Path, buckets: int) -> None:
    """Write the rows of ``dataset`` into one Parquet file per bucket, numbered in table order.

    Written as read, every :data:`_SPILL_ROWS` rows, so the memory held is about
    that many rows whatever the table's size (Arrow's dataset writer queues rows
    faster than it writes them: most of a large table).
    """
    pa = import_optional("pyarrow", extra="dataframes", feature="streamed Parquet")
    pq = import_optional("pyarrow.parquet", extra="dataframes", feature="streamed Parquet")
    target.mkdir(parents=True, exist_ok=True)
    schema = dataset.schema.append(pa.field(ORDER, pa.int64()))
    writers: dict[int, Any] = {}
    pending: dict[int, list[Any]] = {}

    def flush() -> None:  # every bucket's rows so far: one row group each
        for bucket, pieces in pending.items():
            if bucket not in writers:
                writers[bucket] = pq.ParquetWriter(target / f"{bucket}.parquet", schema)
            writers[bucket].write_table(pa.Table.from_batches(pieces, schema=schema))
        pending.clear()

    row = held = 0
    try:
        for batch in dataset.to_batches(**_SCAN):
            if not batch.num_rows:
                continue
            numbered = batch.append_column(
                ORDER, pa.array(np.arange(row, row + batch.num_rows, dtype=np.int64))
            )
            row += batch.num_rows
            bucket = np.asarray(bucket_of(batch), dtype=np.int64)
            order = np.argsort(bucket, kind="stable")
            grouped = numbered.take(pa.array(order))
            values, starts = np.unique(bucket[order], return_index=True)
            ends = np.append(starts[1:], order.size)
            for value, start, end in zip(
                values.tolist(), starts.tolist(), ends.tolist(), strict=True
            ):
                pending.setdefault(value, []).append(grouped.slice(start, end - start))
            held += batch.num_rows
            if held >= _SPILL_ROWS:
                flush()
                held = 0
        flush()
    finally:
        for writer in writers.values():
            writer.close()


def _bucket_table(target: Path, bucket: int, schema: Any) -> Any:
    """The rows of one bucket spilled by :func:`_spill` (an empty table when none)."""
    pq = import_optional("pyarrow.parquet", extra="dataframes", feature="streamed Parquet")
    path = target / f"{bucket}.parquet"
    if not path.exists():
        return schema.empty_table()
    return pq.read_table(path)


def _fold_keyed(kind: str, fold: Fold, merge: Merge, folder: Path, chunk_tickets: int) -> Any:
    """Fold whole customers a bucket at a time: one pass spills every table by bucket."""
    ds = import_optional("pyarrow.dataset", extra="dataframes", feature="streamed Parquet")
    main = ds.dataset(folder / f"{kind}.parquet")
    names = main.schema.names
    columns = ["id", "customer_id"] if "customer_id" in names else ["id"]
    keys = main.to_table(columns=columns, **_SCAN)
    n = max(1, math.ceil(keys.num_rows / chunk_tickets))
    customers = keys["customer_id"] if "customer_id" in names else None
    histories = {
        name: ds.dataset(folder / f"{name}.parquet")
        for name in (TICKET_HISTORIES if kind == "tickets" else ())
        if (folder / f"{name}.parquet").exists()
    }
    if n == 1:  # one bucket: read the files whole
        tables = {kind: main.to_table(**_SCAN)}
        tables.update({name: history.to_table(**_SCAN) for name, history in histories.items()})
        return merge(None, fold_input(fold, kind, tables))
    # A history row finds its ticket's bucket by the ticket id's hash: the hashes
    # sorted once, with each ticket's bucket in the same order (12 bytes a ticket).
    ticket_hash = _hashes(keys["id"])
    by_hash = np.argsort(ticket_hash, kind="stable")
    sorted_hash = ticket_hash[by_hash]
    del ticket_hash
    bucket_by_hash = _buckets(keys["id"], customers, n).astype(np.int32)[by_hash]
    del keys, customers, by_hash

    def owner(batch: Any) -> Any:
        wanted = _hashes(batch.column("ticket_id"))
        at = np.minimum(np.searchsorted(sorted_hash, wanted), max(sorted_hash.size - 1, 0))
        found = sorted_hash[at] == wanted
        # A row whose ticket is missing is reported by the reader of its bucket.
        return np.where(found, bucket_by_hash[at], 0)

    total: Any = None
    with tempfile.TemporaryDirectory(prefix="cxmetrics-stream-") as spill:
        root = Path(spill)
        _spill(main, lambda batch: _buckets(batch.column("id"), _customers(batch), n),
               root / kind, n)  # fmt: skip
        for name, history in histories.items():
            _spill(history, owner, root / name, n)
        schemas = {kind: main.schema, **{name: h.schema for name, h in histories.items()}}
        for b in range(n):
            tables = {
                name: _bucket_table(root / name, b, schema) for name, schema in schemas.items()
            }
            total = merge(total, fold_input(fold, kind, tables))
            del tables
    return total


def _customers(batch: Any) -> Any:
    names = batch.schema.names
    return batch.column("customer_id") if "customer_id" in names else None


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
    quantiles: str = "exact",
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
    metrics, period, by, timezone, calendar, sla, params, statistic, quantiles, charts, targets
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
        params=params, statistic=statistic, quantiles=quantiles, targets=targets,
    )  # fmt: skip
    _check_fields(plan.by, folder, kinds)
    fold = partial(fold_report_sealed, plan)
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
