"""The HTML report of every real data set, rendered from the shell and read as a person would.

``cxmetrics report ... --format html --period week`` on the sample, the bank call
center, BPIC 2013, ServiceNow and the Twitter threads. What a support lead must
never see, pinned on each page:

* headline cards that do not lead with the metrics that have data;
* a card in an unreadable unit (``0.1 d`` for 2.4 hours, a change of ``-211.2 h``):
  a card's duration and its change are each in their own unit, so their numbers
  are at least 1;
* an arrow that contradicts the change's sign (``▲ -3.9 pts``): the arrow is the
  sign, the colour says whether it is good news;
* a chart of a constant series (resolution rate 100% every week of a log that
  holds only finished incidents), or of a metric whose input is absent;
* a value for a metric whose input is absent (two-touch rate 0.0% without any
  message, a channel mix of "email 100%" from the default channel of a log without
  one): it is listed under "Not computed" with its reason;
* an interval outside the metric's scale.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from cxmetrics.cli import main
from cxmetrics.registry import get_metric
from cxmetrics.reporting.catalog import IMPORTANCE

from .test_bank_calls_cli import FILE as BANK
from .test_bank_calls_cli import bank_mapping

pytest.importorskip("matplotlib")
pytest.importorskip("pandas")

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
_CARD = re.compile(
    r"<div class='cx-card' data-metric='([^']+)'><div class='t'>[^<]*</div>"
    r"<div class='v'>([^<]*)</div>(?:<div class='c (\w*)'>(\S*) ([^ <]*))?"
)


class Page:
    """A rendered report: its HTML, what it lists as not computed, its JSON rows."""

    def __init__(self, html: str, rows: list[dict[str, Any]]) -> None:
        self.html = html
        self.rows = rows
        self.cards = [m.groups() for m in _CARD.finditer(html)]
        self.charts = re.findall(r"alt='([^']*)'", html)
        section = html[html.index("<section id='not-computed'>") :]
        self.skipped: dict[str, str] = {}
        for names, reason in re.findall(r"<li><b>([^<]*)</b>: ([^<]*)</li>", section):
            for name in names.split(", "):
                self.skipped[name] = unescape(reason)

    def shown(self) -> set[str]:
        """Metrics that have a row in the page's tables."""
        body = self.html[: self.html.index("<section id='not-computed'>")]
        return set(re.findall(r"<tr><td>([a-z_]+)</td>", body))


def render(tmp: Path, *argv: str) -> Page:
    html, data = tmp / "report.html", tmp / "report.json"
    common = ["--period", "week", "--errors", "collect"]
    assert main(["report", *argv, *common, "--format", "html", "--output", str(html)]) == 0
    assert main(["report", *argv, *common, "--format", "json", "--output", str(data)]) == 0
    rows = json.loads(data.read_text(encoding="utf-8"))["rows"]
    return Page(html.read_text(encoding="utf-8"), rows)


def check_page(page: Page) -> None:
    """The rules every page keeps, whatever the data."""
    assert page.cards, "no headline KPI"
    order = [IMPORTANCE.index(metric) for metric, *_ in page.cards]
    assert order == sorted(order), "cards out of importance order"
    assert page.html.index("cx-cards") < page.html.index("<section")  # KPIs first
    for metric, value, direction, arrow, change in page.cards:
        assert value not in ("", "n/a", "nan"), metric
        number, _, unit = value.partition(" ")
        if unit in ("min", "h", "d"):
            assert float(number) >= 1, f"{metric} card reads {value}"
        if change:
            size, _, change_unit = change[1:].partition(" ")
            if change_unit in ("min", "h", "d"):  # a change reads in its own unit too
                assert float(size) >= 1, f"{metric} card change reads {change}"
            expected = "■" if direction == "flat" else {"+": "▲", "-": "▼"}[change[0]]
            assert arrow == expected, f"{metric}: {arrow} {change}"
    # Nothing whose input is absent is shown, charted or carded.
    shown = page.shown()
    for metric in page.skipped:
        assert metric not in shown, f"{metric} has a value although {page.skipped[metric]}"
        assert not any(metric == m for m, *_ in page.cards)
    # Intervals within the scale.
    for row in page.rows:
        if row["low"] is None or isinstance(row["low"], dict):
            continue
        assert row["low"] <= row["high"], row
        if row["unit"] in ("ratio", "seconds"):
            assert row["low"] >= 0, row
        if row["unit"] == "ratio":
            assert row["high"] <= 1 + 1e-12, row
        cls = get_metric(row["metric"])
        if cls.lower_bound is not None and row["unit"] != "seconds":
            assert row["low"] >= cls.lower_bound - 1e-9, row
    # No chart of a constant series (flat zeros, or 100% every week).
    by_metric: dict[str, set[float]] = {}
    for row in page.rows:
        if isinstance(row["value"], (int, float)) and row.get("period") != "unknown":
            by_metric.setdefault(row["metric"], set()).add(round(float(row["value"]), 12))
    for metric, values in by_metric.items():
        title = f"{get_title(metric)} by week"
        if len(values) == 1:
            assert title not in page.charts, f"{title}: constant at {values}"


def get_title(metric: str) -> str:
    from cxmetrics.reporting.catalog import info

    return info(metric).title


def test_sample_page_from_the_shell(tmp_path: Path) -> None:
    page = render(tmp_path, "--sample")
    check_page(page)
    assert [c[0] for c in page.cards][:2] == ["csat", "nps"]
    assert page.charts[:2] == ["CSAT by week", "NPS by week"]


@pytest.mark.realdata
def test_bank_page(shared_data: Path, tmp_path: Path) -> None:
    mapping = bank_mapping(tmp_path, shared_data / BANK)
    page = render(tmp_path, "--call-log", str(mapping))  # weeks on the bank's clock
    check_page(page)
    cards = {metric: value for metric, value, *_ in page.cards}
    assert list(cards)[:4] == [
        "service_level",
        "abandonment_rate",
        "aht",
        "average_speed_of_answer",
    ]
    assert cards["aht"].endswith(" min") and cards["average_speed_of_answer"].endswith(" s")
    assert "no transfer recorded" in page.skipped["call_transfer_rate"]
    for title in ("Service level", "Abandonment rate", "Average handle time"):
        assert f"{title} by week" in page.charts


@pytest.mark.realdata
def test_bpic_page(shared_data: Path, tmp_path: Path) -> None:
    # Regression: with --errors collect and no bad case, the log came back wrapped
    # and the report failed with "'Collected' object is not iterable".
    mapping = _example(tmp_path, "bpic-events.toml", shared_data / "bpic2013_volvo_incidents")
    page = render(tmp_path, "--event-log", str(mapping))
    check_page(page)
    assert page.cards[0][0] == "resolution_time"
    for metric in ("first_response_time", "fcr", "two_touch_rate"):
        assert metric in page.skipped, metric
    assert "no messages" in page.skipped["two_touch_rate"]
    # No channel field: every incident defaults to "email", which is no channel mix.
    assert "a single channel" in page.skipped["channel_mix"]


@pytest.mark.realdata
def test_servicenow_page(shared_data: Path, tmp_path: Path) -> None:
    mapping = _example(
        tmp_path, "servicenow-events.toml", shared_data / "uci_servicenow_incident_log"
    )
    page = render(tmp_path, "--event-log", str(mapping), "--by", "channel")
    check_page(page)
    assert page.cards[0][0] == "resolution_time"
    # Every incident in the log is resolved: 100% each week is in the table, not a chart.
    rates = {r["value"] for r in page.rows if r["metric"] == "resolution_rate"}
    assert rates == {1.0}
    assert "Resolution rate by week" not in page.charts
    assert "Resolution time by week" in page.charts
    assert "no messages" in page.skipped["two_touch_rate"]


@pytest.mark.realdata
def test_twitter_page(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "twcs_customer_support_twitter"
    mapping = _example(tmp_path, "twitter-messages.toml", folder, "twcs_head5000.csv")
    page = render(tmp_path, "--message-log", str(mapping))
    check_page(page)
    metric, value, *_ = page.cards[0]
    # About 2.7 hours: read in hours, not "0.1 d" beside a series in days.
    assert metric == "first_response_time" and value.endswith(" h")
    assert "First response time by week" in page.charts


def _example(tmp: Path, name: str, folder: Path, data: str | None = None) -> Path:
    """A shipped mapping, pointed at the shared copy of its data."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    match = re.search(r'^file = "([^"]+)"', text, flags=re.M)
    assert match is not None
    path = folder / (data or match.group(1))
    mapping = tmp / name
    mapping.write_text(
        text.replace(match.group(0), f"file = {json.dumps(str(path))}"), encoding="utf-8"
    )
    return mapping
