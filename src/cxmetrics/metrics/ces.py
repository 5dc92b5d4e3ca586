"""Customer effort score (CES): the mean answer, with the scale's direction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from pydantic import field_validator

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import MeanState
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.survey import allowed_scales, is_valid_scale
from cxmetrics.registry import register
from cxmetrics.stats import t_interval
from cxmetrics.tables.inputs import survey_scores

__all__ = ["CES", "CES_DIRECTIONS", "ces"]

CES_DIRECTIONS: dict[int, str] = {
    # CES 2.0: "The company made it easy for me to handle my issue", 1 = strongly
    # disagree … 7 = strongly agree.
    7: "higher_is_better",
    # CES 1.0 (CEB 2010): "How much effort did you personally have to put forth?",
    # 1 = very low effort … 5 = very high effort.
    5: "lower_is_better",
}
"""Which way is better on each CES scale. The two must never be averaged together."""


class CESParams(MetricParams):
    """Parameters of :class:`CES`."""

    scale: int = 7

    @field_validator("scale")
    @classmethod
    def _check_scale(cls, scale: int) -> int:
        if not is_valid_scale("ces", scale):
            raise InvalidParameterError(allowed_scales("ces"))
        return scale


def _ces_update(responses: Iterable[Any], params: CESParams) -> MeanState:
    return MeanState.of(survey_scores(responses, kind="ces", scale=params.scale, owner="ces"))


def _ces_compute(state: MeanState, params: CESParams) -> MetricResult:
    value = safe_ratio(state.total, state.count, params.zero_division, "ces")
    return MetricResult(
        value=value,
        n=state.count,
        unit="score",
        interval=t_interval(state.total, state.total_squares, state.count, params.confidence),
        confidence=params.confidence,
        details={"scale": params.scale, "direction": CES_DIRECTIONS[params.scale]},
    )


def ces(responses: Iterable[Any], *, scale: int = 7, zero_division: ZeroDivision = "warn") -> float:
    r"""Customer effort score: the mean answer on the CES scale.

    .. math:: \mathrm{CES} = \frac{1}{n}\sum_i r_i

    Two scales are in use and point in opposite directions: the 7-point CES 2.0
    agreement scale (higher is better, the default) and the 5-point CES 1.0 effort
    scale (lower is better). The scale is part of the result
    (:class:`CES` reports it with its direction), and answers recorded on the
    other scale are rejected, never averaged in.

    Parameters
    ----------
    responses : iterable of numbers or SurveyResponse, or numpy array
        Whole-number answers from 1 to ``scale``.
    scale : {7, 5}, default=7
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float
        Mean answer on the scale.

    See Also
    --------
    CES : mergeable class with a t-interval and the direction in ``details``.

    Examples
    --------
    >>> ces([7, 6, 5, 2])
    5.0
    >>> ces([1, 2, 2, 3], scale=5)
    2.0
    """
    metric = CES(scale=scale, zero_division=zero_division)
    metric.update(responses)
    return float(metric.compute().value)


@register
class CES(Metric[MeanState, CESParams]):
    """Mean customer effort score, mergeable, with a t-interval.

    ``higher_is_better`` is ``None`` at class level because it depends on the scale;
    ``compute().details["direction"]`` states it.

    Examples
    --------
    >>> metric = CES(scale=5)
    >>> metric.update([1, 2, 3])
    >>> result = metric.compute()
    >>> result.value, result.details["direction"]
    (2.0, 'lower_is_better')
    """

    name: ClassVar[str] = "ces"
    unit: ClassVar[str] = "score"
    input_kind: ClassVar[str] = "surveys"
    survey_kind: ClassVar[str | None] = "ces"
    higher_is_better: ClassVar[bool | None] = None
    lower_bound: ClassVar[float | None] = 1.0
    upper_bound: ClassVar[float | None] = 7.0
    state_type = MeanState
    Params = CESParams

    @staticmethod
    def _update(items: Any, params: Any) -> MeanState:
        return _ces_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _ces_compute(state, params)
