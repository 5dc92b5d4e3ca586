"""Tickets per tag (complaints are tickets tagged ``complaint``)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision
from cxmetrics.core.state import CountsState
from cxmetrics.metrics.channel_mix import count_result
from cxmetrics.registry import register
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = ["TagCounts", "tag_counts"]


def tag_counts(
    tickets: Any,
    *,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
) -> dict[str, int]:
    """Number of tickets carrying each tag (complaints are tickets tagged ``complaint``).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tag_counts([Ticket(id=1, created_at=t0, tags=("complaint", "vip")),
    ...             Ticket(id=2, created_at=t0, tags=("complaint",)), Ticket(id=3, created_at=t0)])
    {'complaint': 2, 'vip': 1}
    """
    metric = TagCounts(zero_division=zero_division, confidence=confidence)
    metric.update(tickets)
    value: dict[str, int] = metric.compute().value
    return value


@register
class TagCounts(Metric[CountsState, MetricParams]):
    """Tickets per tag, mergeable; see :func:`tag_counts`. ``n`` is tag uses, not tickets.

    Examples
    --------
    >>> TagCounts().unit
    'count'
    """

    name: ClassVar[str] = "tag_counts"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = None
    state_type = CountsState

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        tags = as_ticket_batch(items).tags
        if len(tags) == 0:
            return CountsState()
        codes = tags["tag"]
        counts = np.bincount(codes.codes, minlength=len(codes.categories))
        return CountsState.of(dict(zip(codes.categories, counts.tolist(), strict=True)))

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return count_result(state, params, "tag_counts", share=False)
