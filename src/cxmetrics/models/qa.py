"""Quality-assurance evaluations: a reviewer scores one contact on a scorecard."""

from __future__ import annotations

from pydantic import field_validator

from cxmetrics.models._base import Record, RecordId, UtcDatetime

__all__ = ["QAEvaluation"]


class QAEvaluation(Record):
    """One evaluation of a contact against a scorecard's criteria.

    Attributes
    ----------
    scores : dict of str to float
        Per criterion, the share of its points earned, in [0, 1] (e.g. a 4 on a
        1-5 criterion is 0.75 if you map 1-5 to 0-1). Criteria that do not apply
        to the contact are left out, not scored 0.
    evaluated_at : datetime, optional
    id, ticket_id, agent_id, evaluator_id : str, optional
    channel : str, optional

    Examples
    --------
    >>> QAEvaluation(agent_id="ann", scores={"greeting": 1.0, "accuracy": 0.5}).scores["accuracy"]
    0.5
    >>> QAEvaluation(scores={"tone": 1.5})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for QAEvaluation
    ...
    """

    scores: dict[str, float]
    evaluated_at: UtcDatetime | None = None
    id: RecordId | None = None
    ticket_id: RecordId | None = None
    agent_id: RecordId | None = None
    evaluator_id: RecordId | None = None
    channel: str | None = None

    @field_validator("scores")
    @classmethod
    def _shares(cls, scores: dict[str, float]) -> dict[str, float]:
        if not scores:
            raise ValueError("an evaluation needs at least one scored criterion")
        outside = {name: value for name, value in scores.items() if not 0.0 <= value <= 1.0}
        if outside:
            raise ValueError(
                f"criterion scores are shares of their points in [0, 1]; got {outside}"
            )
        return scores
