"""A report in parts: the plan every part is folded with, and the parts, which merge.

A report over partitioned input (Dask or Spark partitions, chunks of Parquet
files) is folded partition by partition into a :class:`ReportPart` (per metric,
per segment and period, the metric's state, and the facts the page needs that
merge cheaply), the parts merge in any order and grouping
(:func:`merge_parts`), and the merged part is finished into the report as one
part over the whole input is (:func:`cxmetrics.reporting.build.finish_report`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from cxmetrics.core.base import Metric
from cxmetrics.insight.targets import Target
from cxmetrics.reporting.grouping import TICKET_CODES

__all__ = [
    "Folded",
    "MetricPart",
    "ReportPart",
    "ReportPlan",
    "merge_parts",
    "period_order",
    "seal_part",
    "segment_order",
]

Segment = tuple[tuple[str, str], ...]

Folded = dict[Segment, list[tuple[str, Metric[Any, Any]]]]
"""Per segment, its periods in order, each with the metric over its rows."""


@dataclass(frozen=True)
class ReportPlan:
    """The settings of a report: the metrics to run, their parameters, the cut.

    Examples
    --------
    >>> ReportPlan(names=("csat",)).context_settings()["period"] is None
    True
    """

    names: tuple[str, ...] = ()
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    explicit: bool = False
    """Whether the metrics were named: then a metric that cannot run is an error."""
    calendar: Any = None
    period: Any = None
    timezone: str = "UTC"
    by: tuple[str, ...] = ()
    statistic: str = "mean"
    sla: Any = None
    goals: tuple[Target, ...] = ()

    def options(self, cls: type[Metric[Any, Any]]) -> dict[str, Any]:
        """The parameters of one metric: its own, and the report's calendar if it takes one."""
        options = dict(self.params.get(cls.name, {}))
        if self.calendar is not None and "calendar" in cls.Params.model_fields:
            options.setdefault("calendar", self.calendar)
        return options

    def context_settings(self) -> dict[str, Any]:
        """The keywords of :func:`~cxmetrics.reporting.context.context_of` for this plan."""
        return {
            "period": self.period,
            "timezone_name": self.timezone,
            "calendar": self.calendar,
            "sla": self.sla,
            "params": self.params,
            "statistic": self.statistic,
            "goals": self.goals,
        }


@dataclass
class MetricPart:
    """One metric over one part of its input.

    Attributes
    ----------
    kind : str
        The input the metric reads.
    reason : str or None
        Why a default metric cannot run on this part (no replies, no answers of
        its kind…); ``None`` when it can. Merged parts keep a reason only when
        every part has one.
    error : Exception or None
        The error the metric raised on this part (a parameter it needs).
    groups : dict
        Per segment, its periods in order, each with the metric over its rows.
    """

    kind: str
    reason: str | None = None
    error: Exception | None = None
    groups: Folded = field(default_factory=dict)
    totals: dict[str, Metric[Any, Any]] | None = None
    """Per period, the metric over all segments, when the part's states are sealed
    (see :func:`seal_part`); ``None`` when the totals merge the segments' states."""


@dataclass
class ReportPart:
    """The mergeable part of a report: per metric its :class:`MetricPart`, and the data range.

    Examples
    --------
    >>> merged = merge_parts(ReportPart(low=5.0, high=9.0), ReportPart(low=2.0, high=3.0))
    >>> merged.low, merged.high
    (2.0, 9.0)
    """

    metrics: dict[str, MetricPart] = field(default_factory=dict)
    low: float = math.inf
    """The first instant of the part's data (ticket creation, survey response…)."""
    high: float = -math.inf
    """The last instant of the part's data."""


def period_order(label: str) -> tuple[bool, str]:
    """Sort key of period labels: in time order (labels sort as text), ``"unknown"`` last.

    Examples
    --------
    >>> sorted(["unknown", "2024-W10", "2024-W09"], key=period_order)
    ['2024-W09', '2024-W10', 'unknown']
    """
    return label == "unknown", label


def segment_order(kind: str, segment: Segment) -> tuple[tuple[int, str], ...]:
    """Sort key of segments as :func:`~cxmetrics.reporting.grouping.group_rows` orders them.

    Coded ticket fields (priority, status, created_by) in their own order, other
    values as text; ``"(none)"`` last.

    Examples
    --------
    >>> sorted([(("priority", "(none)"),), (("priority", "urgent"),), (("priority", "low"),)],
    ...        key=lambda s: segment_order("tickets", s))
    [(('priority', 'low'),), (('priority', 'urgent'),), (('priority', '(none)'),)]
    """
    key = []
    for name, value in segment:
        if kind == "tickets" and name in TICKET_CODES:
            names = TICKET_CODES[name]
            key.append((names.index(value) if value in names else len(names), ""))
        else:
            key.append((int(value == "(none)"), value))
    return tuple(key)


def _merge_metric(a: MetricPart, b: MetricPart) -> MetricPart:
    groups: dict[Segment, dict[str, Metric[Any, Any]]] = {
        segment: dict(steps) for segment, steps in a.groups.items()
    }
    for segment, steps in b.groups.items():
        mine = groups.setdefault(segment, {})
        for label, metric in steps:
            if label in mine:
                mine[label].merge(metric.state)  # same class and parameters: one plan
            else:
                mine[label] = metric
    folded: Folded = {
        segment: sorted(groups[segment].items(), key=lambda item: period_order(item[0]))
        for segment in sorted(groups, key=lambda s: segment_order(a.kind, s))
    }
    reason = a.reason if a.reason is not None and b.reason is not None else None
    totals = None
    if a.totals is not None or b.totals is not None:
        totals = dict(a.totals or {})
        for label, metric in (b.totals or {}).items():
            if label in totals:
                totals[label].merge(metric.state)
            else:
                totals[label] = metric
    return MetricPart(a.kind, reason, a.error or b.error, folded, totals)


def seal_part(part: ReportPart, *, segmented: bool) -> ReportPart:
    """Seal the per-customer tallies of a part that holds whole customers.

    A partition of customers kept together (the engines' co-location, a streamed
    bucket) cannot share a customer with another: its per-customer tallies
    (contact rate) need not keep the customers, only their number
    (:meth:`~cxmetrics.core.state.CodedCountsState.sealed`), so the merged report
    holds a few numbers per group instead of every customer. With segments, each
    period's total over the segments is taken first, while the customers are
    still known (one customer may write in on two channels in a week).
    """
    for metric_part in part.metrics.values():
        first = next((m for steps in metric_part.groups.values() for _, m in steps), None)
        if first is None or not hasattr(first.state, "sealed"):
            continue
        if segmented:
            by_label: dict[str, list[Any]] = {}
            for steps in metric_part.groups.values():
                for label, metric in steps:
                    by_label.setdefault(label, []).append(metric.state)
            totals = {}
            for label, states in by_label.items():
                merged = type(first.state).merge_all(states).sealed()
                totals[label] = type(first).from_state(merged, **dict(first.params))
            metric_part.totals = totals
        for steps in metric_part.groups.values():
            for _, metric in steps:
                sealed = metric.state.sealed()
                metric.reset()
                metric.merge(sealed)
    return part


def merge_parts(a: ReportPart | None, b: ReportPart | None) -> ReportPart | None:
    """Merge two report parts (either may be ``None``: an empty partition).

    Associative and commutative up to float rounding: the engines merge in a tree.
    The metrics of ``a`` take in those of ``b`` (``a`` is consumed), so a running
    total costs no copy.
    """
    if a is None:
        return b
    if b is None:
        return a
    metrics = dict(a.metrics)
    for name, part in b.metrics.items():
        metrics[name] = _merge_metric(metrics[name], part) if name in metrics else part
    return ReportPart(metrics, min(a.low, b.low), max(a.high, b.high))
