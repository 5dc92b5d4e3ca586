"""Employee Net Promoter Score (eNPS): NPS asked of the support staff.

"How likely are you to recommend working here?", 0-10, scored as NPS: promoters
(9-10) minus detractors (0-6), in [-100, 100]. Staff answers are a separate input
from customer surveys (``input_kind = "staff_surveys"``), so a report never mixes
them with customer NPS.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision
from cxmetrics.metrics.nps import NPSState, _nps_compute, _nps_update
from cxmetrics.registry import register

__all__ = ["ENPS", "enps"]


def enps(responses: Iterable[Any], *, zero_division: ZeroDivision = "warn") -> float:
    """Employee Net Promoter Score of staff answers (0-10), in [-100, 100].

    Parameters
    ----------
    responses : iterable of numbers or SurveyResponse, or numpy array
        Whole-number answers from 0 to 10 (``SurveyResponse`` objects of kind ``nps``).
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> enps([10, 9, 9, 8, 7, 6, 3])
    14.285714285714286
    """
    metric = ENPS(zero_division=zero_division)
    metric.update(responses)
    return float(metric.compute().value)


@register
class ENPS(Metric[NPSState, MetricParams]):
    """Employee NPS, mergeable, with the adjusted-Wald interval of NPS; see :func:`enps`.

    Examples
    --------
    >>> metric = ENPS()
    >>> metric.update([10, 9, 6])
    >>> round(metric.compute().value, 1)
    33.3
    """

    name: ClassVar[str] = "enps"
    unit: ClassVar[str] = "score"
    input_kind: ClassVar[str] = "staff_surveys"
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
