"""Period over period: the change of a metric's value and whether it is significant."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from cxmetrics.core.base import Metric
from cxmetrics.core.state import MeanState, RatioState
from cxmetrics.stats import compare_means, compare_nps, compare_proportions

__all__ = ["change", "significant"]


def significant(
    metric: Metric[Any, Any],
    before: Metric[Any, Any],
    details: dict[str, Any] | None = None,
    previous_details: dict[str, Any] | None = None,
) -> bool | None:
    """Whether ``metric`` differs significantly from ``before`` (the previous period).

    Tested at ``metric``'s confidence level: proportions (ratio states, or SLA
    compliance from the ``achieved``/``breached`` counts of the details), means and
    NPS. ``None`` when no test applies or a side has too little data.
    """
    state, previous = metric.state, before.state
    confidence = metric.params.confidence
    counts = ("achieved", "breached")
    if details and previous_details and all(k in details and k in previous_details for k in counts):
        # Compliance rates (SLA) carry their counts in the details.
        achieved, total = int(details["achieved"]), int(details["achieved"] + details["breached"])
        before_achieved = int(previous_details["achieved"])
        before_total = before_achieved + int(previous_details["breached"])
        if min(total, before_total) == 0:
            return None
        return compare_proportions(
            before_achieved, before_total, achieved, total, confidence
        ).significant
    try:
        if isinstance(state, RatioState):
            if min(state.denominator, previous.denominator) == 0:
                return None
            return compare_proportions(
                previous.numerator,
                previous.denominator,
                state.numerator,
                state.denominator,
                confidence,
            ).significant
        if isinstance(state, MeanState):
            if min(state.count, previous.count) < 2:
                return None
            return compare_means(
                (previous.total, previous.total_squares, previous.count),
                (state.total, state.total_squares, state.count),
                confidence,
            ).significant
        if type(state).__name__ == "NPSState":
            if min(state.total, previous.total) == 0:
                return None
            return compare_nps(
                (previous.promoters, previous.passives, previous.detractors),
                (state.promoters, state.passives, state.detractors),
                confidence,
            ).significant
    except ValueError:
        return None
    return None


def change(value: Any, previous: Any) -> float | None:
    """``value - previous`` (in seconds for durations); ``None`` for other values or a nan."""
    if isinstance(value, timedelta) and isinstance(previous, timedelta):
        return (value - previous).total_seconds()
    if isinstance(value, (int, float)) and isinstance(previous, (int, float)):
        difference = float(value) - float(previous)
        return None if math.isnan(difference) else difference
    return None
