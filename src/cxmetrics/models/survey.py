"""Survey answers: CSAT, CES, NPS and star-rating reviews."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import Self

from cxmetrics.models._base import Number, Record, RecordId, UtcDatetime

__all__ = ["SCALES", "SurveyKind", "SurveyResponse", "SurveySent", "check_score"]

SurveyKind = Literal["csat", "ces", "nps", "review"]
"""The survey a score answers."""

SCALES: dict[str, tuple[int, tuple[int, ...] | None]] = {
    # kind: (default scale, allowed scales or None for any scale >= 2)
    "csat": (5, (2, 3, 4, 5, 7, 10)),
    "ces": (7, (5, 7)),
    "nps": (10, (10,)),
    "review": (5, None),
}
"""Default and allowed scales per survey kind. NPS answers run 0-10, the others 1-scale."""


def score_range(kind: str, scale: int) -> tuple[int, int]:
    """Return the inclusive ``(lowest, highest)`` score of ``kind`` on ``scale``.

    Examples
    --------
    >>> score_range("nps", 10), score_range("csat", 5)
    ((0, 10), (1, 5))
    """
    return (0, 10) if kind == "nps" else (1, scale)


def allowed_scales(kind: str) -> str:
    """Describe the scales ``kind`` surveys use, for messages.

    Examples
    --------
    >>> allowed_scales("ces"), allowed_scales("review")
    ('one of 5, 7', 'an integer of at least 2')
    """
    allowed = SCALES[kind][1]
    if allowed is None:
        return "an integer of at least 2"
    return "one of " + ", ".join(str(s) for s in sorted(allowed))


def is_valid_scale(kind: str, scale: int) -> bool:
    """Whether ``scale`` is a scale ``kind`` surveys use."""
    allowed = SCALES[kind][1]
    return scale >= 2 if allowed is None else scale in allowed


def check_scale(kind: str, scale: int) -> None:
    """Raise ``ValueError`` when ``scale`` is not a scale ``kind`` surveys use."""
    if not is_valid_scale(kind, scale):
        raise ValueError(f"a {kind} scale must be {allowed_scales(kind)}, got {scale}")


def check_score(kind: str, scale: int, score: float) -> None:
    """Raise ``ValueError`` when ``score`` is not a valid answer on ``scale``.

    Examples
    --------
    >>> check_score("csat", 5, 6)
    Traceback (most recent call last):
    ...
    ValueError: csat score 6 is outside the 5-point scale 1-5
    """
    low, high = score_range(kind, scale)
    if not low <= score <= high:
        raise ValueError(f"{kind} score {score:g} is outside the {scale}-point scale {low}-{high}")
    if kind != "review" and score != int(score):
        raise ValueError(f"{kind} score {score:g} must be a whole number")


class SurveyResponse(Record):
    """One answer to a CSAT, CES, NPS or review survey.

    Attributes
    ----------
    kind : {"csat", "ces", "nps", "review"}
    score : float
        The answer. Whole numbers for csat, ces and nps; any number for reviews.
    scale : int, optional
        Number of points. Defaults: csat 5, ces 7, nps 10 (answers 0-10), review 5.
        CSAT allows 2, 3, 4, 5, 7 and 10; CES allows 7 (agreement, higher is
        better) and 5 (effort, lower is better).
    responded_at : datetime, optional
    ticket_id, customer_id, agent_id : str, optional
    channel : str, optional
    comment : str, optional
        The customer's free-text comment, read beside low scores.
    reason : str, optional
        The category the customer (or a follow-up question) gave for the score,
        e.g. ``"slow reply"``; counted in the reason mix.
    sent_at : datetime, optional
        When the survey was sent. The surveys that were sent but never answered
        are a separate input of :func:`cxmetrics.insight.response_rates`.

    Examples
    --------
    >>> SurveyResponse(kind="nps", score=9).scale
    10
    >>> SurveyResponse(kind="csat", score=2, reason="slow reply", comment="Two days!").reason
    'slow reply'
    >>> SurveyResponse(kind="csat", score=6)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for SurveyResponse
    ...
    """

    kind: SurveyKind
    score: Number
    scale: int | None = None
    responded_at: UtcDatetime | None = None
    ticket_id: RecordId | None = None
    customer_id: RecordId | None = None
    agent_id: RecordId | None = None
    channel: str | None = None
    comment: str | None = None
    reason: str | None = None
    sent_at: UtcDatetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_scale(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("scale") is None and data.get("kind") in SCALES:
            data = {**data, "scale": SCALES[data["kind"]][0]}
        return data

    @model_validator(mode="after")
    def _score_on_scale(self) -> Self:
        assert self.scale is not None  # filled in by _default_scale
        try:
            check_scale(self.kind, self.scale)
        except ValueError as exc:
            raise PydanticCustomError("invalid_scale", str(exc)) from None
        try:
            check_score(self.kind, self.scale, self.score)
        except ValueError as exc:
            raise PydanticCustomError("score_out_of_scale", str(exc)) from None
        return self


class SurveySent(Record):
    """One survey sent, answered or not: the denominator of a response rate.

    Attributes
    ----------
    kind : {"csat", "ces", "nps", "review"}, default="csat"
    sent_at : datetime, optional
    responded_at : datetime, optional
        When it was answered; None while unanswered. (Or leave it out and pass the
        answers to :func:`cxmetrics.insight.response_rates`, which matches them by ticket.)
    ticket_id, customer_id, agent_id : str, optional
    channel : str, optional

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> SurveySent(ticket_id=7, sent_at=datetime(2024, 3, 4, tzinfo=timezone.utc)).ticket_id
    '7'
    """

    kind: SurveyKind = "csat"
    sent_at: UtcDatetime | None = None
    responded_at: UtcDatetime | None = None
    ticket_id: RecordId | None = None
    customer_id: RecordId | None = None
    agent_id: RecordId | None = None
    channel: str | None = None
