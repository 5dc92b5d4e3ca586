r"""Quality-assurance (QA) score: weighted scorecards, per agent and period.

A scorecard weighs its criteria; an evaluation's score is the weighted mean of the
criteria it scored (criteria that do not apply are left out, as Zendesk QA,
MaestroQA and Klaus do), in percent:

.. math:: \mathrm{QA}(e) = 100\,\frac{\sum_{c \in e} w_c\, s_{e,c}}{\sum_{c \in e} w_c}

and the QA score of a set of evaluations is the mean of theirs, with a t interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import field_validator

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.periods import PERIODS, period_labels
from cxmetrics.core.result_table import MetricTable
from cxmetrics.core.state import MeanState
from cxmetrics.exceptions import InvalidParameterError, RecordValidationError
from cxmetrics.models.qa import QAEvaluation
from cxmetrics.registry import register
from cxmetrics.stats import t_interval

__all__ = ["QAParams", "QAScore", "evaluation_scores", "qa_score", "qa_scores"]


class QAParams(MetricParams):
    """Parameters of :class:`QAScore`: the scorecard's ``weights`` (None: equal)."""

    weights: dict[str, float] | None = None

    @field_validator("weights")
    @classmethod
    def _positive(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        if weights is not None and (not weights or any(w <= 0 for w in weights.values())):
            raise InvalidParameterError("a non-empty mapping of criterion to positive weight")
        return weights


def _evaluations(items: Iterable[Any]) -> list[QAEvaluation]:
    out = []
    for position, item in enumerate(items):
        if isinstance(item, QAEvaluation):
            out.append(item)
        elif isinstance(item, Mapping):
            try:
                out.append(QAEvaluation.model_validate(dict(item)))
            except ValueError as exc:
                raise RecordValidationError(f"QA evaluation {position}: {exc}") from None
        else:
            raise InvalidParameterError(
                f"QA metrics take QAEvaluation objects or mappings; item {position} is "
                f"{type(item).__name__}"
            )
    return out


def evaluation_scores(
    evaluations: Iterable[Any], *, weights: Mapping[str, float] | None = None
) -> npt.NDArray[np.float64]:
    """Each evaluation's weighted score in percent (vectorised over a criteria matrix).

    Raises
    ------
    RecordValidationError
        For an evaluation scoring a criterion the scorecard does not weigh, or
        none that it weighs.

    Examples
    --------
    >>> evaluation_scores([{"scores": {"tone": 1.0, "accuracy": 0.5}}],
    ...                   weights={"tone": 1, "accuracy": 3}).tolist()
    [62.5]
    """
    records = _evaluations(evaluations)
    names = sorted({c for r in records for c in r.scores}) if weights is None else list(weights)
    index = {name: i for i, name in enumerate(names)}
    matrix = np.full((len(records), len(names)), np.nan)
    for row, record in enumerate(records):
        for name, value in record.scores.items():
            if name not in index:
                raise RecordValidationError(
                    f"QA evaluation {row} (id={record.id!r}) scores {name!r}, which the "
                    f"scorecard does not weigh (criteria: {', '.join(names)})"
                )
            matrix[row, index[name]] = value
    w = np.ones(len(names)) if weights is None else np.array([weights[n] for n in names], float)
    scored = ~np.isnan(matrix)
    total_weight = scored @ w
    if (total_weight == 0).any():
        row = int(np.flatnonzero(total_weight == 0)[0])
        raise RecordValidationError(f"QA evaluation {row} scores no criterion of the scorecard")
    result: npt.NDArray[np.float64] = 100.0 * (np.nan_to_num(matrix) @ w) / total_weight
    return result


def qa_score(
    evaluations: Iterable[Any],
    *,
    weights: Mapping[str, float] | None = None,
    zero_division: ZeroDivision = "warn",
) -> float:
    """Mean QA score of ``evaluations``, in percent (0-100).

    Parameters
    ----------
    evaluations : iterable of QAEvaluation or mappings
    weights : mapping of criterion to weight, optional
        The scorecard; None weighs every criterion equally.
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> card = {"greeting": 1, "accuracy": 3, "tone": 1}
    >>> qa_score([{"scores": {"greeting": 1.0, "accuracy": 1.0, "tone": 0.0}},
    ...           {"scores": {"accuracy": 0.5, "tone": 1.0}}], weights=card)
    71.25
    """
    metric = QAScore(
        weights=None if weights is None else dict(weights), zero_division=zero_division
    )
    metric.update(evaluations)
    return float(metric.compute().value)


def qa_scores(
    evaluations: Iterable[Any],
    *,
    weights: Mapping[str, float] | None = None,
    by: str | Sequence[str] | None = "agent_id",
    period: str | None = None,
    timezone: str = "UTC",
    confidence: float = 0.95,
) -> MetricTable:
    """QA score per agent (or any field) and period, with a t interval.

    Parameters
    ----------
    evaluations : iterable of QAEvaluation or mappings
    weights : mapping of criterion to weight, optional
    by : str or sequence of str, default="agent_id"
        Fields of the evaluations; None for one row.
    period : {"day", "week", "month", "quarter", "year"}, optional
        By the period of ``evaluated_at`` (local to ``timezone``).
    timezone : str, default="UTC"
    confidence : float, default=0.95

    Returns
    -------
    MetricTable
        The ``by`` fields, ``period`` (with ``period=``), ``qa_score``, ``n``,
        ``lower``, ``upper``.

    Examples
    --------
    >>> rows = [{"agent_id": a, "scores": {"accuracy": s}} for a, s in
    ...         [("ann", 1.0), ("ann", 0.5), ("bob", 0.25)]]
    >>> qa_scores(rows).rows[0][:3]
    ('ann', 75.0, 2)
    """
    records = _evaluations(evaluations)
    scores = evaluation_scores(records, weights=weights)
    fields = () if by is None else ((by,) if isinstance(by, str) else tuple(by))
    keys = [tuple(str(getattr(r, f, None)) for f in fields) for r in records]
    if period is not None:
        if period not in PERIODS:
            raise InvalidParameterError(
                f"The 'period' parameter of qa_scores must be one of {', '.join(PERIODS)}. "
                f"Got {period!r} instead."
            )
        at = np.array([np.nan if r.evaluated_at is None else r.evaluated_at.timestamp()
                       for r in records])  # fmt: skip
        labels = np.full(at.size, "(no date)", dtype=object)
        labels[~np.isnan(at)] = period_labels(at[~np.isnan(at)], period, timezone)
        keys = [(*k, str(label)) for k, label in zip(keys, labels.tolist(), strict=True)]
    rows = []
    for key in sorted(set(keys)):
        values = scores[np.fromiter((k == key for k in keys), bool, len(keys))]
        state = MeanState.of(values)
        low, high = t_interval(state.total, state.total_squares, state.count, confidence)
        rows.append((*key, state.total / state.count, state.count, low, high))
    header = (*fields, *(("period",) if period else ()))
    return MetricTable(columns=(*header, "qa_score", "n", "lower", "upper"), rows=tuple(rows),
                       index=header)  # fmt: skip


@register
class QAScore(Metric[MeanState, QAParams]):
    """Mean QA score in percent, mergeable, with a t interval; see :func:`qa_score`.

    Examples
    --------
    >>> metric = QAScore(weights={"accuracy": 2, "tone": 1})
    >>> metric.update([{"scores": {"accuracy": 1.0, "tone": 0.4}}])
    >>> metric.compute().value
    80.0
    """

    name: ClassVar[str] = "qa_score"
    unit: ClassVar[str] = "score"
    input_kind: ClassVar[str] = "qa_evaluations"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 100.0
    state_type = MeanState
    Params = QAParams

    @staticmethod
    def _update(items: Any, params: Any) -> MeanState:
        return MeanState.of(evaluation_scores(items, weights=params.weights))

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        value = safe_ratio(state.total, state.count, params.zero_division, "qa_score")
        return MetricResult(
            value=value,
            n=state.count,
            unit="score",
            interval=t_interval(state.total, state.total_squares, state.count, params.confidence),
            confidence=params.confidence,
            details={"weights": params.weights},
        )
