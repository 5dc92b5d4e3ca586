"""Drivers: thresholds found on simulated data with a known breakpoint, slopes by OLS."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from cxmetrics import SurveyResponse, Ticket
from cxmetrics.exceptions import CXMetricsError
from cxmetrics.insight import drivers

T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
BREAK_HOURS = 4.0


def _simulate(n: int, seed: int) -> tuple[list[Ticket], list[SurveyResponse], np.ndarray]:
    """Satisfied with p 0.9 below four hours of first reply, 0.6 above; chat answers
    faster and is liked a little more (a confounder the channel control removes)."""
    rng = np.random.default_rng(seed)
    chat = rng.random(n) < 0.4
    hours = np.where(chat, rng.uniform(0, 8, n), rng.uniform(0, 12, n))
    p = np.where(hours < BREAK_HOURS, 0.9, 0.6) + np.where(chat, 0.05, 0.0)
    satisfied = rng.random(n) < p
    score = np.where(satisfied, 5, rng.integers(1, 4, n))
    tickets, answers = [], []
    for i in range(n):
        created = T0 + timedelta(minutes=7 * i)
        reply = created + timedelta(hours=float(hours[i]))
        tickets.append(Ticket(id=f"T{i}", created_at=created, channel="chat" if chat[i] else "email",
                              status="solved", first_reply_at=reply,
                              solved_at=reply + timedelta(hours=1)))  # fmt: skip
        answers.append(SurveyResponse(kind="csat", score=int(score[i]), ticket_id=f"T{i}"))
    return tickets, answers, hours


def test_threshold_found_at_the_known_breakpoint() -> None:
    tickets, answers, _ = _simulate(3000, seed=3)
    found = drivers(tickets, answers, measures=["first_reply"])
    row = found.thresholds.to_dict()
    assert abs(row["threshold"][0] - timedelta(hours=BREAK_HOURS)) <= timedelta(minutes=30)
    # The drop is 0.3 within channels; its interval covers it and excludes zero.
    assert row["lower"][0] < -0.3 < row["upper"][0] < 0
    assert row["below"][0] > row["above"][0]


def test_threshold_is_stable_across_simulations() -> None:
    misses = 0
    for seed in range(10, 20):
        tickets, answers, _ = _simulate(1500, seed=seed)
        tau = drivers(tickets, answers, measures=["first_reply"]).thresholds.column("threshold")[0]
        misses += abs(tau - timedelta(hours=BREAK_HOURS)) > timedelta(hours=1)
    assert misses <= 1


def test_slope_equals_least_squares_with_channel_dummies() -> None:
    tickets, answers, hours = _simulate(800, seed=5)
    found = drivers(tickets, answers, measures=["first_reply"])
    y = np.array([1.0 if a.score >= 4 else 0.0 for a in answers])
    chat = np.array([t.channel == "chat" for t in tickets], dtype=float)
    design = np.column_stack([hours, chat, 1 - chat])
    beta = np.linalg.lstsq(design, y, rcond=None)[0][0]
    assert found.effects.column("effect")[0] == pytest.approx(beta, rel=1e-6)
    assert found.n == 800
    assert found.channels.column("channel") == ["chat", "email"]


def test_answers_without_a_known_ticket_are_left_out() -> None:
    tickets, answers, _ = _simulate(50, seed=1)
    extra = [SurveyResponse(kind="csat", score=1, ticket_id="nope"),
             SurveyResponse(kind="nps", score=0, ticket_id="T1")]  # fmt: skip
    assert drivers(tickets, answers + extra, measures=["replies"]).n == 50


def test_bad_options_raise_our_errors() -> None:
    tickets, answers, _ = _simulate(20, seed=1)
    with pytest.raises(CXMetricsError, match="outcome"):
        drivers(tickets, answers, outcome="happiness")
    with pytest.raises(CXMetricsError, match="wait_time"):
        drivers(tickets, answers, measures=["wait_time"])
