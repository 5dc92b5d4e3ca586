"""Turn survey input (numbers or SurveyResponse objects) into a checked score array."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError, RecordValidationError
from cxmetrics.models.survey import SurveyResponse, score_range

__all__ = ["check_scores", "scores_from_items"]

_MAX_LISTED = 5


def scores_from_items(
    responses: Iterable[Any] | npt.ArrayLike, *, kind: str, scale: int, owner: str
) -> npt.NDArray[np.float64]:
    """Return numbers or ``SurveyResponse`` objects as checked scores (see ``survey_scores``).

    Examples
    --------
    >>> scores_from_items([5, 4], kind="csat", scale=5, owner="csat").tolist()
    [5.0, 4.0]
    """
    if responses is None or isinstance(responses, (str, bytes, int, float)):
        raise InvalidParameterError(
            f"{owner}: responses must be numbers, SurveyResponse objects or a survey table; "
            f"got {responses!r}"
        )
    if isinstance(responses, np.ndarray):
        scores = responses.astype(np.float64, copy=False).ravel()
    else:
        values: list[float] = []
        for position, item in enumerate(responses):  # type: ignore[arg-type]
            if isinstance(item, SurveyResponse):
                if item.kind != kind:
                    raise InvalidParameterError(
                        f"{owner} expects {kind} answers; response {position} is a "
                        f"{item.kind} answer"
                    )
                if item.scale != scale:
                    raise InvalidParameterError(
                        f"{owner} was asked for a {scale}-point scale but response "
                        f"{position} is on a {item.scale}-point scale; pass scale="
                        f"{item.scale} or split the responses by scale"
                    )
                values.append(item.score)
            elif isinstance(item, (int, float, np.integer, np.floating)) and not isinstance(
                item, bool
            ):
                values.append(float(item))
            else:
                raise InvalidParameterError(
                    f"{owner} expects numbers or SurveyResponse objects; item {position} "
                    f"is {item!r} ({type(item).__name__})"
                )
        scores = np.asarray(values, dtype=np.float64)
    check_scores(scores, kind=kind, scale=scale, owner=owner)
    return scores


def check_scores(scores: npt.NDArray[np.float64], *, kind: str, scale: int, owner: str) -> None:
    """Raise when a score is off the ``kind`` scale (or fractional, except for reviews)."""
    low, high = score_range(kind, scale)
    bad = ~((scores >= low) & (scores <= high))  # NaN fails both comparisons
    if kind != "review":
        bad |= scores != np.round(scores)
    if bad.any():
        positions = np.flatnonzero(bad)
        listed = ", ".join(f"{scores[p]:g} at position {p}" for p in positions[:_MAX_LISTED])
        more = f" and {positions.size - _MAX_LISTED} more" if positions.size > _MAX_LISTED else ""
        whole = "" if kind == "review" else "whole "
        raise RecordValidationError(
            f"{owner}: {positions.size} score(s) are not {whole}numbers on the {scale}-point "
            f"{kind} scale {low}-{high}: {listed}{more}"
        )
