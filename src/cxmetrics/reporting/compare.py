"""Period over period: the change of a metric's value and its p-value.

Every metric the report compares gets a test of "no difference" against the
previous period: proportions (ratio states, SLA compliance and service level from
their counts), means (Welch), NPS (adjusted Wald), mean durations (Welch on the
durations) and quantiles of durations (Mood's test: the share of each period above
the pooled quantile). :mod:`~cxmetrics.reporting.significance` then controls the
false discoveries over all the comparisons of a report.
"""

from __future__ import annotations

import math
from datetime import timedelta
from statistics import NormalDist
from typing import Any

import numpy as np

from cxmetrics.core.base import Metric
from cxmetrics.core.state import MeanState, RatioState
from cxmetrics.stats import compare_means, compare_nps

__all__ = ["change", "p_value", "significant"]

_COUNT_PAIRS = (
    ("achieved", "breached"),  # SLA compliance: achieved / (achieved + breached)
)


def significant(
    metric: Metric[Any, Any],
    before: Metric[Any, Any],
    details: dict[str, Any] | None = None,
    previous_details: dict[str, Any] | None = None,
) -> bool | None:
    """Whether ``metric`` differs from ``before`` at its confidence level, on its own.

    ``None`` when no test applies or a side has too little data. A report tests
    many changes at once and adjusts for that (:mod:`~cxmetrics.reporting.significance`);
    this is the single, unadjusted test.
    """
    p = p_value(metric, before, details, previous_details)
    return None if p is None else p < 1.0 - metric.params.confidence


def p_value(
    metric: Metric[Any, Any],
    before: Metric[Any, Any],
    details: dict[str, Any] | None = None,
    previous_details: dict[str, Any] | None = None,
) -> float | None:
    """Two-sided p-value of "no change" between ``before`` and ``metric`` (same metric).

    Examples
    --------
    >>> from cxmetrics.metrics.csat import CSAT
    >>> a, b = CSAT(), CSAT()
    >>> a.update([5] * 40 + [1] * 60); b.update([5] * 70 + [1] * 30)
    >>> p_value(b, a) < 0.001
    True
    """
    state, previous = metric.state, before.state
    confidence = metric.params.confidence
    try:
        counts = _counts(details, previous_details)
        if counts is not None:
            (achieved, total), (before_achieved, before_total) = counts
            if min(total, before_total) == 0:
                return None
            return _proportions_p_value(before_achieved, before_total, achieved, total)
        if isinstance(state, RatioState):
            if min(state.denominator, previous.denominator) == 0:
                return None
            return _proportions_p_value(
                previous.numerator, previous.denominator, state.numerator, state.denominator
            )
        moments = _moments(state), _moments(previous)
        if moments[0] is not None and moments[1] is not None:
            quantile = _quantile_of(metric)
            if quantile is not None:
                return _quantile_p_value(previous.values, state.values, quantile, confidence)
            if min(moments[0][2], moments[1][2]) < 2:
                return None
            return _welch_p_value(moments[1], moments[0], confidence)
        if type(state).__name__ == "NPSState":
            if min(state.total, previous.total) == 0:
                return None
            return compare_nps(
                (previous.promoters, previous.passives, previous.detractors),
                (state.promoters, state.passives, state.detractors),
                confidence,
            ).p_value
        if type(state).__name__ == "ServiceLevelState":
            now = state.ratio(metric.params.abandons)
            then = previous.ratio(metric.params.abandons)
            if min(now[1], then[1]) == 0:
                return None
            return _proportions_p_value(then[0], then[1], now[0], now[1])
    except ValueError:
        return None
    return None


def _counts(
    details: dict[str, Any] | None, previous_details: dict[str, Any] | None
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """``(successes, trials)`` of both periods when the details carry them (SLA)."""
    if not details or not previous_details:
        return None
    for good, bad in _COUNT_PAIRS:
        if all(k in details and k in previous_details for k in (good, bad)):
            now = int(details[good]), int(details[good] + details[bad])
            then = int(previous_details[good]), int(previous_details[good] + previous_details[bad])
            return now, then
    return None


def _moments(state: Any) -> tuple[float, float, int] | None:
    """``(sum, sum of squares, count)`` of a mean or a set of durations, else ``None``."""
    if isinstance(state, MeanState):
        return state.total, state.total_squares, state.count
    if type(state).__name__ == "DurationState":
        values = state.values
        return float(values.sum()), float(np.square(values).sum()), int(values.size)
    if type(state).__name__ == "HandleTimeState":
        return state.talk + state.hold + state.wrap, state.total_squares, state.count
    return None


_FAST_DF = 30.0
"""From these degrees of freedom on, Welch's t is read through a normal approximation."""


def _welch_p_value(
    a: tuple[float, float, int], b: tuple[float, float, int], confidence: float
) -> float:
    r"""Welch's two-sided p-value, through a normal approximation of t past 30 df.

    A weekly report makes thousands of comparisons; the exact t distribution
    (:func:`~cxmetrics.stats.compare_means`, an incomplete beta function) costs a
    hundred times more than Abramowitz and Stegun's 26.7.8,
    :math:`z = t\,(1 - 1/4\nu) / \sqrt{1 + t^2/2\nu}`, whose p-values agree
    with the exact ones to about 0.001 from 30 degrees of freedom on. Below 30,
    the exact test.

    Examples
    --------
    >>> a, b = (150.0, 2300.0, 30), (195.0, 2900.0, 30)
    >>> exact = compare_means(a, b).p_value
    >>> round(exact, 4), abs(_welch_p_value(a, b, 0.95) - exact) < 1e-3
    (0.4361, True)
    """
    (total_a, squares_a, n_a), (total_b, squares_b, n_b) = a, b
    var_a = max(0.0, (squares_a - total_a * total_a / n_a) / (n_a - 1)) / n_a
    var_b = max(0.0, (squares_b - total_b * total_b / n_b) / (n_b - 1)) / n_b
    se_squared = var_a + var_b
    if se_squared > 0.0:
        df = se_squared**2 / (var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1))
        if df >= _FAST_DF:
            t = abs(total_b / n_b - total_a / n_a) / math.sqrt(se_squared)
            z = t * (1.0 - 1.0 / (4.0 * df)) / math.sqrt(1.0 + t * t / (2.0 * df))
            return math.erfc(z / math.sqrt(2.0))
    return compare_means(a, b, confidence).p_value


def _quantile_of(metric: Metric[Any, Any]) -> float | None:
    """The quantile a duration metric reports (``None`` for a mean)."""
    statistic = getattr(metric.params, "statistic", "mean")
    if statistic == "mean" or type(metric.state).__name__ != "DurationState":
        return None
    return 0.5 if statistic == "median" else float(str(statistic)[1:]) / 100.0


def _quantile_p_value(
    before: np.ndarray[Any, Any], after: np.ndarray[Any, Any], quantile: float, confidence: float
) -> float | None:
    """Mood's test of a quantile: the shares of each side above the pooled quantile.

    Examples
    --------
    >>> low, high = np.arange(100.0), np.arange(100.0) + 60
    >>> _quantile_p_value(low, high, 0.5, 0.95) < 0.001
    True
    """
    if min(before.size, after.size) == 0:
        return None
    cut = float(np.quantile(np.concatenate([before, after]), quantile))
    return _proportions_p_value(
        int((before > cut).sum()), int(before.size), int((after > cut).sum()), int(after.size)
    )


_NORMAL = NormalDist()


def _proportions_p_value(
    successes_a: float, total_a: float, successes_b: float, total_b: float
) -> float:
    """The p-value of :func:`~cxmetrics.stats.compare_proportions`, without its interval.

    The report needs only the p-value; the interval's two Wilson intervals cost
    twice as much again. The same pooled two-proportion z-test, the same
    arithmetic in the same order (the same float), and the same refusals
    (``ValueError``) for counts no proportion has.

    Examples
    --------
    >>> from cxmetrics.stats import compare_proportions
    >>> _proportions_p_value(70, 100, 85, 100) == compare_proportions(70, 100, 85, 100).p_value
    True
    """
    if min(total_a, total_b) <= 0 or not (
        0 <= successes_a <= total_a and 0 <= successes_b <= total_b
    ):
        raise ValueError(f"not two proportions: {successes_a}/{total_a}, {successes_b}/{total_b}")
    difference = successes_b / total_b - successes_a / total_a
    pooled = (successes_a + successes_b) / (total_a + total_b)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / total_a + 1.0 / total_b))
    return 1.0 if se == 0 else 2.0 * (1.0 - _NORMAL.cdf(abs(difference) / se))


def change(value: Any, previous: Any) -> float | None:
    """``value - previous`` (in seconds for durations); ``None`` for other values or a nan."""
    if isinstance(value, timedelta) and isinstance(previous, timedelta):
        return (value - previous).total_seconds()
    if isinstance(value, (int, float)) and isinstance(previous, (int, float)):
        difference = float(value) - float(previous)
        return None if math.isnan(difference) else difference
    return None
