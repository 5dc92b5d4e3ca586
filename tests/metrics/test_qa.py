"""QA score: contract, weighted scorecards by hand, per agent and week."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import strategies as st

from cxmetrics import QAEvaluation, QAScore, qa_score, qa_scores
from cxmetrics.exceptions import CXMetricsError
from cxmetrics.stats import t_interval

from tests.metrics.contract import MetricContract

CARD = {"greeting": 1.0, "accuracy": 3.0, "tone": 2.0}

evaluations = st.lists(
    st.dictionaries(
        st.sampled_from(sorted(CARD)), st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=1
    ).map(lambda scores: QAEvaluation(scores=scores)),
    max_size=30,
)


class TestQAScore(MetricContract):
    metric_cls = QAScore
    function = qa_score
    items = evaluations
    params = {"weights": CARD}


def _oracle(evaluation: QAEvaluation) -> float:
    earned = sum(CARD[c] * s for c, s in evaluation.scores.items())
    return 100.0 * earned / sum(CARD[c] for c in evaluation.scores)


def test_weighted_scores_by_hand() -> None:
    rows = [QAEvaluation(scores={"greeting": 1.0, "accuracy": 0.5}),  # (1 + 1.5) / 4
            QAEvaluation(scores={"tone": 0.25})]  # fmt: skip
    assert qa_score(rows, weights=CARD) == pytest.approx((62.5 + 25.0) / 2)
    # Without a scorecard every criterion weighs the same.
    assert qa_score(rows) == pytest.approx((75.0 + 25.0) / 2)


def test_per_agent_and_week_with_intervals() -> None:
    t0 = datetime(2024, 3, 4, 12, tzinfo=timezone.utc)
    rng = np.random.default_rng(4)
    rows = [
        QAEvaluation(agent_id=agent, evaluated_at=t0 + timedelta(days=int(day)),
                     scores={c: float(rng.choice([0.0, 0.5, 1.0])) for c in CARD})
        for agent in ("ann", "bob") for day in rng.integers(0, 14, size=6)
    ]  # fmt: skip
    table = qa_scores(rows, weights=CARD, period="week")
    for agent, week, score, n, low, high in table.rows:
        chosen = [r for r in rows if r.agent_id == agent
                  and r.evaluated_at is not None and r.evaluated_at.strftime("%G-W%V") == week]  # fmt: skip
        values = np.array([_oracle(r) for r in chosen])
        assert n == len(chosen) and score == pytest.approx(values.mean())
        expected = t_interval(values.sum(), (values**2).sum(), values.size, 0.95)
        assert (low, high) == pytest.approx(expected, nan_ok=True)


def test_bad_evaluations_are_named() -> None:
    with pytest.raises(CXMetricsError, match="does not weigh"):
        qa_score([{"scores": {"empathy": 1.0}}], weights=CARD)
    with pytest.raises(CXMetricsError, match=r"\[0, 1\]"):
        qa_score([{"scores": {"tone": 3}}])
    with pytest.raises(CXMetricsError, match="weight"):
        QAScore(weights={"tone": 0})
