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
from pathlib import Path
from typing import Any

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.core.base import Metric
from cxmetrics.engines.partition import States, fold_partition, merge_pair
from cxmetrics.engines.tables import KEYED, TICKET_HISTORIES
from cxmetrics.exceptions import InvalidParameterError

__all__ = ["update_from_parquet"]


def _buckets(ids: Any, customers: Any, n: int) -> Any:
    """A stable bucket in ``[0, n)`` per row, from its customer (else its id)."""
    import pandas as pd

    keys = (
        customers.to_pandas().fillna(ids.to_pandas()) if customers is not None else ids.to_pandas()
    )
    hashed = pd.util.hash_pandas_object(keys.astype(str), index=False).to_numpy()
    return (hashed % n).astype(np.int64)


def _fold_keyed(
    kind: str, folds: tuple[tuple[Any, Any], ...], folder: Path, chunk_tickets: int
) -> States | None:
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
    total: States | None = None
    for b in range(n):
        ids = pc.filter(keys["id"], bucket == b)
        tables = {kind: main.to_table(filter=ds.field("id").isin(ids))}
        for name, history in histories.items():
            tables[name] = history.to_table(filter=ds.field("ticket_id").isin(ids))
        total = merge_pair(total, fold_partition(folds, kind, tables))
    return total


def _fold_batches(
    kind: str, folds: tuple[tuple[Any, Any], ...], folder: Path, chunk_rows: int
) -> States | None:
    ds = import_optional("pyarrow.dataset", extra="dataframes", feature="streamed Parquet")
    pa = import_optional("pyarrow", extra="dataframes", feature="streamed Parquet")
    total: States | None = None
    for batch in ds.dataset(folder / f"{kind}.parquet").to_batches(batch_size=chunk_rows):
        table = pa.Table.from_batches([batch])
        total = merge_pair(total, fold_partition(folds, kind, {kind: table}))
    return total


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
        if kind in KEYED:
            states = _fold_keyed(kind, folds, folder, chunk_tickets)
        else:
            states = _fold_batches(kind, folds, folder, chunk_tickets)
        if states is not None:
            for metric, state in zip(group, states, strict=True):
                metric.merge(state)
