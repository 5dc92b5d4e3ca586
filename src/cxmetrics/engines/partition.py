"""One partition of co-located tables folded into a state, and the tree merge of states.

Both engines run the same code on their workers: a partition's tables (pandas
DataFrames from Dask, Arrow tables from Spark) become the library's columnar input
through the ordinary readers (:func:`cxmetrics.tables.ticket_frames.to_ticket_batch`
for tickets and their histories, the metric's own reader otherwise, which validate
every row), and the metric folds them into its state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from cxmetrics.core.state import State
from cxmetrics.engines.tables import KEYED, TICKET_HISTORIES
from cxmetrics.reporting.build import fold_report
from cxmetrics.reporting.parts import seal_part
from cxmetrics.tables.ticket_frames import to_ticket_batch

__all__ = [
    "BUCKET",
    "ORDER",
    "Fold",
    "Folds",
    "Merge",
    "States",
    "fold_input",
    "fold_partition",
    "fold_report_sealed",
    "merge_pair",
    "metric_states",
    "partition_input",
    "tree_merge",
]

BUCKET = "_cxmetrics_bucket"
"""The column an engine adds to co-locate rows (dropped before reading)."""

ORDER = "_cxmetrics_row"
"""The column an engine adds to keep each table's row order through a shuffle.

Histories may hold events at the same instant, whose order in the table decides
(a status change to ``new`` and one to ``open`` in the same second), so each
partition's rows are put back in their order before reading.
"""


def _without_bucket(table: Any) -> Any:
    """The table in its original row order, without the engine's columns."""
    names = list(getattr(table, "column_names", None) or table.columns)
    added = [name for name in (BUCKET, ORDER) if name in names]
    if hasattr(table, "drop_columns"):  # pyarrow
        if ORDER in names:
            table = table.sort_by(ORDER)
        return table.drop_columns(added) if added else table
    if ORDER in names:
        table = table.sort_values(ORDER, kind="stable")
    return table.drop(columns=added) if added else table


def partition_input(kind: str, tables: Mapping[str, Any]) -> Any:
    """The library input of one partition: a ``TicketBatch`` for tickets, else the table.

    Examples
    --------
    >>> import pandas as pd
    >>> batch = partition_input("tickets", {"tickets": pd.DataFrame(
    ...     {"id": ["a"], "created_at": [0.0], "_cxmetrics_bucket": [3]})})
    >>> len(batch)
    1
    """
    main = _without_bucket(tables[kind])
    if kind != "tickets":
        return main
    histories = {name: _without_bucket(tables[name]) for name in TICKET_HISTORIES if name in tables}
    return to_ticket_batch(main, **histories)


Fold = Callable[[str, Any], Any]
"""``fold(kind, input)``: one partition's library input folded into something mergeable."""

Merge = Callable[[Any, Any], Any]
"""``merge(a, b)``: two folds (either ``None``, an empty partition) into one."""

Folds = tuple[tuple[Any, Any], ...]
"""The metrics a pass folds: ``(metric_type, params)`` pairs reading the same table."""

States = tuple[State, ...]


def fold_partition(metrics: Folds, kind: str, tables: Mapping[str, Any]) -> States | None:
    """The states of ``metrics`` over one partition (``None`` when it has no rows).

    The partition's input is read once, whatever the number of metrics.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics import CSAT, NPS
    >>> fold_partition(((NPS, NPS().params), (CSAT, CSAT(scale=10).params)), "surveys",
    ...                {"surveys": pd.DataFrame({"kind": ["nps"], "score": [10]})})
    (NPSState(promoters=1, passives=0, detractors=0), RatioState(numerator=0, denominator=0))
    """
    states: States | None = fold_input(partial(metric_states, metrics), kind, tables)
    return states


def metric_states(metrics: Folds, kind: str, items: Any) -> States:
    """The states of ``metrics`` over one library input (``kind`` is the table they read)."""
    return tuple(metric_type._update(items, params) for metric_type, params in metrics)


def fold_input(fold: Callable[[str, Any], Any], kind: str, tables: Mapping[str, Any]) -> Any:
    """``fold(kind, input)`` over one partition's library input (``None`` when it has no rows).

    Any mergeable fold: the metrics' states (:func:`fold_partition`), a report's
    part (:func:`cxmetrics.reporting.build.fold_report`).

    Examples
    --------
    >>> import pandas as pd
    >>> fold_input(lambda kind, items: (kind, len(items)), "surveys",
    ...            {"surveys": pd.DataFrame({"kind": ["nps"], "score": [10]})})
    ('surveys', 1)
    """
    if len(tables[kind]) == 0:
        return None
    return fold(kind, partition_input(kind, tables))


def merge_pair(a: States | None, b: States | None) -> States | None:
    """Merge two tuples of states metric by metric; either may be missing (an empty partition).

    Examples
    --------
    >>> from cxmetrics import RatioState
    >>> merge_pair((RatioState(1, 2),), None)
    (RatioState(numerator=1, denominator=2),)
    >>> merge_pair((RatioState(1, 2),), (RatioState(1, 1),))
    (RatioState(numerator=2, denominator=3),)
    """
    if a is None:
        return b
    if b is None:
        return a
    return tuple(x.merge(y) for x, y in zip(a, b, strict=True))


def tree_merge(states: Sequence[States | None]) -> States | None:
    """Merge tuples of states pairwise in rounds (depth log2 n), as the engines do.

    Examples
    --------
    >>> from cxmetrics import RatioState
    >>> tree_merge([(RatioState(1, 1),), None, (RatioState(0, 3),), (RatioState(2, 2),)])
    (RatioState(numerator=3, denominator=6),)
    """
    level = list(states)
    if not level:
        return None
    while len(level) > 1:
        level = [
            merge_pair(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
            for i in range(0, len(level), 2)
        ]
    return level[0]


def fold_report_sealed(plan: Any, kind: str, items: Any) -> Any:
    """A report's part of one partition, its per-customer tallies sealed for keyed inputs.

    The engines and the stream keep each customer's tickets (and calls) in one
    partition, so the tallies need not carry the customers
    (:func:`cxmetrics.reporting.parts.seal_part`).
    """
    part = fold_report(plan, kind, items)
    return seal_part(part, segmented=bool(plan.by)) if kind in KEYED else part
