"""Reweighting for non-response: an answer-by-answer oracle, and the equal-rates law."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import SurveyResponse
from cxmetrics.exceptions import CXMetricsError
from cxmetrics.insight import reweighted_score


def _oracle(sent: list[dict[str, str]], answers: list[SurveyResponse]) -> float:
    """Each answer weighted by its stratum's sent / answered, one answer at a time."""
    stratum = {row["ticket_id"]: row["channel"] for row in sent}
    sent_in: dict[str, int] = {}
    for row in sent:
        sent_in[row["channel"]] = sent_in.get(row["channel"], 0) + 1
    answered_in: dict[str, int] = {}
    for answer in answers:
        key = stratum[str(answer.ticket_id)]
        answered_in[key] = answered_in.get(key, 0) + 1
    total = weight_sum = 0.0
    for answer in answers:
        key = stratum[str(answer.ticket_id)]
        weight = sent_in[key] / answered_in[key]
        total += weight * (1.0 if answer.score >= 4 else 0.0)
        weight_sum += weight
    return total / weight_sum


@st.composite
def surveys(draw: st.DrawFn) -> tuple[list[dict[str, str]], list[SurveyResponse]]:
    sent, answers = [], []
    for channel in draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=4, unique=True)):
        n = draw(st.integers(1, 12))
        scores = draw(st.lists(st.integers(1, 5), min_size=1, max_size=n))
        for i in range(n):
            sent.append({"ticket_id": f"{channel}{i}", "channel": channel})
        for i, score in enumerate(scores):
            answers.append(SurveyResponse(kind="csat", score=score, ticket_id=f"{channel}{i}"))
    return sent, answers


@given(surveys())
def test_weighted_equals_the_answer_by_answer_oracle(data: tuple[list, list]) -> None:
    sent, answers = data
    result = reweighted_score(sent, answers)
    assert result.weighted == pytest.approx(_oracle(sent, answers))
    assert result.unweighted == pytest.approx(np.mean([a.score >= 4 for a in answers]))
    assert result.answered == len(answers)


@given(st.lists(st.lists(st.integers(1, 5), min_size=1, max_size=6), min_size=1, max_size=4))
def test_equal_response_rates_change_nothing(per_stratum: list[list[int]]) -> None:
    sent, answers = [], []
    for s, scores in enumerate(per_stratum):
        for i in range(2 * len(scores)):  # every stratum answers exactly half
            sent.append({"ticket_id": f"{s}-{i}", "channel": str(s)})
        answers += [SurveyResponse(kind="csat", score=v, ticket_id=f"{s}-{i}")
                    for i, v in enumerate(scores)]  # fmt: skip
    result = reweighted_score(sent, answers)
    assert result.weighted == pytest.approx(result.unweighted)


def test_interval_and_strata_by_hand() -> None:
    sent = [{"ticket_id": f"c{i}", "channel": "chat"} for i in range(10)] + [
        {"ticket_id": f"e{i}", "channel": "email"} for i in range(10)
    ]
    answers = [SurveyResponse(kind="csat", score=5, ticket_id=f"c{i}") for i in range(4)]
    answers += [
        SurveyResponse(kind="csat", score=s, ticket_id=f"e{i}") for i, s in enumerate([5, 1])
    ]
    result = reweighted_score(sent, answers)
    # chat: mean 1, variance 0; email: mean 0.5, variance 0.5 over 2 answers.
    assert result.weighted == pytest.approx(0.75)
    se = math.sqrt(0.25 * 0.5 / 2)
    assert (result.lower, result.upper) == pytest.approx(
        (0.75 - 1.959964 * se, 0.75 + 1.959964 * se), rel=1e-6
    )
    assert result.strata.column("response_rate") == [0.4, 0.2]
    assert result.strata.column("weight") == [0.5, 0.5]


def test_strata_without_answers_are_counted_and_left_out() -> None:
    sent = [{"ticket_id": "a", "channel": "chat"}, {"ticket_id": "b", "channel": "email"}]
    result = reweighted_score(sent, [SurveyResponse(kind="csat", score=5, ticket_id="a")])
    assert result.unanswered_strata == 1
    assert result.sent == 1
    with pytest.raises(CXMetricsError, match="no answer"):
        reweighted_score(sent, [SurveyResponse(kind="csat", score=5, ticket_id="z")])
