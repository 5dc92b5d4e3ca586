"""ticket_surveys: first and last score per ticket and the verdict flips, against a walk."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics.csat import SATISFIED_BY_SCALE
from cxmetrics.models import SurveyResponse, Ticket
from cxmetrics.tickets import ticket_surveys

T0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
IDS = ["A", "B", "C"]


def _walk(ticket: str, answers: list[SurveyResponse], scale: int) -> dict[str, object]:
    mine = [a for a in answers if a.ticket_id == ticket and a.kind == "csat"]
    timed = sorted((a for a in mine if a.responded_at is not None), key=lambda a: a.responded_at)  # type: ignore[arg-type, return-value]
    ordered = timed + [a for a in mine if a.responded_at is None]
    good = [a.score in SATISFIED_BY_SCALE[scale] for a in ordered]
    pairs = list(itertools.pairwise(good))
    return {
        "surveys": len(ordered),
        "first_score": ordered[0].score if ordered else None,
        "last_score": ordered[-1].score if ordered else None,
        "good_to_bad": any(a and not b for a, b in pairs),
        "bad_to_good": any(b and not a for a, b in pairs),
    }


@given(
    st.sampled_from(sorted(SATISFIED_BY_SCALE)),
    st.lists(
        st.tuples(st.sampled_from([*IDS, "X", None]), st.integers(0, 10**6), st.booleans(),
                  st.integers(1, 10), st.sampled_from(["csat", "csat", "ces"])),
        max_size=15,
    ),
)  # fmt: skip
def test_agrees_with_a_walk_over_each_tickets_answers(scale: int, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    answers = [
        SurveyResponse(
            kind=kind, score=min(score, scale) if kind == "csat" else min(score, 7),
            scale=scale if kind == "csat" else 7, ticket_id=ticket,
            responded_at=T0 + timedelta(seconds=at) if timed else None,
        )
        for ticket, at, timed, score, kind in rows
    ]  # fmt: skip
    tickets = [Ticket(id=i, created_at=T0) for i in IDS]
    table = ticket_surveys(tickets, answers, scale=scale)
    for row, ticket in enumerate(IDS):
        expected = _walk(ticket, answers, scale)
        for name, value in expected.items():
            got = table[name][row]
            if value is None:
                assert math.isnan(got), (ticket, name)
            else:
                assert got == value, (ticket, name, got, value)


def test_a_rating_changed_from_good_to_bad_and_back() -> None:
    """Zendesk's ratings are good / bad: a 2-point scale. Offered-only answers do not exist here."""
    answers = [
        SurveyResponse(
            kind="csat", score=s, scale=2, ticket_id="A", responded_at=T0 + timedelta(days=d)
        )
        for s, d in [(2, 1), (1, 2), (2, 3)]
    ]
    table = ticket_surveys([Ticket(id="A", created_at=T0)], answers, scale=2)
    assert table.to_dict() == {
        "id": ["A"], "surveys": [3], "first_score": [2.0], "last_score": [2.0],
        "good_to_bad": [True], "bad_to_good": [True],
    }  # fmt: skip


def test_a_survey_table_works_like_the_records() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"kind": ["csat", "csat"], "score": [1, 5], "scale": [5, 5], "ticket_id": ["A", "A"],
         "responded_at": [T0 + timedelta(hours=2), T0 + timedelta(hours=1)]}
    )  # fmt: skip
    table = ticket_surveys([Ticket(id="A", created_at=T0)], frame)
    assert (table["first_score"][0], table["last_score"][0]) == (5.0, 1.0)
    assert table["good_to_bad"].tolist() == [True]


def test_another_scale_is_named() -> None:
    answers = [SurveyResponse(kind="csat", score=3, scale=3, ticket_id="A")]
    with pytest.raises(InvalidParameterError, match="scale=3"):
        ticket_surveys([Ticket(id="A", created_at=T0)], answers)
