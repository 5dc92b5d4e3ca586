"""The surveys sent, staff surveys and QA evaluations as files: written, read back, validated.

Response rates, eNPS and QA scores computed from the files read back equal those
computed from the records they were written from; bad cells are problems naming
their table, column and row; the report and the CLI read the same files.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import QAEvaluation, RecordValidationError, SurveyResponse
from cxmetrics.datasets import generate, load_sample
from cxmetrics.insight import response_rates
from cxmetrics.io.files import read_files, write_csv, write_jsonl, write_parquet
from cxmetrics.metrics.enps import enps
from cxmetrics.metrics.qa import evaluation_scores, qa_score, qa_scores
from cxmetrics.reporting import report
from cxmetrics.tables.inputs import qa_input

pytest.importorskip("pyarrow")

WRITERS = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}
START = datetime(2024, 9, 2, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_sample_sends_round_trip_same_response_rates(tmp_path: Path, fmt: str) -> None:
    sample = load_sample()
    written = WRITERS[fmt](tmp_path, surveys=sample.surveys, survey_sends=sample.survey_sends)
    assert sorted(p.name.split(".")[0] for p in written) == ["survey_sends", "surveys"]
    back = read_files(tmp_path)
    assert back.survey_sends is not None and len(back.survey_sends) == len(sample.survey_sends)
    assert sorted(back.inputs()) == ["survey_sends", "surveys"]
    for by, period in ((None, None), ("channel", "week"), ("agent_id", None)):
        expected = response_rates(sample.survey_sends, sample.surveys, by=by, period=period)
        got = response_rates(back.survey_sends, back.surveys, by=by, period=period)
        assert got.rows == expected.rows


def test_response_rate_of_read_file_by_hand(tmp_path: Path) -> None:
    (tmp_path / "survey_sends.csv").write_text(
        "ticket_id,channel,sent_at\n"
        "T1,chat,2024-09-02T10:00:00Z\nT2,chat,2024-09-02T11:00:00Z\n"
        "T3,chat,2024-09-02T12:00:00Z\nT4,email,2024-09-03T10:00:00Z\n"
    )
    (tmp_path / "surveys.csv").write_text(
        "kind,score,ticket_id,responded_at\ncsat,5,T1,2024-09-02T13:00:00Z\n"
        "csat,2,T3,2024-09-02T14:00:00Z\n"
    )
    data = read_files(tmp_path)
    table = response_rates(data.survey_sends, data.surveys, by="channel")
    # chat: T1 and T3 of T1-T3 answered; email: T4 not answered.
    assert table.column("sent") == [3, 1]
    assert table.column("answered") == [2, 0]
    assert table.column("response_rate") == [2 / 3, 0.0]


def test_bad_send_rows_name_table_column_and_row(tmp_path: Path) -> None:
    (tmp_path / "survey_sends.csv").write_text(
        "ticket_id,kind,sent_at\nT1,csat,2024-09-02T10:00:00Z\nT2,mood,2024-09-02T11:00:00Z\n"
        "T3,csat,yesterday\n"
    )
    with pytest.raises(RecordValidationError) as raised:
        read_files(tmp_path)
    fields = sorted((p["field"], p["position"]) for p in raised.value.errors)
    assert fields == [("survey_sends.kind", 1), ("survey_sends.sent_at", 2)]
    assert all(str(p["file"]).endswith("survey_sends.csv") for p in raised.value.errors)
    kept = read_files(tmp_path, errors="collect")
    assert kept.survey_sends is not None
    assert kept.survey_sends["ticket_id"].tolist() == ["T1"]


def test_generated_sends_read_as_a_table_equal_their_records() -> None:
    data = generate(400, seed=3)
    answers = data.surveys.to_records()
    by_table = response_rates(data.survey_sends, answers, by="channel", period="week")
    by_records = response_rates(data.survey_sends.to_records(), answers, by="channel",
                                period="week")  # fmt: skip
    assert by_table.rows == by_records.rows


STAFF = [
    SurveyResponse(kind="nps", score=s, responded_at=START + timedelta(days=d))
    for s, d in [(10, 0), (9, 1), (7, 2), (3, 7), (9, 8), (6, 9), (0, 9)]
]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_staff_surveys_round_trip(tmp_path: Path, fmt: str) -> None:
    WRITERS[fmt](tmp_path, staff_surveys=STAFF)
    back = read_files(tmp_path)
    assert back.staff_surveys is not None and back.surveys is None
    assert enps(back.staff_surveys) == enps(STAFF)


def test_staff_survey_file_without_kind_is_enps_by_hand(tmp_path: Path) -> None:
    (tmp_path / "staff_surveys.csv").write_text("score\n10\n9\n8\n3\n")
    back = read_files(tmp_path)
    # 2 promoters, 1 detractor of 4: 100 * (2 - 1) / 4.
    assert enps(back.staff_surveys) == 25.0
    (tmp_path / "staff_surveys.csv").write_text("score\n10\n11\n")
    with pytest.raises(RecordValidationError) as raised:
        read_files(tmp_path)
    assert [(p["field"], p["position"]) for p in raised.value.errors] == [
        ("staff_surveys.score", 1)
    ]


QA = [
    QAEvaluation(id="e1", agent_id="ann", evaluated_at=START,
                 scores={"greeting": 1.0, "accuracy": 1.0, "tone": 0.0}),
    QAEvaluation(id="e2", agent_id="ann", evaluated_at=START + timedelta(days=1),
                 scores={"accuracy": 0.5, "tone": 1.0}),
    QAEvaluation(id="e3", agent_id="bob", evaluated_at=START + timedelta(days=8),
                 scores={"greeting": 0.0, "accuracy": 0.25}),
]  # fmt: skip
CARD = {"greeting": 1.0, "accuracy": 3.0, "tone": 1.0}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_qa_round_trip(tmp_path: Path, fmt: str) -> None:
    WRITERS[fmt](tmp_path, qa_evaluations=QA)
    assert (tmp_path / f"qa_evaluations.{fmt}").exists()
    back = read_files(tmp_path)
    assert back.qa_evaluations is not None
    assert qa_score(back.qa_evaluations, weights=CARD) == qa_score(QA, weights=CARD)
    assert qa_scores(back.qa_evaluations, period="week").rows == qa_scores(QA, period="week").rows


def test_qa_file_by_hand(tmp_path: Path) -> None:
    (tmp_path / "qa_evaluations.csv").write_text(
        "id,agent_id,greeting,accuracy,tone\ne1,ann,1,1,0\ne2,ann,,0.5,1\ne3,bob,0,0.25,\n"
    )
    table = read_files(tmp_path).qa_evaluations
    # e1: (1 + 3 + 0) / 5; e2: (1.5 + 1) / 4; e3: (0 + 0.75) / 4 -> 80, 62.5, 18.75 %.
    assert evaluation_scores(table, weights=CARD).tolist() == [80.0, 62.5, 18.75]
    assert qa_scores(table, weights=CARD).rows[0][:3] == ("ann", (80.0 + 62.5) / 2, 2)


def test_bad_qa_rows_name_column_and_row(tmp_path: Path) -> None:
    (tmp_path / "qa_evaluations.csv").write_text(
        "id,agent_id,accuracy,tone\ne1,ann,1,0\ne2,ann,1.5,1\ne3,bob,,\n"
    )
    with pytest.raises(RecordValidationError) as raised:
        read_files(tmp_path)
    found = sorted((p["field"], p["position"], p["id"]) for p in raised.value.errors)
    assert found == [("qa_evaluations", 2, "e3"), ("qa_evaluations.accuracy", 1, "e2")]
    kept = read_files(tmp_path, errors="collect").qa_evaluations
    assert kept is not None and kept["id"].tolist() == ["e1"]


shares = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(sorted(CARD)), shares, min_size=1), max_size=12))
def test_qa_table_equals_records(scores: list[dict[str, float]]) -> None:
    records = [QAEvaluation(scores=s) for s in scores]
    columns = {name: [s.get(name) for s in scores] for name in sorted(CARD)}
    from_records = evaluation_scores(records, weights=CARD)
    from_columns = evaluation_scores(columns, weights=CARD) if scores else np.empty(0)
    np.testing.assert_array_equal(from_columns, from_records)
    assert len(qa_input(records)) == len(scores)


def test_report_reads_the_files(tmp_path: Path) -> None:
    sample = load_sample()
    write_parquet(tmp_path, surveys=sample.surveys, survey_sends=sample.survey_sends,
                  staff_surveys=STAFF, qa_evaluations=QA)  # fmt: skip
    data = read_files(tmp_path)
    result = report(**data.inputs(), period="week", metrics=["csat", "enps", "qa_score"])
    rows = {(r.metric, r.period): r for r in result.rows}
    # eNPS by hand: week 36 answers 10, 9, 7 (2 promoters of 3); week 37: 3, 9, 6, 0.
    assert rows[("enps", "2024-W36")].value == pytest.approx(100 * 2 / 3)
    assert rows[("enps", "2024-W37")].value == pytest.approx(100 * (1 - 3) / 4)
    # QA, criteria weighed equally: e1 2/3, e2 3/4 (week 36); e3 1/8 (week 37).
    assert rows[("qa_score", "2024-W36")].value == pytest.approx(100 * (2 / 3 + 3 / 4) / 2)
    assert rows[("qa_score", "2024-W37")].value == pytest.approx(100 / 8)
    assert result.insights is not None
    expected = response_rates(sample.survey_sends, sample.surveys).column("response_rate")[0]
    assert f"Survey response rate: {100 * expected:.1f}%" in result.to_html()


def test_cli_report_of_a_folder_with_sends(tmp_path: Path) -> None:
    from cxmetrics.cli import main

    sample = load_sample()
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    write_csv(folder, tickets=sample.ticket_batch, surveys=sample.surveys,
              survey_sends=sample.survey_sends, staff_surveys=STAFF)  # fmt: skip
    out = tmp_path / "report.json"
    assert main(["report", str(folder), "--format", "json", "--output", str(out)]) == 0
    text = out.read_text()
    assert '"enps"' in text and '"response_rates"' in text


CALLBACKS = [
    {"requested_at": START, "called_back_at": START + timedelta(minutes=10), "source": "queue"},
    {"requested_at": START, "called_back_at": START + timedelta(minutes=50), "source": "voicemail"},
    {"requested_at": START + timedelta(days=1), "called_back_at": None, "source": "voicemail"},
    {"requested_at": START + timedelta(days=7), "called_back_at": START + timedelta(days=7, hours=2)},
]  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_callbacks_round_trip_and_report_by_hand(tmp_path: Path, fmt: str) -> None:
    WRITERS[fmt](tmp_path, callbacks=CALLBACKS)
    back = read_files(tmp_path)
    assert back.callbacks is not None and sorted(back.inputs()) == ["callbacks"]
    result = report(**back.inputs(), period="week", metrics=["callback_time", "callbacks_kept"],
                    params={"callbacks_kept": {"within": timedelta(hours=1)}})  # fmt: skip
    rows = {(r.metric, r.period): r.value for r in result.rows}
    # Week 36: called back after 10 and 50 min, one not called back; week 37: 2 h.
    assert rows[("callback_time", "2024-W36")] == timedelta(minutes=30)
    assert rows[("callbacks_kept", "2024-W36")] == pytest.approx(2 / 3)
    assert rows[("callback_time", "2024-W37")] == timedelta(hours=2)
    assert rows[("callbacks_kept", "2024-W37")] == 0.0


def test_bad_callback_rows_name_column_and_row(tmp_path: Path) -> None:
    (tmp_path / "callbacks.csv").write_text(
        "requested_at,called_back_at\n2024-09-02T10:00:00Z,2024-09-02T09:00:00Z\n"
        ",2024-09-02T09:00:00Z\n2024-09-02T10:00:00Z,\n"
    )
    with pytest.raises(RecordValidationError) as raised:
        read_files(tmp_path)
    found = sorted((p["field"], p["position"]) for p in raised.value.errors)
    assert found == [("callbacks.called_back_at", 0), ("callbacks.requested_at", 1)]


def test_report_without_the_new_inputs_says_why() -> None:
    sample = load_sample()
    skipped = report(surveys=sample.surveys).skipped
    for name in ("enps", "qa_score", "callback_time", "callbacks_kept"):
        assert any(line.startswith(f"{name}: no ") for line in skipped), name
