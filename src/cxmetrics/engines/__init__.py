"""The same metrics on Dask and Spark: partitions -> tables -> states -> tree merge.

Every metric's ``update`` (and so its one-liner) accepts a Dask or PySpark
DataFrame, or a :class:`DistributedTables` bundle of them. The engine co-locates
the rows that must be seen together (a ticket's history, a customer's tickets) by
a shuffle on the key, each partition becomes the library's columnar tables
through the ordinary validated readers, folds into the metric's state on a
worker, and the states merge in a tree. Only states reach the driver.

Neither engine is imported until such an input arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cxmetrics.core.base import Metric
from cxmetrics.core.dispatch import register_engine
from cxmetrics.core.state import State
from cxmetrics.engines import per_ticket as _per_ticket  # noqa: F401  (registers per-ticket tables)
from cxmetrics.engines.partition import Folds, States
from cxmetrics.engines.tables import DistributedTables, engine_of

__all__ = ["DistributedTables", "engine_of", "fold_distributed", "is_engine_input", "update_all"]


def is_engine_input(items: Any) -> bool:
    """Whether ``items`` is a Dask or Spark DataFrame or a :class:`DistributedTables`.

    Examples
    --------
    >>> is_engine_input([5, 4]), is_engine_input(DistributedTables())
    (False, True)
    """
    return isinstance(items, DistributedTables) or engine_of(items) is not None


def _run(metrics: Folds, kind: str, items: Any) -> States | None:
    engine = items.engine if isinstance(items, DistributedTables) else engine_of(items)
    if engine == "spark":
        from cxmetrics.engines.spark import fold_spark

        return fold_spark(metrics, kind, items)
    from cxmetrics.engines.dask import fold_dask

    return fold_dask(metrics, kind, items)


def fold_distributed(metric_type: Any, params: Any, items: Any) -> State:
    """The state of ``metric_type`` (with ``params``) over a distributed input.

    This is what ``Metric.update`` calls for a Dask or Spark input.

    Examples
    --------
    >>> from cxmetrics import CSAT
    >>> fold_distributed(CSAT, CSAT().params, DistributedTables())
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: this metric reads surveys; DistributedTables.surveys is missing
    """
    states = _run(((metric_type, params),), metric_type.input_kind, items)
    if states is None:
        return metric_type(**dict(params)).state  # type: ignore[no-any-return]
    return states[0]


def update_all(metrics: Sequence[Metric[Any, Any]], tables: DistributedTables) -> None:
    """Fold every metric over the distributed tables, one pass per table read.

    Metrics reading the same table share one co-location shuffle and one reading
    of each partition, so ``update_all([FCR(), ResolutionTime(), ...], tables)``
    costs about one ``update``.

    Parameters
    ----------
    metrics : sequence of Metric
        Metric objects; each gains the state of the rows it reads.
    tables : DistributedTables

    Examples
    --------
    >>> from cxmetrics import NPS
    >>> update_all([], DistributedTables())
    >>> update_all([NPS()], DistributedTables())
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: this metric reads surveys; DistributedTables.surveys is missing
    """
    by_kind: dict[str, list[Metric[Any, Any]]] = {}
    for metric in metrics:
        by_kind.setdefault(metric.input_kind, []).append(metric)
    for kind, group in by_kind.items():
        states = _run(tuple((type(m), m.params) for m in group), kind, tables)
        if states is not None:
            for metric, state in zip(group, states, strict=True):
                metric.merge(state)


register_engine(is_engine_input, fold_distributed)
