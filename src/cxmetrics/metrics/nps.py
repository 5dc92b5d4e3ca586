"""Net Promoter Score (NPS), with its promoter / passive / detractor breakdown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, undefined
from cxmetrics.core.state import State
from cxmetrics.registry import register
from cxmetrics.stats import nps_interval
from cxmetrics.tables.inputs import survey_scores

__all__ = ["NPS", "NPSState", "nps", "nps_breakdown"]


@dataclass(frozen=True)
class NPSState(State):
    """Counts of promoters (9-10), passives (7-8) and detractors (0-6)."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def total(self) -> int:
        """Number of answers."""
        return self.promoters + self.passives + self.detractors


def _nps_update(responses: Iterable[Any], params: MetricParams) -> NPSState:
    scores = survey_scores(responses, kind="nps", scale=10, owner="nps")
    promoters = int(np.count_nonzero(scores >= 9))
    detractors = int(np.count_nonzero(scores <= 6))
    return NPSState(promoters, int(scores.size) - promoters - detractors, detractors)


def _nps_compute(state: NPSState, params: MetricParams) -> MetricResult:
    n = state.total
    if n == 0:
        value = undefined(params.zero_division, "nps")
        shares = dict.fromkeys(("promoters", "passives", "detractors"), float("nan"))
    else:
        value = 100.0 * (state.promoters - state.detractors) / n
        shares = {
            "promoters": state.promoters / n,
            "passives": state.passives / n,
            "detractors": state.detractors / n,
        }
    return MetricResult(
        value=value,
        n=n,
        unit="score",
        interval=nps_interval(state.promoters, state.passives, state.detractors, params.confidence),
        confidence=params.confidence,
        details={
            "promoters": state.promoters,
            "passives": state.passives,
            "detractors": state.detractors,
            "shares": shares,
        },
    )


def nps(responses: Iterable[Any], *, zero_division: ZeroDivision = "warn") -> float:
    r"""Net Promoter Score, in [-100, 100].

    .. math:: \mathrm{NPS} = 100\,\frac{n_{9..10} - n_{0..6}}{n}

    Answers run 0-10; 9-10 are promoters, 7-8 passives (counted in ``n``), 0-6
    detractors.

    Parameters
    ----------
    responses : iterable of numbers or SurveyResponse, or numpy array
        Whole-number answers from 0 to 10.
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float
        The score in [-100, 100]; higher is better.

    See Also
    --------
    nps_breakdown : counts and shares of each group.
    NPS : mergeable class with the adjusted-Wald interval.
    cxmetrics.stats.compare_nps : is the change between two periods significant?

    Examples
    --------
    >>> nps([10, 9, 8, 7, 6, 0, 10, 9, 9, 3])
    20.0
    """
    metric = NPS(zero_division=zero_division)
    metric.update(responses)
    return float(metric.compute().value)


def nps_breakdown(responses: Iterable[Any]) -> dict[str, int]:
    """Count promoters, passives and detractors.

    Examples
    --------
    >>> nps_breakdown([10, 9, 8, 7, 6, 0])
    {'promoters': 2, 'passives': 2, 'detractors': 2}
    """
    state = _nps_update(responses, MetricParams())
    return {
        "promoters": state.promoters,
        "passives": state.passives,
        "detractors": state.detractors,
    }


@register
class NPS(Metric[NPSState, MetricParams]):
    """Net Promoter Score, mergeable, with the adjusted-Wald interval.

    Examples
    --------
    >>> metric = NPS()
    >>> metric.update([10, 9, 8, 7, 6, 0, 10, 9, 9, 3])
    >>> result = metric.compute()
    >>> result.value, result.details["promoters"], [round(b, 1) for b in result.interval]
    (20.0, 5, [-30.3, 61.1])
    """

    name: ClassVar[str] = "nps"
    unit: ClassVar[str] = "score"
    input_kind: ClassVar[str] = "surveys"
    survey_kind: ClassVar[str | None] = "nps"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = -100.0
    upper_bound: ClassVar[float | None] = 100.0
    state_type = NPSState

    @staticmethod
    def _update(items: Any, params: Any) -> NPSState:
        return _nps_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _nps_compute(state, params)
