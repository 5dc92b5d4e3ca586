"""Customer satisfaction (CSAT): share of satisfied answers, and the mean rating."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import field_validator, model_validator
from typing_extensions import Self

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import MeanState, RatioState
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.survey import allowed_scales, is_valid_scale, score_range
from cxmetrics.registry import register
from cxmetrics.stats import t_interval, wilson_interval
from cxmetrics.tables.inputs import survey_scores

__all__ = ["CSAT", "SATISFIED_BY_SCALE", "CSATMean", "csat"]

SATISFIED_BY_SCALE: dict[int, tuple[int, ...]] = {
    2: (2,),  # good / bad
    3: (3,),
    4: (3, 4),
    5: (4, 5),  # top two boxes: Chatwoot, Zendesk's 1-5 mapping
    7: (6, 7),
    10: (9, 10),
}
"""The answers that count as satisfied on each CSAT scale (top box or top two boxes)."""


class CSATParams(MetricParams):
    """Parameters of :class:`CSAT` and :class:`CSATMean`."""

    scale: int = 5
    satisfied: tuple[int, ...] | None = None

    @field_validator("scale")
    @classmethod
    def _check_scale(cls, scale: int) -> int:
        if not is_valid_scale("csat", scale):
            raise InvalidParameterError(allowed_scales("csat"))
        return scale

    @model_validator(mode="after")
    def _check_satisfied(self) -> Self:
        if self.satisfied is not None:
            low, high = score_range("csat", self.scale)
            outside = [s for s in self.satisfied if not low <= s <= high]
            if outside or not self.satisfied:
                raise InvalidParameterError(
                    f"satisfied must be a non-empty set of answers in {low}-{high}"
                )
        return self

    @property
    def satisfied_answers(self) -> tuple[int, ...]:
        """The answers counted as satisfied (the default for the scale unless given)."""
        return self.satisfied if self.satisfied is not None else SATISFIED_BY_SCALE[self.scale]


def _csat_update(responses: Iterable[Any], params: CSATParams) -> RatioState:
    scores = survey_scores(responses, kind="csat", scale=params.scale, owner="csat")
    satisfied = np.isin(scores, params.satisfied_answers)
    return RatioState(numerator=int(satisfied.sum()), denominator=int(scores.size))


def _csat_compute(state: RatioState, params: CSATParams) -> MetricResult:
    value = safe_ratio(state.numerator, state.denominator, params.zero_division, "csat")
    return MetricResult(
        value=value,
        n=state.denominator,
        unit="ratio",
        interval=wilson_interval(state.numerator, state.denominator, params.confidence),
        confidence=params.confidence,
        details={
            "satisfied": state.numerator,
            "scale": params.scale,
            "satisfied_answers": params.satisfied_answers,
        },
    )


def _csat_mean_update(responses: Iterable[Any], params: CSATParams) -> MeanState:
    return MeanState.of(survey_scores(responses, kind="csat", scale=params.scale, owner="csat"))


def _csat_mean_compute(state: MeanState, params: CSATParams) -> MetricResult:
    value = safe_ratio(state.total, state.count, params.zero_division, "csat_mean")
    return MetricResult(
        value=value,
        n=state.count,
        unit="score",
        interval=t_interval(state.total, state.total_squares, state.count, params.confidence),
        confidence=params.confidence,
        details={"scale": params.scale},
    )


def csat(
    responses: Iterable[Any],
    *,
    scale: int = 5,
    method: Literal["share", "mean"] = "share",
    satisfied: Iterable[int] | None = None,
    zero_division: ZeroDivision = "warn",
) -> float:
    r"""Customer satisfaction: the share of satisfied answers (or the mean answer).

    .. math:: \mathrm{CSAT} = \frac{|\{r : r \in \mathrm{satisfied}\}|}{|\{r\}|}

    The satisfied answers per scale (:data:`SATISFIED_BY_SCALE`): 2-point: 2;
    3-point: 3; 4-point: 3-4; 5-point: 4-5; 7-point: 6-7; 10-point: 9-10.

    Parameters
    ----------
    responses : iterable of numbers or SurveyResponse, or numpy array
        Answers on ``scale`` (1 to ``scale``). ``SurveyResponse`` objects must be
        ``kind="csat"`` and on the same scale.
    scale : {2, 3, 4, 5, 7, 10}, default=5
    method : {"share", "mean"}, default="share"
        ``"share"``: share of satisfied answers in [0, 1]; ``"mean"``: the mean
        answer on the scale.
    satisfied : iterable of int, optional
        Answers counted as satisfied, overriding the scale's default.
    zero_division : {"warn", "raise"} or float, default="warn"
        Value without responses: ``"warn"`` gives ``nan`` and an
        :class:`~cxmetrics.UndefinedMetricWarning`.

    Returns
    -------
    float
        The share in [0, 1] (higher is better), or the mean on the scale.

    Raises
    ------
    ValueError
        For a score outside the scale, naming it and its position.

    See Also
    --------
    CSAT, CSATMean : mergeable classes, whose results carry the confidence interval.

    Examples
    --------
    >>> csat([5, 4, 3, 5, 1])
    0.6
    >>> csat([5, 4, 3, 5, 1], method="mean")
    3.6
    >>> csat([7, 6, 5], scale=7, satisfied=[5, 6, 7])
    1.0
    """
    if method not in ("share", "mean"):
        raise InvalidParameterError(
            f"The 'method' parameter of csat must be 'share' or 'mean'. Got {method!r} instead."
        )
    options: dict[str, Any] = {"scale": scale, "zero_division": zero_division}
    if satisfied is not None:
        options["satisfied"] = tuple(satisfied)
    metric: CSAT | CSATMean = CSATMean(**options) if method == "mean" else CSAT(**options)
    metric.update(responses)
    return float(metric.compute().value)


@register
class CSAT(Metric[RatioState, CSATParams]):
    """Share of satisfied CSAT answers, mergeable, with a Wilson interval.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``CSAT.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    scale : {2, 3, 4, 5, 7, 10}, default=5
    satisfied : tuple of int, optional
        Answers counted as satisfied; default per scale (see :func:`csat`).
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> metric = CSAT()
    >>> metric.update([5, 4, 4, 2])
    >>> result = metric.compute()
    >>> result.value, result.n, tuple(round(b, 3) for b in result.interval)
    (0.75, 4, (0.301, 0.954))
    """

    name: ClassVar[str] = "csat"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "surveys"
    survey_kind: ClassVar[str | None] = "csat"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = CSATParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _csat_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _csat_compute(state, params)


@register
class CSATMean(Metric[MeanState, CSATParams]):
    """Mean CSAT answer, mergeable, with a t-interval.

    Examples
    --------
    >>> metric = CSATMean()
    >>> metric.update([5, 4, 3])
    >>> metric.compute().value
    4.0
    """

    name: ClassVar[str] = "csat_mean"
    unit: ClassVar[str] = "score"
    input_kind: ClassVar[str] = "surveys"
    survey_kind: ClassVar[str | None] = "csat"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 1.0
    upper_bound: ClassVar[float | None] = 10.0
    state_type = MeanState
    Params = CSATParams

    @staticmethod
    def _update(items: Any, params: Any) -> MeanState:
        return _csat_mean_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _csat_mean_compute(state, params)
