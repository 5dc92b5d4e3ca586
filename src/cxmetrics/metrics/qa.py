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
from cxmetrics.registry import register
from cxmetrics.stats import t_interval
from cxmetrics.tables.inputs import qa_input
from cxmetrics.tables.record_frames import QA_SCORE_PREFIX

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


def evaluation_scores(
    evaluations: Any, *, weights: Mapping[str, float] | None = None
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
    table = qa_input(evaluations)
    criteria = [
        c.removeprefix(QA_SCORE_PREFIX) for c in table.columns if c.startswith(QA_SCORE_PREFIX)
    ]
    names = sorted(criteria) if weights is None else list(weights)
    n = len(table)
    for name in sorted(set(criteria) - set(names)):
        scored = np.flatnonzero(~np.isnan(table[QA_SCORE_PREFIX + name]))
        if scored.size:
            row = int(scored[0])
            raise RecordValidationError(
                f"QA evaluation {row} (id={table['id'][row]!r}) scores {name!r}, which the "
                f"scorecard does not weigh (criteria: {', '.join(names)})"
            )
    absent = np.full(n, np.nan)
    matrix = (
        np.column_stack([table.get(QA_SCORE_PREFIX + name, absent) for name in names])
        if names
        else np.empty((n, 0))
    )
    w = np.ones(len(names)) if weights is None else np.array([weights[n] for n in names], float)
    scored_cells = ~np.isnan(matrix)
    total_weight = scored_cells @ w
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
    evaluations : iterable of QAEvaluation or mappings, or a QA table
        A DataFrame or :class:`~cxmetrics.tables.schema.RecordTable` of QA
        evaluations (one column per criterion, see :func:`~cxmetrics.io.to_qa_table`).
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
    table = qa_input(evaluations)
    scores = evaluation_scores(table, weights=weights)
    fields = () if by is None else ((by,) if isinstance(by, str) else tuple(by))
    nothing = np.full(len(table), None, dtype=object)
    values = [table.get(f, nothing).tolist() for f in fields]
    keys = (
        [tuple(str(v) for v in row) for row in zip(*values, strict=True)]
        if fields
        else [() for _ in range(len(table))]
    )
    if period is not None:
        if period not in PERIODS:
            raise InvalidParameterError(
                f"The 'period' parameter of qa_scores must be one of {', '.join(PERIODS)}. "
                f"Got {period!r} instead."
            )
        at = np.asarray(table["evaluated_at"], dtype=np.float64)
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
