"""The report's insight parts: targets on the cards and in the exports, Alerts, and
What customers said (low-score comments, reasons, response rates).

Every expected figure is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from cxmetrics import SurveyResponse, Ticket
from cxmetrics.cli import main
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.insight import Target
from cxmetrics.reporting import report
from cxmetrics.reporting.cards import headline_cards
from cxmetrics.reporting.sections import sections

REPO = Path(__file__).resolve().parents[1]
MONDAY = datetime(2024, 3, 4, 10, tzinfo=timezone.utc)  # 2024-W10


def week(w: int, hours: float = 0.0) -> datetime:
    return MONDAY + timedelta(weeks=w, hours=hours)


def csat_weeks(weekly: list[list[int]], **fields: Any) -> list[SurveyResponse]:
    return [
        SurveyResponse(kind="csat", score=s, responded_at=week(w, i / 10), **fields)
        for w, scores in enumerate(weekly)
        for i, s in enumerate(scores)
    ]


# -- targets ------------------------------------------------------------------------


def small_report(**options: Any) -> Any:
    # CSAT: week 10 answers 5, 5, 4, 4 -> 4/4 satisfied = 100 %;
    #       week 11 answers 5, 4, 5, 1 -> 3/4 = 75 %.
    surveys = csat_weeks([[5, 5, 4, 4], [5, 4, 5, 1]])
    # First response: week 10 after 3 h and 5 h (mean 4 h); week 11 after 1 h and 2 h (1.5 h).
    tickets = [
        Ticket(id=f"T{w}{i}", created_at=week(w), first_reply_at=week(w, h))
        for w, hours in enumerate([(3, 5), (1, 2)])
        for i, h in enumerate(hours)
    ]
    return report(
        tickets=tickets,
        surveys=surveys,
        metrics=["csat", "first_response_time"],
        period="week",
        **options,
    )


def test_targets_met_and_missed_by_hand() -> None:
    r = small_report(targets={"csat": 0.85, "first_response_time": "2h"})
    table = r.insights.targets
    got = {row[0]: row for row in table.rows}
    # The headline is the latest week (W11): CSAT 75 % < 85 % missed by 10 points;
    # first response 1.5 h <= 2 h met, 30 min under.
    assert got["csat"][4] is False and got["csat"][5] == pytest.approx(-0.10)
    assert got["first_response_time"][4] is True
    assert got["first_response_time"][5] == pytest.approx(-1800.0)
    assert {row[6] for row in table.rows} == {"2024-W11"}


def test_cards_say_met_or_missed_with_the_gap() -> None:
    r = small_report(targets={"csat": 0.85, "first_response_time": "2h"})
    notes = {card.metric: card.notes for card in headline_cards(r)}
    assert notes["csat"] == ("✗ target ≥ 85.0%: missed by 10.0 pts",)
    assert notes["first_response_time"] == ("✓ target ≤ 2.0 h: met (0.5 h to spare)",)
    html = r.to_html()
    assert "missed by 10.0 pts" in html and "csat ≥ 85%" in html  # the card and the header


def test_every_exported_row_carries_its_target() -> None:
    r = small_report(targets=[Target("csat", 0.85, "at_least")])
    rows = {(d["metric"], d["period"]): d for d in json.loads(r.to_json())["rows"]}
    # W10 100 % meets 85 %, W11 75 % misses it; no target for first response.
    assert rows[("csat", "2024-W10")]["target_met"] is True
    assert rows[("csat", "2024-W11")]["target_met"] is False
    assert rows[("first_response_time", "2024-W11")]["target"] is None
    parsed = list(csv.DictReader(io.StringIO(r.to_csv())))
    assert [
        (p["period"], p["target"], p["target_met"]) for p in parsed if p["metric"] == "csat"
    ] == [
        ("2024-W10", "0.85", "True"),
        ("2024-W11", "0.85", "False"),
    ]
    assert json.loads(r.to_json())["targets"][0]["met"] is False


def test_report_without_targets_keeps_its_exports() -> None:
    r = small_report()
    assert "target" not in r.to_dicts()[0]
    assert "targets" not in json.loads(r.to_json())
    assert "target_met" not in r.to_csv().splitlines()[0]


def test_bad_targets_are_an_error() -> None:
    with pytest.raises(InvalidParameterError):
        small_report(targets=[0.85])
    with pytest.raises(InvalidParameterError):
        small_report(targets={"csat": "soon"})


def test_target_line_is_drawn_on_the_trend() -> None:
    pytest.importorskip("matplotlib")
    from cxmetrics.reporting.charts import plot_trend

    r = small_report(targets={"csat": 0.85})
    ax = plot_trend(r, "csat", target=0.85)
    # Rates are drawn in percent: the dashed line at 85.
    assert [line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"] == [
        pytest.approx(85.0)
    ]


# -- alerts -------------------------------------------------------------------------

STABLE_WEEK = [5, 5, 5, 5, 4, 4, 4, 4, 2, 1] * 5  # 80 % satisfied of 50


def alerts_section(r: Any) -> Any:
    return next(s for s in sections(r) if s.key == "alerts")


def test_a_spike_is_flagged_and_a_stable_series_is_not() -> None:
    spiked = [STABLE_WEEK] * 7 + [[5, 4, 2, 1, 1] * 10]  # last week 40 % satisfied
    r = report(surveys=csat_weeks(spiked), metrics=["csat"], period="week")
    alerts = r.insights.alerts
    # p-chart: center (7 * 40 + 20) / 400 = 0.75, limits 0.75 -/+ 3 sqrt(.75 * .25 / 50)
    # = 0.566 .. 0.934; week 8 at 0.40 is below.
    assert [(a[0], a[2], a[5]) for a in alerts.rows] == [("csat", "2024-W17", "low")]
    assert alerts.rows[0][6] == pytest.approx(0.75 - 3 * (0.75 * 0.25 / 50) ** 0.5)
    section = alerts_section(r)
    assert section.table[1][:2] == ("csat", "2024-W17")
    assert "0.27%" in section.notes[0]
    assert json.loads(r.to_json())["alerts"]["flagged"][0]["period"] == "2024-W17"

    stable = report(surveys=csat_weeks([STABLE_WEEK] * 8), metrics=["csat"], period="week")
    assert len(stable.insights.alerts) == 0
    assert "Nothing flagged" in " ".join(alerts_section(stable).notes)
    assert json.loads(stable.to_json())["alerts"]["flagged"] == []


def test_no_alerts_section_without_periods() -> None:
    r = report(surveys=csat_weeks([STABLE_WEEK] * 8), metrics=["csat"])
    assert r.insights.alerts is None
    assert "alerts" not in [s.key for s in sections(r)]
    assert "alerts" not in json.loads(r.to_json())
    short = report(surveys=csat_weeks([STABLE_WEEK] * 3), metrics=["csat"], period="week")
    assert alerts_section(short).notes == (
        "No period series is long enough to chart (it takes 4 periods).",
    )


def test_tag_spike_is_listed() -> None:
    # 40 tickets a week, 2 tagged "payment error" (5 %), then 12 in week 5 (30 %).
    tickets = [
        Ticket(id=f"{w}-{i}", created_at=week(w, i / 10),
               tags=("payment error",) if i < (12 if w == 4 else 2) else ())
        for w in range(5)
        for i in range(40)
    ]  # fmt: skip
    r = report(tickets=tickets, metrics=["ticket_volume"], period="week")
    assert r.insights.spikes.column("tag") == ["payment error"]
    notes = " ".join(alerts_section(r).notes)
    assert "payment error in 2024-W14: 30.0% of 40 tickets" in notes
    assert json.loads(r.to_json())["alerts"]["tag_spikes"][0]["tickets"] == 12


# -- what customers said --------------------------------------------------------------


def commented() -> list[SurveyResponse]:
    # Week 10: one low score; week 11: three low scores with comments, one satisfied.
    rows = [
        (0, 1, "T1", "slow reply", "old news"),
        (1, 3, "T2", "product", "meh"),
        (1, 1, "T3", "slow reply", "waited two days"),
        (1, 5, "T4", None, "great"),
        (1, 2, "T5", "slow reply", "no answer"),
    ]
    return [
        SurveyResponse(kind="csat", score=s, ticket_id=t, reason=why, comment=c,
                       responded_at=week(w, i))
        for i, (w, s, t, why, c) in enumerate(rows)
    ]  # fmt: skip


def test_comments_of_the_period_worst_first() -> None:
    r = report(surveys=commented(), metrics=["csat"], period="week")
    comments = r.insights.comments["csat"]
    # The latest week only (T1 is week 10), lowest score first, the satisfied T4 left out.
    assert comments.column("ticket_id") == ["T3", "T5", "T2"]
    assert comments.column("score") == [1, 2, 3]
    section = next(s for s in sections(r) if s.key == "customers-said")
    assert [row[2] for row in section.table[1:]] == ["T3", "T5", "T2"]
    # Reasons of the low scores of week 11: slow reply 2 of 3, product 1 of 3.
    assert "slow reply 67% (2), product 33% (1)" in " ".join(section.notes)
    said = json.loads(r.to_json())["customers_said"]
    assert said["period"] == "2024-W11"
    assert [c["comment"] for c in said["low_score_comments"]["csat"]] == [
        "waited two days",
        "no answer",
        "meh",
    ]
    assert "What customers said" in r.to_html()


def test_whole_data_comments_without_periods() -> None:
    r = report(surveys=commented(), metrics=["csat"])
    # Both 1s first, the more recent (T3, week 11) before T1.
    assert r.insights.comments["csat"].column("ticket_id") == ["T3", "T1", "T5", "T2"]


def test_response_rate_by_hand() -> None:
    sends = [
        {"ticket_id": t, "sent_at": week(1), "channel": c}
        for t, c in [("T2", "chat"), ("T3", "chat"), ("T9", "email"), ("T8", "email")]
    ]
    r = report(surveys=commented(), metrics=["csat"], survey_sends=sends)
    # Sent 4; answered T2 and T3 -> 50 %; chat 2 of 2, email 0 of 2.
    assert r.insights.response_rates.column("response_rate") == [1.0, 0.0]
    section = next(s for s in sections(r) if s.key == "customers-said")
    assert "Survey response rate: 50.0% (2 of 4 sent); by channel: chat 100%, email 0%." in (
        section.notes
    )
    assert [(x["channel"], x["answered"]) for x in json.loads(r.to_json())["response_rates"]] == [
        ("chat", 2),
        ("email", 0),
    ]


def test_cli_sample_with_targets(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["report", "--sample", "--period", "week", "--metrics", "csat,nps",
                   "--targets", str(REPO / "docs" / "examples" / "targets.toml"),
                   "--format", "json"])  # fmt: skip
    out = capsys.readouterr()
    assert status == 0, out.err
    data = json.loads(out.out)
    assert {t["metric"] for t in data["targets"] if t["met"] is not None} == {"csat", "nps"}
    assert data["response_rates"] and data["customers_said"]["low_score_comments"]["csat"]
    assert data["alerts"]["series"] == 2  # the metrics asked: csat and nps


def test_segmenting_the_report_by_tags_points_to_the_per_tag_metric() -> None:
    from cxmetrics.datasets import load_sample
    from cxmetrics.exceptions import InvalidParameterError

    tickets = load_sample().tickets[:50]
    with pytest.raises(InvalidParameterError, match=r"insight\.metric_by_tag"):
        report(tickets=tickets, by=["tags"], metrics=["fcr"])
