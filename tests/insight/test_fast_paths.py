"""Laws of the report's insight fast paths: each equals its slow, obvious form.

The low scores of a survey table (one comparison per kind and scale, against a
per-answer loop), the period codes of instants (against ``np.unique`` of their
labels) and the tag counts of ``tag_spikes`` (against a per-ticket count).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import Ticket
from cxmetrics.core.periods import PERIODS, period_label_codes, period_labels
from cxmetrics.insight import tag_spikes
from cxmetrics.insight.responses import LOW_SCORE, _low
from cxmetrics.metrics.csat import SATISFIED_BY_SCALE

KINDS = ("csat", "ces", "nps", "review")


def _low_one_by_one(kinds: list[str], scales: list[float], scores: list[float]) -> list[bool]:
    """The oracle: every answer on its own."""
    out = []
    for kind, scale, score in zip(kinds, scales, scores, strict=True):
        if kind == "csat":
            out.append(score not in SATISFIED_BY_SCALE.get(int(scale), ()))
        else:
            out.append(score <= LOW_SCORE[kind])
    return out


@given(
    st.lists(
        st.tuples(
            st.sampled_from(KINDS),
            st.sampled_from((2.0, 3.0, 5.0, 7.0, 10.0, 11.0)),
            st.integers(0, 11).map(float),
        ),
        max_size=60,
    )
)
def test_low_scores_equal_one_answer_at_a_time(answers: list[tuple[str, float, float]]) -> None:
    kinds = [a[0] for a in answers]
    scales = [a[1] for a in answers]
    scores = [a[2] for a in answers]
    low = _low(np.array(kinds, dtype=object), np.array(scales), np.array(scores))
    assert low.tolist() == _low_one_by_one(kinds, scales, scores)


@given(
    st.lists(st.floats(1.5e9, 1.8e9), min_size=1, max_size=80),
    st.sampled_from(PERIODS),
    st.sampled_from(("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata")),
)
def test_period_codes_equal_unique_of_labels(seconds: list[float], period: str, tz: str) -> None:
    instants = np.array(seconds)
    names, codes = period_label_codes(instants, period, tz)
    expected_names, expected_codes = np.unique(
        period_labels(instants, period, tz), return_inverse=True
    )
    assert names.tolist() == expected_names.tolist()
    assert codes.tolist() == expected_codes.ravel().tolist()


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.lists(st.sampled_from("abcd"), max_size=4)),
        min_size=1,
        max_size=120,
    )
)
def test_tag_spike_counts_equal_a_count_per_ticket(rows: list[tuple[int, list[str]]]) -> None:
    monday = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
    tickets = [
        Ticket(id=f"T{i}", created_at=monday + timedelta(weeks=week), tags=tuple(tags))
        for i, (week, tags) in enumerate(rows)
    ]
    spikes = tag_spikes(tickets, min_history=0, min_tickets=0, width=1e-9).to_dict()
    for tag, period, count, total in zip(
        spikes["tag"], spikes["period"], spikes["tickets"], spikes["total"], strict=True
    ):
        week = int(period.split("-W")[1]) - 1
        assert total == sum(1 for w, _ in rows if w == week)
        assert count == sum(1 for w, tags in rows if w == week and tag in tags)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["chat", "email", None]),
            st.sampled_from(["a", "b", None]),
            st.one_of(st.none(), st.floats(1.6e9, 1.8e9)),
        ),
        max_size=40,
    ),
    st.sampled_from([None, "day", "week", "month"]),
)
def test_group_codes_equal_the_groups_built_tuple_by_tuple(
    rows: list[tuple[str | None, str | None, float | None]], period: str | None
) -> None:
    from cxmetrics.core.periods import period_labels
    from cxmetrics.insight._rows import group_codes

    def text(values: list[str | None]) -> Any:
        column = np.empty(len(values), dtype=object)
        column[:] = values
        return column

    columns = {"channel": text([r[0] for r in rows]), "agent_id": text([r[1] for r in rows])}
    instants = np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=np.float64)
    codes, names = group_codes(
        columns,
        by=("channel", "agent_id"),
        period=period,
        instants=instants,
        timezone="Europe/Paris",
    )
    # The slow form: one tuple per row, then the sorted distinct tuples.
    keys = [
        ("(none)" if r[0] is None else r[0], "(none)" if r[1] is None else r[1])
        + (
            ()
            if period is None
            else (
                "(no date)"
                if r[2] is None
                else str(period_labels(np.array([r[2]]), period, "Europe/Paris")[0]),
            )
        )
        for r in rows
    ]
    expected = sorted(set(keys))
    assert [tuple(map(str, name)) for name in names] == expected
    assert [expected[c] for c in codes.tolist()] == keys
