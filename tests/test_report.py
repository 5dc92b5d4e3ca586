"""The KPI report and the command line."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import InvalidParameterError, SurveyResponse, csat, nps
from cxmetrics.core.periods import period_labels
from cxmetrics.datasets import generate
from cxmetrics.reporting import report
from cxmetrics.tables.ticket_batch import TicketBatch


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


# --- segments, DataFrame input, charts -------------------------------------------------


def test_by_segments_match_the_one_liners_per_segment() -> None:
    answers = [
        SurveyResponse(kind="csat", score=s, channel=c, responded_at=at(d))
        for s, c, d in [(5, "chat", 4), (1, "chat", 4), (4, "email", 4), (5, "chat", 12),
                        (2, "email", 12), (5, None, 12)]
    ]  # fmt: skip
    result = report(surveys=answers, metrics=["csat"], period="week", by=["channel"])
    got = {(dict(r.segment)["channel"], r.period): (r.value, r.n) for r in result.rows}
    for (channel, week), (value, n) in got.items():
        part = [
            a
            for a in answers
            if (a.channel or "(none)") == channel
            and period_labels(np.array([a.responded_at.timestamp()]), "week")[0] == week
        ]
        assert (value, n) == (csat(part), len(part))
    assert set(got) == {("chat", "2024-W10"), ("chat", "2024-W11"), ("email", "2024-W10"),
                        ("email", "2024-W11"), ("(none)", "2024-W11")}  # fmt: skip
    email_w11 = next(
        r for r in result.rows if r.period == "2024-W11" and dict(r.segment)["channel"] == "email"
    )
    assert email_w11.change == pytest.approx(-1.0)  # within the segment: 100 % -> 0 %
    assert "channel" in result.to_csv().splitlines()[0]
    assert result.to_pandas()["channel"].tolist()[0] == "chat"


def test_report_on_dataframes_equals_report_on_records() -> None:
    pd = pytest.importorskip("pandas")
    from cxmetrics.tables.schema import batch_to_tables

    data = generate(300, seed=3)
    tables = batch_to_tables(data.tickets)
    flat = pd.DataFrame(tables["tickets"])
    flat["created_at"] = pd.to_datetime(flat["created_at"], unit="s", utc=True)
    records = data.ticket_records()
    surveys = data.surveys.to_records()
    survey_frame = pd.DataFrame([s.model_dump() for s in surveys])
    names = ["ticket_volume", "channel_mix", "csat", "nps", "ces"]
    ours = report(tickets=flat, surveys=survey_frame, metrics=names, period="week", by="channel")
    theirs = report(tickets=records, surveys=surveys, metrics=names, period="week", by="channel")
    assert [r.as_plain() for r in ours.rows] == [r.as_plain() for r in theirs.rows]


def test_html_report_embeds_its_tables_and_charts() -> None:
    pytest.importorskip("matplotlib")
    import base64
    from html.parser import HTMLParser

    data = generate(400, seed=4)
    result = report(
        tickets=data.tickets,
        surveys=data.surveys.to_records(),
        metrics=["first_response_time", "csat"],
        period="week",
        charts=True,
    )

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.cells: list[str] = []
            self.images: list[str] = []
            self.in_cell = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.in_cell = tag in ("td", "th")
            if tag == "img":
                self.images.append(dict(attrs)["src"] or "")

        def handle_data(self, data: str) -> None:
            if self.in_cell:
                self.cells.append(data)

    parser = Parser()
    parser.feed(result.to_html())
    assert "first_response_time" in parser.cells and "csat" in parser.cells
    weeks = {r.period for r in result.rows}
    assert weeks <= set(parser.cells)
    # two trends, the duration distribution and the volume heatmap, all SVG
    assert len(parser.images) == 4
    for src in parser.images:
        assert src.startswith("data:image/svg+xml;base64,")
        assert b"<svg" in base64.b64decode(src.split(",", 1)[1])[:2000]


def test_calendar_applies_to_duration_metrics() -> None:
    from datetime import timedelta

    from cxmetrics import Message, Ticket, first_response_time
    from cxmetrics.calendars import BusinessCalendar

    friday = datetime(2024, 3, 8, 16, tzinfo=timezone.utc)
    ticket = Ticket(id="A", created_at=friday, interactions=[
        Message(at=friday + timedelta(days=3), author="agent")])  # fmt: skip
    calendar = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
    row = report(tickets=[ticket], metrics=["first_response_time"], calendar=calendar).rows[0]
    assert row.value == first_response_time([ticket], calendar=calendar) == timedelta(hours=8)


@pytest.mark.parametrize("definitions", ["default", "zendesk", "freshdesk"])
def test_ticket_metrics_per_segment_match_one_liners_on_the_subsets(definitions: str) -> None:
    # The report cuts each segment's measures from one measurement of all tickets;
    # the one-liners measure each subset afresh.
    from cxmetrics import (
        average_response_time,
        fcr_rate,
        first_response_time,
        next_response_time,
        reopen_rate,
        resolution_time,
    )

    batch = generate(400, seed=9).tickets
    names = ["first_response_time", "next_response_time", "average_response_time",
             "resolution_time", "fcr", "reopen_rate"]  # fmt: skip
    options = {name: {"definitions": definitions} for name in names}
    result = report(tickets=batch, metrics=names, period="week", by="channel", params=options)
    weeks = period_labels(batch.created_at, "week")
    channels = np.array(batch.channel.to_list(), dtype=object)
    one_liners = {
        "first_response_time": first_response_time,
        "next_response_time": next_response_time,
        "average_response_time": average_response_time,
        "resolution_time": resolution_time,
        "fcr": fcr_rate,
        "reopen_rate": reopen_rate,
    }
    checked = 0
    for row in result.rows:
        mask = (weeks == row.period) & (channels == dict(row.segment)["channel"])
        subset = batch.select(mask)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = one_liners[row.metric](subset, definitions=definitions)
        if isinstance(expected, float) and np.isnan(expected):
            assert np.isnan(row.value)
        else:
            assert row.value == expected, (row.metric, row.period, row.segment)
        checked += 1
    assert checked == len(result.rows) > 20


def test_segments_of_a_survey_table_are_those_of_each_kind() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table(
        {"kind": ["csat", "nps", "nps"], "score": [5, 9, 10], "channel": ["chat", "email", "chat"]}
    )
    rows = report(surveys=table, metrics=["csat", "nps"], by="channel").rows
    assert [(r.metric, dict(r.segment)["channel"], r.n) for r in rows] == [
        ("csat", "chat", 1),
        ("nps", "chat", 1),
        ("nps", "email", 1),
    ]


def test_volume_grid_against_python_datetimes() -> None:
    from zoneinfo import ZoneInfo

    from cxmetrics.reporting.charts import volume_grid

    batch = generate(300, seed=12).tickets
    grid = volume_grid(batch, "America/New_York")
    expected = np.zeros((7, 24), dtype=np.int64)
    for seconds in batch.created_at.tolist():
        local = datetime.fromtimestamp(seconds, tz=ZoneInfo("America/New_York"))
        expected[local.weekday(), local.hour] += 1
    np.testing.assert_array_equal(grid, expected)


@pytest.mark.parametrize("period", ["day", "week", "month", "quarter", "year"])
def test_period_codes_agree_with_labels(period: str) -> None:
    from cxmetrics.reporting.grouping import period_codes

    rng = np.random.default_rng(1)
    start = datetime(2020, 12, 20, tzinfo=timezone.utc).timestamp()
    seconds = start + rng.uniform(0, 3 * 365 * 86400, 2000)
    seconds[::97] = np.nan
    codes, names = period_codes(seconds, period, "Pacific/Auckland")
    labels = np.where(
        np.isnan(seconds),
        "unknown",
        period_labels(np.nan_to_num(seconds), period, "Pacific/Auckland"),
    )
    assert [names[c] for c in codes] == labels.tolist()
    assert names[:-1] == sorted(set(names[:-1])) and names[-1] == "unknown"


def test_segmenting_by_an_unknown_field_is_an_error() -> None:
    answers = [SurveyResponse(kind="csat", score=5, channel="chat")]
    with pytest.raises(InvalidParameterError, match="cannot segment by 'chanel'"):
        report(surveys=answers, by="chanel")


def test_sla_needs_its_package() -> None:
    import importlib.util

    if importlib.util.find_spec("cxmetrics.sla") is not None:
        pytest.skip("cxmetrics.sla is present")
    with pytest.raises(InvalidParameterError, match=r"needs cxmetrics\.sla"):
        report(surveys=[SurveyResponse(kind="csat", score=5)], sla=object())


def test_sla_compliance_per_segment_matches_the_metric_on_subsets() -> None:
    sla = pytest.importorskip("cxmetrics.sla")

    batch = generate(300, seed=3).tickets
    policy = sla.SlaPolicy(
        name="std",
        targets=[
            sla.SlaTarget(metric="first_reply", within="PT1H"),
            sla.SlaTarget(metric="resolution", within="P2D"),
        ],
    )
    result = report(tickets=batch, metrics=["ticket_volume"], sla=policy, period="week",
                    by="channel")  # fmt: skip
    rows = [r for r in result.rows if r.metric == "sla_compliance"]
    weeks = period_labels(batch.created_at, "week")
    channels = np.array(batch.channel.to_list(), dtype=object)
    for row in rows:
        subset = batch.select((weeks == row.period) & (channels == dict(row.segment)["channel"]))
        metric = sla.SlaCompliance(policy=policy)
        metric.update(subset)
        expected = metric.compute()
        assert (row.value, row.n) == (expected.value, expected.n)
    assert len(rows) > 10 and any(r.significant is not None for r in rows)


_ZONES = ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe"]


def _oracle_label(instant: float, period: str, tz: str) -> str:
    from zoneinfo import ZoneInfo

    local = datetime.fromtimestamp(instant, ZoneInfo(tz))
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return {
        "day": f"{local:%Y-%m-%d}",
        "month": f"{local:%Y-%m}",
        "quarter": f"{local.year}-Q{(local.month - 1) // 3 + 1}",
        "year": f"{local.year}",
    }[period]


@given(
    instants=st.lists(
        st.integers(1_500_000_000, 1_900_000_000).map(float), min_size=1, max_size=40
    ),
    period=st.sampled_from(["day", "week", "month", "quarter", "year"]),
    tz=st.sampled_from(_ZONES),
)
def test_period_labels_agree_with_zoneinfo_instant_by_instant(
    instants: list[float], period: str, tz: str
) -> None:
    # Offsets are looked up per UTC quarter hour; half- and quarter-hour zones
    # (St John's, Kathmandu, Lord Howe's 30-minute DST) must still come out exact.
    expected = [_oracle_label(t, period, tz) for t in instants]
    assert period_labels(np.array(instants), period, tz).tolist() == expected


def test_period_labels_on_both_sides_of_a_half_hour_dst_change() -> None:
    # Lord Howe Island leaves DST (+11 -> +10:30) at 2024-04-07 02:00 local,
    # 2024-04-06 15:00 UTC: 08:59 before is the 7th locally, so is 1 minute after.
    change = datetime(2024, 4, 6, 15, 0, tzinfo=timezone.utc).timestamp()
    moments = np.array([change - 60, change + 60, change - 13.5 * 3600 - 60])
    assert period_labels(moments, "day", "Australia/Lord_Howe").tolist() == [
        "2024-04-07",
        "2024-04-07",
        "2024-04-06",
    ]


@pytest.fixture(scope="module")
def small_batch() -> TicketBatch:
    return generate(40, seed=5).tickets


@given(data=st.data())
def test_sla_outcomes_cut_by_ticket_equal_evaluating_those_tickets(
    small_batch: TicketBatch, data: st.DataObject
) -> None:
    # The report evaluates SLA targets once and cuts the outcomes per group.
    sla = pytest.importorskip("cxmetrics.sla")
    from cxmetrics.reporting.grouping import outcome_cutter

    policy = sla.SlaPolicy(
        name="std",
        targets=[
            sla.SlaTarget(metric="first_reply", within="PT1H"),
            sla.SlaTarget(metric="next_reply", within="PT2H"),
            sla.SlaTarget(metric="resolution", within="P2D"),
        ],
    )
    as_of = datetime(2024, 2, 1, tzinfo=timezone.utc)
    chosen = data.draw(st.sets(st.integers(0, len(small_batch) - 1)))
    positions = np.array(sorted(chosen), dtype=np.int64)
    cut = outcome_cutter(sla.evaluate_sla(small_batch, policy, as_of=as_of))(positions)
    alone = sla.evaluate_sla(small_batch.select(positions), policy, as_of=as_of)
    assert cut.to_dict() == alone.to_dict()


def test_long_series_cells_are_cut_to_a_readable_width() -> None:
    from cxmetrics.reporting import Report, ReportRow

    days = {f"2024-03-{d:02d}": 100 + d for d in range(1, 31)}
    row = ReportRow(metric="ticket_volume", period="all", value=days, n=3465, unit="count")
    text = Report((row,)).to_text().splitlines()[2]
    cell = text[len("ticket_volume  all     ") :].split("  ")[0]
    shown = cell.split(", ")
    assert len(cell) <= 60 and shown[-1] == f"… {30 - len(shown) + 1} more"
    assert shown[:2] == ["2024-03-01 101", "2024-03-02 102"]
    assert json.loads(Report((row,)).to_json())["rows"][0]["value"] == days  # all kept


def test_repeat_contact_fcr_per_week_sees_the_repeat_in_the_next_week() -> None:
    from datetime import datetime, timezone

    from cxmetrics import Call

    at = lambda day, hour=9: datetime(2024, 3, day, hour, tzinfo=timezone.utc)  # noqa: E731
    calls = [
        Call(at=at(8), customer_id="a", talk=60, queue="cards"),  # Friday of W10
        Call(at=at(11), customer_id="a", talk=60, queue="loans"),  # Monday of W11: a repeat
        Call(at=at(8, 10), customer_id="b", talk=60, queue="cards"),  # no repeat
        Call(at=at(12), customer_id="c", talk=60, queue="loans"),
        Call(at=at(13), customer_id="c", talk=60, queue="loans"),  # a repeat within W11
    ]
    rows = report(calls=calls, metrics=["repeat_contact_fcr"], period="week").rows
    # By hand: W10 has a (repeated on the 11th) and b: 1 of 2; W11 has a, c (repeated), c: 2 of 3.
    assert [(r.period, r.value, r.n) for r in rows] == [
        ("2024-W10", 0.5, 2),
        ("2024-W11", 2 / 3, 3),
    ]
    # Segmented by queue, a's repeat is in another queue and still counts.
    by_queue = report(calls=calls, metrics=["repeat_contact_fcr"], period="week", by="queue")
    cards_w10 = next(r for r in by_queue.rows if dict(r.segment)["queue"] == "cards")
    assert (cards_w10.value, cards_w10.n) == (0.5, 2)


def test_quantiles_sketch_keeps_means_and_bounds_medians() -> None:
    from cxmetrics.datasets import generate

    tickets = generate(3000, seed=4).tickets
    options = {"metrics": ["resolution_time", "first_response_time"], "period": "month"}
    exact = report(tickets=tickets, **options)
    sketched = report(tickets=tickets, quantiles="sketch", **options)
    for a, b in zip(exact.rows, sketched.rows, strict=True):
        assert b.details["quantiles"] == "sketch" and b.n == a.n
        assert b.value.total_seconds() == pytest.approx(a.value.total_seconds(), rel=1e-9)
    # A median from the sketch lies between the exact quantiles its rank error allows.
    median = report(tickets=tickets, quantiles="sketch", statistic="median", **options)
    error = max(row.details["rank_error"] for row in median.rows)
    below = report(tickets=tickets, statistic=f"p{math.floor(50 - 100 * error)}", **options)
    above = report(tickets=tickets, statistic=f"p{math.ceil(50 + 100 * error)}", **options)
    for row, low, high in zip(median.rows, below.rows, above.rows, strict=True):
        assert low.value <= row.value <= high.value
    with pytest.raises(InvalidParameterError, match="quantiles"):
        report(tickets=tickets, quantiles="approximate", **options)
