"""Any ticket metric per tag: complaints' resolution time, billing tickets' FCR.

A ticket carries any number of tags, so grouping by tag is not a partition: a
ticket tagged ``complaint`` and ``billing`` counts in both groups (and the groups
do not add up to the whole). :func:`metric_by_tag` measures the tickets once and
cuts each tag's tickets from that measurement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from cxmetrics.core.arrays import distinct
from cxmetrics.core.periods import PERIODS, period_labels
from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.registry import get_metric
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tickets.cache import measure_as_subset

__all__ = ["metric_by_tag"]


def _plain(value: Any) -> Any:
    return value if isinstance(value, timedelta) else float(value)


def metric_by_tag(
    tickets: Any,
    *,
    metric: str,
    tags: Sequence[str] | None = None,
    period: str | None = None,
    timezone: str = "UTC",
    params: Mapping[str, Any] | None = None,
    untagged: bool = False,
) -> MetricTable:
    """A registered ticket metric for the tickets of each tag (and period).

    Parameters
    ----------
    tickets : tickets
        ``Ticket`` records, a ``TicketBatch`` or a tickets DataFrame.
    metric : str
        A registered metric over tickets, e.g. ``"resolution_time"``, ``"fcr"``.
    tags : sequence of str, optional
        The tags to report (default: every tag, sorted).
    period : {"day", "week", "month", "quarter", "year"}, optional
        Also by the period of the tickets' creation, local to ``timezone``.
    timezone : str, default="UTC"
    params : mapping, optional
        The metric's parameters, e.g. ``{"statistic": "median"}``.
    untagged : bool, default=False
        Add a row ``"(untagged)"`` for the tickets without a tag.

    Returns
    -------
    MetricTable
        ``tag``, ``period`` (with ``period=``), ``value``, ``n``, ``lower``,
        ``upper`` (the interval where the metric has one, else None).

    Examples
    --------
    >>> from cxmetrics.datasets import load_sample
    >>> tickets = load_sample().tickets
    >>> table = metric_by_tag(tickets, metric="resolution_time", tags=["complaint"],
    ...                       params={"statistic": "median"})
    >>> table.column("tag"), table.column("value")[0] > timedelta(0)
    (['complaint'], True)
    """
    cls = get_metric(metric)
    if cls.input_kind != "tickets":
        raise InvalidParameterError(
            f"metric_by_tag measures ticket metrics; {metric!r} reads {cls.input_kind}"
        )
    if period is not None and period not in PERIODS:
        raise InvalidParameterError(
            f"The 'period' parameter of metric_by_tag must be one of {', '.join(PERIODS)}. "
            f"Got {period!r} instead."
        )
    options = dict(params or {})
    batch = as_ticket_batch(tickets)
    codes = batch.tags["tag"]
    owner = batch.tags.ticket
    names = list(codes.categories) if tags is None else list(tags)
    members: list[tuple[str, np.ndarray]] = []
    for name in names:
        code = codes.categories.index(name) if name in codes.categories else -1
        members.append((name, distinct(owner[codes.codes == code])))
    if untagged:
        members.append(("(untagged)", np.flatnonzero(batch.tags.counts == 0)))
    labels = period_labels(batch.created_at, period, timezone) if period else None
    rows = []
    for name, positions in members:
        groups = [(None, positions)]
        if labels is not None:
            groups = [(label, positions[labels[positions] == label])
                      for label in sorted(set(labels[positions].tolist()))]  # fmt: skip
        for label, part in groups:
            subset = batch.select(part.astype(np.intp))
            measure_as_subset(subset, batch, part.astype(np.int64))
            instance = cls(**{"zero_division": float("nan"), **options})
            instance.update(subset)
            result = instance.compute()
            low, high = result.interval if result.interval is not None else (None, None)
            key = (name,) if label is None else (name, label)
            rows.append((*key, _plain(result.value), result.n, low, high))
    header = ("tag",) if period is None else ("tag", "period")
    return MetricTable(
        columns=(*header, "value", "n", "lower", "upper"), rows=tuple(rows), index=header
    )
