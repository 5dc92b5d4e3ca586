"""What a reader of the report page must never see, on the sample and on real data.

For each data set: the headline cards lead with metrics that have a value, every
chart has data (no empty axes, no constant zeros), no metric whose input is
absent shows a value (it is listed under "Not computed" with its reason), and no
interval leaves its metric's scale.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxmetrics.datasets import load_sample
from cxmetrics.registry import get_metric
from cxmetrics.reporting import report
from cxmetrics.reporting.cards import headline_cards
from cxmetrics.reporting.catalog import IMPORTANCE
from cxmetrics.reporting.charts import chartable

pytest.importorskip("matplotlib")


def seconds(value: Any) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def check_page(result: Any, absent: dict[str, str]) -> str:
    """Check the rules every report page keeps; return its HTML."""
    skipped = dict(item.split(": ", 1) for item in result.skipped)
    shown = {row.metric for row in result.rows}
    for metric, reason in absent.items():
        assert metric not in shown, metric
        assert reason in skipped[metric], (metric, skipped[metric])
    # Intervals within the scale (scores: the metric's own bounds; durations >= 0).
    for row in [*result.rows, *result.totals]:
        if row.low is None or isinstance(row.low, dict):
            continue
        low, high = seconds(row.low), seconds(row.high)
        cls = get_metric(row.metric)
        if row.unit == "seconds":
            assert low >= 0, row
        if cls.lower_bound is not None:
            assert low >= cls.lower_bound - 1e-9, row
        upper = cls.upper_bound
        if row.metric == "ces":
            upper = 7.0
        if upper is not None:
            assert high <= upper + 1e-9, row
    # Cards: important metrics with a value, in importance order.
    cards = headline_cards(result)
    assert cards, "no headline KPI"
    order = [IMPORTANCE.index(card.metric) for card in cards]
    assert order == sorted(order)
    assert all(card.value not in ("n/a", "") for card in cards)
    # Charts: every trend has data, none is of an absent metric.
    for chart in result.charts:
        assert chart.metric not in absent
        if chart.title.endswith((" by week", " by month", " by day")):
            assert chartable(result, chart.metric), chart.title
    page: str = result.to_html()
    first_section = page.index("<section")
    assert page.index("cx-cards") < first_section  # the KPIs come first
    assert "Not computed" in page or not result.skipped
    return page


def test_sample_page() -> None:
    sample = load_sample()
    result = report(
        tickets=sample.tickets, surveys=sample.surveys, calls=sample.calls,
        customers=sample.customers, period="week", by="channel", charts=True,
    )  # fmt: skip
    page = check_page(result, {"sla_compliance": "no SLA policy given"})
    titles = re.findall(r"alt='([^']*)'", page)
    # The most important metrics are charted, first to last.
    assert titles[:2] == ["CSAT by week", "NPS by week"]
    assert "First response time by week" in titles and "Resolution time by week" in titles
    assert {c.metric for c in headline_cards(result)} >= {"csat", "nps", "first_response_time"}


def test_ces_interval_stays_on_its_scale() -> None:
    from cxmetrics import SurveyResponse

    answers = [SurveyResponse(kind="ces", score=s) for s in (7, 6)]
    row = report(surveys=answers, metrics=["ces"]).rows[0]
    assert 1.0 <= row.low <= row.value <= row.high <= 7.0


def test_absent_transfer_field_is_not_a_zero() -> None:
    from datetime import datetime, timezone

    from cxmetrics import Call

    at = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    calls = [Call(at=at + timedelta(minutes=i), wait=timedelta(seconds=10 * i),
                  talk=timedelta(minutes=3)) for i in range(20)]  # fmt: skip
    result = report(calls=calls)
    skipped = dict(item.split(": ", 1) for item in result.skipped)
    assert "no transfer recorded" in skipped["call_transfer_rate"]
    assert "call_transfer_rate" not in {row.metric for row in result.rows}


# --- real data (../shared/data) ---------------------------------------------------------------

SERVICENOW = Path("uci_servicenow_incident_log") / "incident_event_log.csv"
TWITTER = Path("twcs_customer_support_twitter") / "twcs_head5000.csv"


@pytest.mark.realdata
def test_servicenow_page(shared_data: Path) -> None:
    from cxmetrics.io import read_event_log
    from cxmetrics.sla import SlaPolicy, SlaTarget

    from tests.io.test_logs import SERVICENOW_STATUSES

    tickets = read_event_log(
        shared_data / SERVICENOW, case="number", timestamp="sys_updated_at",
        status="ident_state", actor="assigned_to", created_at="opened_at",
        timestamp_format="%d/%m/%Y %H:%M", timezone="UTC", null_values=("", "?"),
        status_map=SERVICENOW_STATUSES, ticket_columns={"channel": "contact_type"},
        errors="collect",
    ).data  # fmt: skip
    policy = SlaPolicy(name="incidents", targets=[SlaTarget(metric="resolution", within="P5D")])
    result = report(tickets=tickets, period="month", by="channel", sla=policy, charts=True)
    page = check_page(result, {
        "fcr": "no replies", "first_response_time": "no replies",
        "interactions_per_ticket": "no messages", "csat": "no survey answers given",
    })  # fmt: skip
    titles = re.findall(r"alt='([^']*)'", page)
    # The metrics with data lead: resolution time and SLA compliance are charted.
    assert "Resolution time by month" in titles and "SLA compliance by month" in titles
    assert [c.metric for c in headline_cards(result)][:2] == ["resolution_time", "sla_compliance"]


@pytest.mark.realdata
def test_twitter_page(shared_data: Path) -> None:
    from cxmetrics.io import read_message_log

    tickets = read_message_log(
        shared_data / TWITTER, message_id="tweet_id", reply_to="in_response_to_tweet_id",
        timestamp="created_at", timestamp_format="%a %b %d %H:%M:%S %z %Y", role="inbound",
        role_map={"True": "customer", "False": "agent"}, agent="author_id", channel="social",
        errors="collect",
    ).data  # fmt: skip
    result = report(tickets=tickets, period="month", charts=True)
    check_page(result, {"reopen_rate": "no status history", "csat": "no survey answers"})
    first = [c.metric for c in headline_cards(result)]
    assert first[0] == "first_response_time"


@pytest.mark.realdata
def test_bank_call_center_page(shared_data: Path) -> None:
    pd = pytest.importorskip("pandas")
    from tests.metrics.test_contact_realdata import FILE, to_columns

    raw = pd.read_csv(shared_data / FILE, sep="\t", dtype=str)
    for column in ("q_time", "ser_time"):
        raw[column] = raw[column].astype(np.int64)
    raw = raw[raw["outcome"] != "PHANTOM"]
    offered = raw[(raw["outcome"] == "AGENT") | ((raw["outcome"] == "HANG") & (raw["q_time"] > 0))]
    result = report(calls=to_columns(offered.reset_index(drop=True)), period="week", charts=True)
    check_page(result, {"call_transfer_rate": "no transfer recorded",
                        "csat": "no survey answers given"})  # fmt: skip
    cards = [c.metric for c in headline_cards(result)]
    assert cards[:3] == ["service_level", "abandonment_rate", "aht"]
    assert all(not math.isnan(r.value) for r in result.rows if isinstance(r.value, float))


def test_totals_of_segments_equal_the_unsegmented_report() -> None:
    # States are monoids: the merged segments of a period equal the period in one shot.
    sample = load_sample()
    names = ["csat", "nps", "ces", "first_response_time", "fcr", "resolution_time"]
    kwargs: dict[str, Any] = {"tickets": sample.tickets, "surveys": sample.surveys,
                              "metrics": names, "period": "week"}  # fmt: skip
    segmented = report(by="channel", **kwargs)
    whole = report(**kwargs)
    assert [(r.metric, r.period) for r in segmented.totals] == [
        (r.metric, r.period) for r in whole.rows
    ]
    for total, row in zip(segmented.totals, whole.rows, strict=True):
        assert total.n == row.n
        assert seconds(total.value) == pytest.approx(seconds(row.value)), row.metric
        assert total.p_value == pytest.approx(row.p_value)


def test_trend_keeps_gaps_between_periods() -> None:
    pytest.importorskip("matplotlib")
    from datetime import datetime, timezone

    from cxmetrics import SurveyResponse
    from cxmetrics.reporting.charts import plot_trend

    # Weeks 10 and 11 of 2024, then a gap of 30 weeks, then weeks 42 and 43.
    monday = lambda week: datetime.fromisocalendar(2024, week, 1).replace(tzinfo=timezone.utc)  # noqa: E731
    answers = [
        SurveyResponse(kind="csat", score=score, responded_at=monday(week))
        for week in (10, 11, 42, 43)
        for score in (5, 3, 4)
    ]
    ax = plot_trend(report(surveys=answers, metrics=["csat"], period="week"), "csat")
    x = ax.lines[0].get_xdata()
    # Positions count the weeks elapsed; the line breaks (NaN) across the gap.
    assert [v for v in x if not math.isnan(v)] == [0, 1, 32, 33]
    assert math.isnan(x[2]) and math.isnan(ax.lines[0].get_ydata()[2])
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "2024-W10",
        "2024-W11",
        "2024-W42",
        "2024-W43",
    ]
