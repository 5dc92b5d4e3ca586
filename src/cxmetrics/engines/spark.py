"""Metrics over PySpark DataFrames: ``mapInArrow`` partitions -> states -> ``treeReduce``.

A table read alone (surveys, calls, customers) is folded batch by batch with
``mapInArrow``. Tickets are co-located first: each ticket gets a bucket from its
customer (its own id when it has none), history rows take their ticket's bucket by
a Spark join, every table's Arrow batches are cut by bucket into Arrow IPC pieces
(``mapInArrow``), the pieces of all tables are shuffled together on the bucket
(``repartition``), and each partition folds its whole customers. States, pickled,
merge in a tree on the executors (``RDD.treeReduce``); only the last one reaches
the driver.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Iterator
from functools import partial, reduce
from typing import Any

import cxmetrics.engines.partition as partition
from cxmetrics._optional import import_optional
from cxmetrics.engines.partition import BUCKET, ORDER, Folds, States
from cxmetrics.engines.tables import KEYED, tables_for

__all__ = ["co_locate", "fold_spark", "fold_spark_with"]

_PIECES = f"{BUCKET} long, _cxmetrics_table string, _cxmetrics_piece binary"
_STATE = "_cxmetrics_state binary"


def _functions() -> Any:
    return import_optional("pyspark.sql.functions", extra="spark", feature="Spark DataFrames")


def _pieces(name: str) -> Any:
    """A ``mapInArrow`` function cutting batches into one Arrow IPC piece per bucket."""

    def cut(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa
        import pyarrow.compute as pc

        for batch in batches:
            if batch.num_rows == 0:
                continue
            table = pa.Table.from_batches([batch])
            buckets = table[BUCKET]
            for bucket in pc.unique(buckets).to_pylist():
                piece = table.filter(pc.equal(buckets, bucket))
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, piece.schema) as writer:
                    writer.write_table(piece)
                yield pa.RecordBatch.from_pydict(
                    {
                        BUCKET: [bucket],
                        "_cxmetrics_table": [name],
                        "_cxmetrics_piece": [sink.getvalue().to_pybytes()],
                    },
                    schema=pa.schema(
                        [(BUCKET, pa.int64()), ("_cxmetrics_table", pa.string()),
                         ("_cxmetrics_piece", pa.binary())]
                    ),
                )  # fmt: skip

    return cut


def _state_batch(state: Any) -> Iterator[Any]:
    import pyarrow as pa

    if state is not None:
        yield pa.RecordBatch.from_pydict(
            {"_cxmetrics_state": [pickle.dumps(state)]},
            schema=pa.schema([("_cxmetrics_state", pa.binary())]),
        )


def _fold_pieces(folder: partition.Fold, kind: str) -> Any:
    """A ``mapInArrow`` function folding a partition of pieces into one pickled state."""

    def fold(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        pieces: dict[str, list[Any]] = {}
        for batch in batches:
            for name, blob in zip(
                batch.column(1).to_pylist(), batch.column(2).to_pylist(), strict=True
            ):
                pieces.setdefault(name, []).append(pa.ipc.open_stream(blob).read_all())
        if kind not in pieces:
            return
        tables = {name: pa.concat_tables(parts) for name, parts in pieces.items()}
        yield from _state_batch(partition.fold_input(folder, kind, tables))

    return fold


def _fold_batches(folder: partition.Fold, kind: str) -> Any:
    """A ``mapInArrow`` function folding a partition of one table into one pickled state."""

    def fold(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        parts = [batch for batch in batches if batch.num_rows]
        if parts:
            table = pa.Table.from_batches(parts)
            yield from _state_batch(partition.fold_input(folder, kind, {kind: table}))

    return fold


def co_locate(kind: str, tables: dict[str, Any]) -> Any:
    """The pieces of ``tables`` (as for :func:`cxmetrics.engines.dask.co_locate`) on Spark.

    Returns one row per (batch, bucket, table) piece, partitioned on the bucket.
    """
    F = _functions()
    main = tables[kind]
    # At least one partition per core: a small Parquet file is often read as one.
    n = max(
        int(main.rdd.getNumPartitions()), int(main.sparkSession.sparkContext.defaultParallelism)
    )
    key = F.col("id").cast("string")
    if "customer_id" in main.columns:
        key = F.coalesce(F.col("customer_id").cast("string"), key)
    main = main.withColumn(ORDER, F.monotonically_increasing_id()).withColumn(
        BUCKET, F.pmod(F.xxhash64(key), F.lit(n))
    )
    owners = main.select(F.col("id").alias("ticket_id"), F.col(BUCKET))
    pieces = [main.mapInArrow(_pieces(kind), _PIECES)]
    for name, frame in tables.items():
        if name != kind:
            ordered = frame.withColumn(ORDER, F.monotonically_increasing_id())
            joined = ordered.join(owners, on="ticket_id", how="left").fillna(0, subset=[BUCKET])
            pieces.append(joined.mapInArrow(_pieces(name), _PIECES))
    return reduce(lambda a, b: a.unionByName(b), pieces).repartition(n, F.col(BUCKET))


def fold_spark(metrics: Folds, kind: str, items: Any) -> States | None:
    """:func:`cxmetrics.engines.dask.fold_dask` on Spark: same arguments, same states.

    ``None`` when no partition had a row (``treeReduce`` of nothing).
    """
    states: States | None = fold_spark_with(
        partial(partition.metric_states, metrics), partition.merge_pair, kind, items
    )
    return states


def fold_spark_with(fold: partition.Fold, merge: partition.Merge, kind: str, items: Any) -> Any:
    """Any mergeable ``fold`` of the ``kind`` table's partitions, merged by ``merge`` in a tree.

    ``None`` when no partition had a row.
    """
    tables = tables_for(kind, items)
    with warnings.catch_warnings():
        # PySpark checks the pandas version for mapInArrow too; this path is Arrow only.
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
        )
        if kind in KEYED:
            states = co_locate(kind, tables).mapInArrow(_fold_pieces(fold, kind), _STATE)
        else:
            states = tables[kind].mapInArrow(_fold_batches(fold, kind), _STATE)
    rdd = states.rdd.map(lambda row: pickle.loads(row[0]))
    try:
        return rdd.treeReduce(merge)
    except ValueError:  # no partition had a row
        return None
