"""Star-rating reviews: the average rating and the number of ratings."""

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

__all__ = ["ReviewRating", "review_rating"]


class ReviewParams(MetricParams):
    """Parameters of :class:`ReviewRating`."""

    scale: int = 5

    @field_validator("scale")
    @classmethod
    def _check_scale(cls, scale: int) -> int:
        if not is_valid_scale("review", scale):
            raise InvalidParameterError(allowed_scales("review"))
        return scale


def _review_update(responses: Iterable[Any], params: ReviewParams) -> MeanState:
    return MeanState.of(
        survey_scores(responses, kind="review", scale=params.scale, owner="review_rating")
    )


def _review_compute(state: MeanState, params: ReviewParams) -> MetricResult:
    value = safe_ratio(state.total, state.count, params.zero_division, "review_rating")
    return MetricResult(
        value=value,
        n=state.count,
        unit="score",
        interval=t_interval(state.total, state.total_squares, state.count, params.confidence),
        confidence=params.confidence,
        details={"scale": params.scale, "count": state.count},
    )


def review_rating(
    responses: Iterable[Any], *, scale: int = 5, zero_division: ZeroDivision = "warn"
) -> float:
    """Average star rating of reviews (``kind="review"``), on 1 to ``scale``.

    Ratings may be fractional (4.5 stars). The count is in
    ``ReviewRating().compute().n``.

    Parameters
    ----------
    responses : iterable of numbers or SurveyResponse, or numpy array
    scale : int, default=5
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float
        Mean rating; higher is better.

    Examples
    --------
    >>> review_rating([5, 4, 4.5, 2])
    3.875
    """
    metric = ReviewRating(scale=scale, zero_division=zero_division)
    metric.update(responses)
    return float(metric.compute().value)


@register
class ReviewRating(Metric[MeanState, ReviewParams]):
    """Average star rating, mergeable, with a t-interval and the count.

    Examples
    --------
    >>> metric = ReviewRating()
    >>> metric.update([5, 3])
    >>> metric.compute().value, metric.compute().n
    (4.0, 2)
    """

    name: ClassVar[str] = "review_rating"
    unit: ClassVar[str] = "score"
    input_kind: ClassVar[str] = "surveys"
    survey_kind: ClassVar[str | None] = "review"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 1.0
    upper_bound: ClassVar[float | None] = None
    state_type = MeanState
    Params = ReviewParams

    @staticmethod
    def _update(items: Any, params: Any) -> MeanState:
        return _review_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _review_compute(state, params)
