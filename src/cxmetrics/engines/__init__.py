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
from functools import partial
from typing import Any

import cxmetrics.engines.per_ticket as _per_ticket  # noqa: F401  (registers per-ticket tables)
from cxmetrics.core.base import Metric
from cxmetrics.core.dispatch import register_engine, register_function
from cxmetrics.core.periods import Period
from cxmetrics.core.state import State
from cxmetrics.engines.partition import Fold, Folds, Merge, States, fold_report_sealed
from cxmetrics.engines.stream import left_out
from cxmetrics.engines.tables import DistributedTables, engine_of
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.reporting.build import finish_report, fold_report, plan_report
from cxmetrics.reporting.parts import merge_parts
from cxmetrics.reporting.result import Report

__all__ = [
    "DistributedTables",
    "engine_of",
    "fold_distributed",
    "is_engine_input",
    "report_distributed",
    "update_all",
]


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


def _fold_engine(fold: Fold, merge: Merge, kind: str, items: Any) -> Any:
    engine = items.engine if isinstance(items, DistributedTables) else engine_of(items)
    if engine == "spark":
        from cxmetrics.engines.spark import fold_spark_with

        return fold_spark_with(fold, merge, kind, items)
    from cxmetrics.engines.dask import fold_dask_with

    return fold_dask_with(fold, merge, kind, items)


_KINDS = ("tickets", "surveys", "calls", "customers", "staff_surveys", "qa_evaluations",
          "callbacks")  # fmt: skip


def _sources(given: dict[str, Any]) -> dict[str, Any]:
    """Each input kind and where its rows are: a bundle, an engine DataFrame, or in process."""
    sources: dict[str, Any] = {}
    for kind, value in given.items():
        if isinstance(value, DistributedTables):  # a bundle: every table it holds
            for name in _KINDS:
                if getattr(value, name, None) is not None:
                    sources.setdefault(name, value)
        elif value is not None:
            sources[kind] = value
    return sources


def _columns(kind: str, items: Any) -> set[str]:
    frame = getattr(items, kind) if isinstance(items, DistributedTables) else items
    if is_engine_input(frame):
        return {str(name) for name in frame.columns}
    from cxmetrics.reporting.inputs import has_field, normalise

    data = normalise(kind, frame)
    return {name for name in ("channel", "group", "priority", "agent_id", "queue", "segment",
                              "status", "customer_id", "created_by") if has_field(kind, data, name)}  # fmt: skip


def report_distributed(
    *,
    tickets: Any = None,
    surveys: Any = None,
    calls: Any = None,
    customers: Any = None,
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
    survey_sends: Any = None,
    staff_surveys: Any = None,
    qa_evaluations: Any = None,
    callbacks: Any = None,
) -> Report:
    """:func:`cxmetrics.report` over Dask or Spark DataFrames (or a :class:`DistributedTables`).

    ``report`` calls this for a distributed input. Each input kind is folded
    partition by partition into report parts on the workers (tickets and calls
    co-located by customer, each ticket with its history), the parts merge in a
    tree there, and only the merged part (the metrics' states per segment and
    period) reaches the driver, which finishes it into the report. Inputs given
    in process (lists, tables) are folded as one part beside them.

    Parameters
    ----------
    tickets, surveys, calls, customers, metrics, period, by, timezone, calendar, sla, params,
    statistic, quantiles, charts, targets, survey_sends, staff_surveys, qa_evaluations, callbacks
        As in :func:`cxmetrics.report`. A :class:`DistributedTables` given as
        ``tickets`` brings every table it holds.

    Returns
    -------
    Report
        Equal to the in-process report of the same rows (floats to rounding). What
        reads raw rows at once (tag spikes, survey comments, response rates, the
        duration and hour-of-week charts) is listed in ``Report.insights.left_out``.

    Examples
    --------
    >>> report_distributed(surveys=DistributedTables())
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: report needs data: the DistributedTables holds no table
    """
    given = {"tickets": tickets, "surveys": surveys, "calls": calls, "customers": customers,
             "staff_surveys": staff_surveys, "qa_evaluations": qa_evaluations,
             "callbacks": callbacks}  # fmt: skip
    sources = _sources(given)
    if not sources:
        raise InvalidParameterError("report needs data: the DistributedTables holds no table")
    plan = plan_report(
        metrics=metrics, period=period, by=by, timezone=timezone, calendar=calendar, sla=sla,
        params=params, statistic=statistic, quantiles=quantiles, targets=targets,
    )  # fmt: skip
    for name in plan.by:
        if not any(name in _columns(kind, items) for kind, items in sources.items()):
            raise InvalidParameterError(f"cannot segment by {name!r}: no input has that field")
    fold = partial(fold_report_sealed, plan)
    merged = None
    for kind, items in sources.items():
        if is_engine_input(items):
            part = _fold_engine(fold, merge_parts, kind, items)
        else:
            part = fold_report(plan, kind, items)
        merged = merge_parts(merged, part)
    notes = list(left_out(list(sources)))
    if survey_sends is not None:
        notes.append(
            "response rates: read from every survey sent and answer at once "
            "(cxmetrics.insight.response_rates)"
        )
    return finish_report(plan, merged, kinds=list(sources), charts=charts, left_out=notes)


register_engine(is_engine_input, fold_distributed)
register_function("report", report_distributed)
