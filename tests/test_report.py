"""The KPI report and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import numpy as np
import pytest

from cxmetrics import InvalidParameterError, SurveyResponse, csat, nps
from cxmetrics.report import period_labels, report


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=timezone.utc)


def test_period_labels_in_a_timezone() -> None:
    # 2024-03-31 23:30 in Berlin is already April 1st (and a DST day).
    moment = np.array([datetime(2024, 3, 31, 21, 30, tzinfo=timezone.utc).timestamp()])
    assert period_labels(moment, "day", "Europe/Berlin").tolist() == ["2024-03-31"]
    moment = moment + 3600
    assert period_labels(moment, "day", "Europe/Berlin").tolist() == ["2024-04-01"]
    assert period_labels(moment, "quarter", "Europe/Berlin").tolist() == ["2024-Q2"]
    assert period_labels(moment, "quarter", "UTC").tolist() == ["2024-Q1"]


@pytest.mark.parametrize(
    ("day", "week"),
    [
        ((2024, 1, 1), "2024-W01"),
        ((2023, 1, 1), "2022-W52"),
        ((2020, 12, 31), "2020-W53"),
        ((2026, 11, 22), "2026-W47"),
    ],
)
def test_iso_weeks(day: tuple[int, int, int], week: str) -> None:
    moment = datetime(*day, 12, tzinfo=timezone.utc)
    assert period_labels(np.array([moment.timestamp()]), "week").tolist() == [week]
    assert f"{moment.isocalendar()[0]}-W{moment.isocalendar()[1]:02d}" == week


def test_report_per_period_matches_the_one_liners_and_flags_changes() -> None:
    week1 = [SurveyResponse(kind="csat", score=s, responded_at=at(4)) for s in [5] * 90 + [1] * 10]
    week2 = [SurveyResponse(kind="csat", score=s, responded_at=at(12)) for s in [5] * 60 + [1] * 40]
    result = report(surveys=week1 + week2, metrics=["csat"], period="week")
    first, second = result.rows
    assert (first.period, first.value, first.n) == ("2024-W10", csat(week1), 100)
    assert second.value == pytest.approx(csat(week2))
    assert second.change == pytest.approx(-0.3)
    assert second.significant is True  # 90 % to 60 % on 100 answers each


def test_unknown_period_keeps_undated_answers() -> None:
    answers = [
        SurveyResponse(kind="nps", score=10, responded_at=at(4)),
        SurveyResponse(kind="nps", score=0),
    ]
    rows = report(surveys=answers, metrics=["nps"], period="month").rows
    assert [(r.period, r.n) for r in rows] == [("2024-03", 1), ("unknown", 1)]


def test_report_exports() -> None:
    answers = [SurveyResponse(kind="nps", score=s) for s in (10, 9, 3)]
    result = report(surveys=answers, metrics=["nps"])
    assert json.loads(result.to_json())["rows"][0]["value"] == pytest.approx(nps([10, 9, 3]))
    assert result.to_csv().splitlines()[0].startswith("metric,period,value,n")
    assert result.to_markdown().startswith("| metric | period |")
    assert "<table>" in result.to_html()
    assert result.to_pandas()["n"].tolist() == [3]
    assert result.to_polars()["metric"].to_list() == ["nps"]


def test_named_metric_without_its_data_is_an_error() -> None:
    with pytest.raises(InvalidParameterError, match="metric 'nps' needs surveys"):
        report(metrics=["nps"])


def test_cli_sample_report_runs_as_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cxmetrics", "report", "--sample", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    names = {row["metric"] for row in json.loads(done.stdout)["rows"]}
    assert {"csat", "nps", "ces"} <= names


def test_cli_unknown_metric_is_one_line_and_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cxmetrics", "report", "--sample", "--metrics", "cast"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "cxmetrics: error: unknown metric 'cast'; did you mean 'csat'?"
