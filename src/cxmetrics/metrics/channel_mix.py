"""Channel mix: the share of tickets per channel."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, undefined
from cxmetrics.core.state import CountsState
from cxmetrics.registry import register
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = ["ChannelMix", "channel_mix", "count_result"]


def count_result(state: CountsState, params: MetricParams, name: str, share: bool) -> MetricResult:
    """Counts (or shares, with ``share``) per category; empty counts are undefined.

    Examples
    --------
    >>> count_result(CountsState.of({"a": 1, "b": 3}), MetricParams(), "mix", share=True).value
    {'a': 0.25, 'b': 0.75}
    """
    counts = state.as_dict()
    total = state.total
    if total == 0:
        undefined(params.zero_division, name)
        return MetricResult({}, 0, "ratio" if share else "count", None, params.confidence)
    value = {k: v / total for k, v in counts.items()} if share else counts
    return MetricResult(
        value, total, "ratio" if share else "count", None, params.confidence, {"counts": counts}
    )


def channel_mix(
    tickets: Any,
    *,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
) -> dict[str, float]:
    """Share of tickets per channel.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> channel_mix([Ticket(id=i, created_at=t0, channel=c) for i, c in enumerate(["email", "chat", "email", "phone"])])
    {'chat': 0.25, 'email': 0.5, 'phone': 0.25}
    """
    metric = ChannelMix(zero_division=zero_division, confidence=confidence)
    metric.update(tickets)
    value: dict[str, float] = metric.compute().value
    return value


@register
class ChannelMix(Metric[CountsState, MetricParams]):
    """Channel mix, mergeable (counts per channel); see :func:`channel_mix`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> metric = ChannelMix()
    >>> metric.update([Ticket(id=1, created_at=datetime(2024, 3, 4, tzinfo=timezone.utc), channel="chat")])
    >>> metric.compute().details["counts"]
    {'chat': 1}
    """

    name: ClassVar[str] = "channel_mix"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = None
    state_type = CountsState

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        batch = as_ticket_batch(items)
        counts = np.bincount(batch.channel.codes, minlength=len(batch.channel.categories))
        return CountsState.of(dict(zip(batch.channel.categories, counts.tolist(), strict=True)))

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return count_result(state, params, "channel_mix", share=True)
