"""Response rates by hand, low-score comments and the reason mix."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cxmetrics import SurveyResponse
from cxmetrics.exceptions import CXMetricsError
from cxmetrics.insight import low_score_comments, reason_mix, response_rates
from cxmetrics.stats import wilson_interval

T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)  # a Monday


def _sent() -> list[dict[str, object]]:
    rows = []
    for i in range(10):
        rows.append({
            "ticket_id": f"T{i}",
            "kind": "csat",
            "channel": "chat" if i < 6 else "email",
            "agent_id": "ann" if i % 2 else "bob",
            "sent_at": T0 + timedelta(weeks=i // 5),
        })  # fmt: skip
    return rows


ANSWERED = ["T0", "T1", "T2", "T7"]


def _answers() -> list[SurveyResponse]:
    return [SurveyResponse(kind="csat", score=4, ticket_id=t) for t in ANSWERED] + [
        SurveyResponse(kind="nps", score=9, ticket_id="T3")  # another survey: not a csat answer
    ]


def test_response_rate_by_channel_by_hand() -> None:
    table = response_rates(_sent(), _answers(), by="channel").to_dict()
    assert table["channel"] == ["chat", "email"]
    assert table["sent"] == [6, 4]
    assert table["answered"] == [3, 1]
    assert table["response_rate"] == [0.5, 0.25]
    assert (table["lower"][0], table["upper"][0]) == pytest.approx(wilson_interval(3, 6))


def test_response_rate_by_agent_and_week_by_hand() -> None:
    table = response_rates(_sent(), _answers(), by="agent_id", period="week")
    rows = {key[:2]: key[2:] for key in table.rows}
    # ann: T1, T3 in W10 (T1 answered); T5, T7, T9 in W11 (T7 answered).
    assert rows[("ann", "2024-W10")][:3] == (2, 1, 0.5)
    assert rows[("ann", "2024-W11")][:3] == (3, 1, pytest.approx(1 / 3))
    # bob: T0, T2, T4 in W10 (T0, T2 answered); T6, T8 in W11 (none).
    assert rows[("bob", "2024-W10")][:3] == (3, 2, pytest.approx(2 / 3))
    assert rows[("bob", "2024-W11")][:3] == (2, 0, 0.0)


def test_response_rate_from_the_sent_rows_own_answer_times() -> None:
    sent = [{"ticket_id": "a", "responded_at": T0}, {"ticket_id": "b", "responded_at": None}]
    assert response_rates(sent).column("response_rate") == [0.5]


def test_response_rate_from_a_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_sent())
    assert response_rates(frame, _answers()).column("answered") == [4]


def test_response_rate_errors_name_the_field() -> None:
    with pytest.raises(CXMetricsError, match="ticket_id"):
        response_rates([{"channel": "chat"}], _answers())
    with pytest.raises(CXMetricsError, match="region"):
        response_rates(_sent(), _answers(), by="region")


def _commented() -> list[SurveyResponse]:
    rows = [
        (1, "T1", "rude", "agent", 0),
        (3, "T2", "slow", "speed", 1),
        (1, "T3", "never solved", "not solved", 2),
        (5, "T4", "great", None, 3),
        (2, "T5", None, "speed", 4),
    ]
    return [
        SurveyResponse(kind="csat", score=s, ticket_id=t, comment=c, reason=r,
                       responded_at=T0 + timedelta(hours=h))
        for s, t, c, r, h in rows
    ]  # fmt: skip


def test_low_score_comments_worst_first_then_newest() -> None:
    table = low_score_comments(_commented()).to_dict()
    assert table["ticket_id"] == ["T3", "T1", "T2"]
    assert table["responded_at"][0] == T0 + timedelta(hours=2)
    assert low_score_comments(_commented(), at_most=1, limit=1).column("ticket_id") == ["T3"]


def test_low_score_comments_in_a_window() -> None:
    window = (T0, T0 + timedelta(hours=1, minutes=30))
    assert low_score_comments(_commented(), window=window).column("ticket_id") == ["T1", "T2"]


def test_reason_mix_by_hand() -> None:
    table = reason_mix(_commented()).to_dict()
    assert table["reason"] == ["speed", "(none)", "agent", "not solved"]
    assert table["answers"] == [2, 1, 1, 1]
    assert table["share"][0] == 0.4
    assert table["mean_score"][0] == 2.5
    low = reason_mix(_commented(), low_only=True)
    assert "(none)" not in low.column("reason")


def test_survey_table_keeps_comment_reason_and_sent_at() -> None:
    pa = pytest.importorskip("pyarrow")
    from cxmetrics.io import to_survey_table

    table = to_survey_table(
        pa.table({
            "kind": ["csat"], "score": [2], "comment": ["late"], "reason": ["speed"],
            "sent_at": ["2024-03-04T09:00:00Z"],
        })
    )  # fmt: skip
    assert table["comment"].tolist() == ["late"]
    assert table["reason"].tolist() == ["speed"]
    assert table["sent_at"].tolist() == [T0.timestamp()]
    assert low_score_comments(table).column("comment") == ["late"]
