"""Metrics over Dask DataFrames: ``to_delayed`` partitions -> states -> tree merge.

Tickets are co-located first: each ticket gets a bucket from its customer (its own
id when it has none), history rows take their ticket's bucket by a Dask join, and
every table is shuffled on the bucket into the same number of partitions, so
partition ``i`` of every table holds the same tickets, whole, with all their
customers' other tickets. Only states travel to the client.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from cxmetrics._optional import import_optional
from cxmetrics.engines.partition import (
    BUCKET,
    ORDER,
    Fold,
    Folds,
    Merge,
    States,
    fold_input,
    merge_pair,
    metric_states,
)
from cxmetrics.engines.tables import KEYED, tables_for

__all__ = ["co_locate", "fold_dask", "fold_dask_with"]


def _dask() -> Any:
    return import_optional("dask", extra="dask", feature="Dask DataFrames")


def _buckets(keys: Any, n: int) -> Any:
    """A stable bucket in ``[0, n)`` per key (the same in every process)."""
    import pandas as pd

    hashed = pd.util.hash_pandas_object(keys.astype(str), index=False).to_numpy()
    return pd.Series((hashed % n).astype("int64"), index=keys.index, name=BUCKET)


def _numbered(frame: Any, partition_info: Any = None) -> Any:
    """The partition with its rows numbered in table order (partition, then position)."""
    import numpy as np

    first = int(partition_info["number"]) << 40 if partition_info else 0
    return frame.assign(**{ORDER: np.arange(first, first + len(frame), dtype=np.int64)})


def co_locate(kind: str, tables: dict[str, Any]) -> dict[str, Any]:
    """Shuffle the tables so a customer's rows (and each ticket's history) share a partition.

    Parameters
    ----------
    kind : {"tickets", "calls"}
        The main table, keyed by ``customer_id`` (its own ``id`` where missing).
    tables : dict of str to dask DataFrame
        The main table and any ticket history tables (with ``ticket_id``).

    Returns
    -------
    dict of str to dask DataFrame
        The same tables with a bucket column, each in the main table's number of
        partitions, partition ``i`` of each holding the same buckets.
    """
    tables = {name: frame.map_partitions(_numbered) for name, frame in tables.items()}
    main = tables[kind]
    n = int(main.npartitions)
    key = main["id"]
    if "customer_id" in main.columns:
        key = main["customer_id"].fillna(main["id"])
    main = main.assign(**{BUCKET: key.map_partitions(_buckets, n, meta=(BUCKET, "int64"))})
    result = {kind: main.shuffle(on=BUCKET, npartitions=n)}
    owners = main[["id", BUCKET]].rename(columns={"id": "ticket_id"})
    for name, frame in tables.items():
        if name == kind:
            continue
        joined = frame.merge(owners, on="ticket_id", how="left")
        # A row whose ticket is missing is reported by the reader of its partition.
        joined = joined.assign(**{BUCKET: joined[BUCKET].fillna(0).astype("int64")})
        result[name] = joined.shuffle(on=BUCKET, npartitions=n)
    return result


def fold_dask(metrics: Folds, kind: str, items: Any) -> States | None:
    """The states of ``metrics`` (all reading ``kind``) over Dask tables, on the cluster.

    Parameters
    ----------
    metrics : tuple of (metric type, params)
    kind : str
        The table they read (``"tickets"``, ``"surveys"``…).
    items : dask DataFrame or DistributedTables

    Returns
    -------
    tuple of State or None
        One state per metric, equal to the in-process state of the same rows (float
        sums to rounding); ``None`` when no partition had a row.
    """
    states: States | None = fold_dask_with(partial(metric_states, metrics), merge_pair, kind, items)
    return states


def fold_dask_with(fold: Fold, merge: Merge, kind: str, items: Any) -> Any:
    """Any mergeable ``fold`` of the ``kind`` table's partitions, merged by ``merge`` in a tree.

    The folds and the merges run on the workers; only the last result reaches the
    client (``None`` when no partition had a row).
    """
    dask = _dask()
    tables = tables_for(kind, items)
    if kind in KEYED:
        tables = co_locate(kind, tables)
    parts = {name: frame.to_delayed() for name, frame in tables.items()}
    fold_part = dask.delayed(fold_input, pure=True)
    merge_two = dask.delayed(merge, pure=True)
    level = [
        fold_part(fold, kind, {name: parts[name][i] for name in parts})
        for i in range(len(parts[kind]))
    ]
    while len(level) > 1:  # the tree merge, on the workers
        level = [
            merge_two(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
            for i in range(0, len(level), 2)
        ]
    return level[0].compute() if level else None
