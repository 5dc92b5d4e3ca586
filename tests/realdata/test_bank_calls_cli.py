"""Real data: the "Anonymous Bank" call center (February 1999) from the shell.

``cxmetrics report --call-log docs/examples/bank-calls.toml --period week`` is run on
the raw file and every weekly figure is checked against pandas on the same file,
with the conventions the mapping states: PHANTOM rows ignored, hang-ups in the IVR
(no queue time) not offered, the outcome deciding (no service time on a hang-up),
weeks cut on the bank's local clock.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxmetrics.cli import main

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.realdata

FILE = Path("anonymous_bank_call_center_1999") / "data_anonymous_bank_february.txt"
MAPPING = Path(__file__).resolve().parents[2] / "docs" / "examples" / "bank-calls.toml"
ZONE = "Asia/Jerusalem"


def bank_mapping(tmp_path: Path, data: Path, extra: str = "") -> Path:
    """The documented mapping, pointed at the shared copy of the log."""
    text = MAPPING.read_text(encoding="utf-8")
    lines = [
        f"file = {json.dumps(str(data))}" if line.startswith("file = ") else line
        for line in text.splitlines()
    ]
    mapping = tmp_path / "bank.toml"
    mapping.write_text(extra + "\n".join(lines) + "\n", encoding="utf-8")
    return mapping


@pytest.fixture(scope="module")
def offered(shared_data: Path) -> Any:
    """The calls offered to the agent queue, by pandas on the raw file."""
    raw = pd.read_csv(shared_data / FILE, sep="\t", dtype=str)
    raw = raw[raw["outcome"] != "PHANTOM"]
    for column in ("q_time", "ser_time"):
        raw[column] = raw[column].astype(np.int64)
    keep = (raw["outcome"] == "AGENT") | ((raw["outcome"] == "HANG") & (raw["q_time"] > 0))
    frame = raw[keep].copy()
    local = pd.to_datetime(
        "19" + frame["date"] + " " + frame["vru_entry"], format="%Y%m%d %H:%M:%S"
    )
    iso = local.dt.isocalendar()
    frame["week"] = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    return frame


@pytest.fixture(scope="module")
def weekly(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Any]:
    """The CLI's weekly report of the bank log, as JSON rows by (metric, week)."""
    folder = tmp_path_factory.mktemp("bank")
    mapping = bank_mapping(folder, shared_data / FILE)
    out = folder / "report.json"
    argv = ["report", "--call-log", str(mapping), "--period", "week", "--timezone", ZONE]
    assert main([*argv, "--output", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert any("call_transfer_rate: no transfer recorded" in s for s in rows["skipped"])
    return {(r["metric"], r["period"]): r for r in rows["rows"]}


def expected_by_week(offered: Any) -> dict[str, dict[str, tuple[float, int]]]:
    """(value, n) of each handling metric per week, by pandas."""
    out: dict[str, dict[str, tuple[float, int]]] = {}
    for week, calls in offered.groupby("week"):
        answered = calls["outcome"] == "AGENT"
        hang = calls["outcome"] == "HANG"
        wait = calls["q_time"]
        within = int((answered & (wait <= 20)).sum())
        short = int((hang & (wait <= 20)).sum())
        out[str(week)] = {
            "abandonment_rate": (hang.sum() / len(calls), len(calls)),
            "aht": (calls.loc[answered, "ser_time"].mean(), int(answered.sum())),
            "average_speed_of_answer": (wait[answered].mean(), int(answered.sum())),
            "service_level": (within / (len(calls) - short), len(calls) - short),
        }
    return out


def test_weekly_handling_figures_match_pandas(offered: Any, weekly: dict[Any, Any]) -> None:
    expected = expected_by_week(offered)
    assert sorted(expected) == ["1999-W05", "1999-W06", "1999-W07", "1999-W08"]
    for week, figures in expected.items():
        for metric, (value, n) in figures.items():
            row = weekly[(metric, week)]
            assert row["n"] == n, (metric, week)
            # durations are exact to the microsecond (timedeltas)
            assert row["value"] == pytest.approx(value, rel=1e-12, abs=1e-6), (metric, week)
            assert row["low"] <= row["value"] <= row["high"]


def test_periods_are_cut_on_the_call_centers_clock_by_default(
    offered: Any, shared_data: Path, tmp_path: Path
) -> None:
    mapping = bank_mapping(tmp_path, shared_data / FILE)
    out = tmp_path / "daily.csv"
    argv = [
        "report",
        "--call-log",
        str(mapping),
        "--period",
        "day",
        "--metrics",
        "abandonment_rate",
    ]
    assert main([*argv, "--format", "csv", "--output", str(out)]) == 0
    got = pd.read_csv(out).set_index("period")["n"]
    # Offered calls per local date (the file's own dates): in UTC, calls before 02:00
    # would fall on the day before.
    expected = offered.groupby("19" + offered["date"])["date"].size()
    expected.index = pd.to_datetime(expected.index, format="%Y%m%d").strftime("%Y-%m-%d")
    assert got.to_dict() == expected.to_dict()
    page = tmp_path / "local.html"
    argv = ["report", "--call-log", str(mapping), "--period", "week", "--no-charts"]
    assert main([*argv, "--output", str(page)]) == 0
    assert "week, Asia/Jerusalem" in page.read_text(encoding="utf-8")


def test_month_totals_match_the_readme(shared_data: Path, tmp_path: Path) -> None:
    mapping = bank_mapping(tmp_path, shared_data / FILE)
    out = tmp_path / "all.json"
    assert main(["report", "--call-log", str(mapping), "--output", str(out)]) == 0
    rows = {r["metric"]: r for r in json.loads(out.read_text(encoding="utf-8"))["rows"]}
    # README: 27,162 served + 3,932 abandoned while queued.
    assert rows["abandonment_rate"]["n"] == 27_162 + 3_932
    assert rows["abandonment_rate"]["value"] == pytest.approx(3_932 / (27_162 + 3_932))
    assert rows["aht"]["n"] == 27_162


def test_segments_by_call_type(offered: Any, shared_data: Path, tmp_path: Path) -> None:
    mapping = bank_mapping(tmp_path, shared_data / FILE)
    out = tmp_path / "by.json"
    argv = ["report", "--call-log", str(mapping), "--by", "queue", "--metrics", "aht"]
    assert main([*argv, "--output", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    got = {r["queue"]: r["value"] for r in rows if r.get("queue")}
    served = offered[offered["outcome"] == "AGENT"]
    names = {"PS": "regular", "PE": "regular (English)", "IN": "internet",
             "NE": "stock exchange", "NW": "prospect", "TT": "callback"}  # fmt: skip
    expected = served.groupby(served["type"].map(names))["ser_time"].mean()
    assert set(got) == set(expected.index)
    for queue, value in expected.items():
        assert got[queue] == pytest.approx(value, abs=1e-6)


def test_a_bad_cell_names_file_column_and_row(
    shared_data: Path, tmp_path: Path, capsys: Any
) -> None:
    text = (shared_data / FILE).read_text(encoding="utf-8").splitlines()
    fields = text[5].split("\t")
    fields[11] = "soon"  # q_time of the fifth call
    text[5] = "\t".join(fields)
    broken = tmp_path / "bank.txt"
    broken.write_text("\n".join(text[:50]) + "\n", encoding="utf-8")
    mapping = bank_mapping(tmp_path, broken)
    assert main(["report", "--call-log", str(mapping)]) == 2
    err = capsys.readouterr().err
    call = f"{fields[0]}-{fields[1]}"
    assert "bank.txt row 4" in err and f"id='{call}'" in err and "q_time" in err
    assert "'soon'" in err


def resolved_first_time(offered: Any) -> Any:
    """Served calls of identified callers, and whether none followed within 7 days (pandas)."""
    known = offered[offered["customer_id"] != "0"].copy()
    known["t"] = pd.to_datetime(
        "19" + known["date"] + " " + known["vru_entry"], format="%Y%m%d %H:%M:%S"
    )
    # The next strictly later contact of the same caller: over distinct (caller, time).
    moments = known[["customer_id", "t"]].drop_duplicates().sort_values(["customer_id", "t"])
    moments["next"] = moments.groupby("customer_id")["t"].shift(-1)
    known = known.merge(moments, on=["customer_id", "t"])
    served = known[known["outcome"] == "AGENT"].copy()
    served["resolved"] = ~(served["next"] - served["t"] <= pd.Timedelta(days=7))
    return served


def test_repeat_contact_fcr_of_the_month_matches_pandas(
    offered: Any, shared_data: Path, tmp_path: Path
) -> None:
    served = resolved_first_time(offered)
    mapping = bank_mapping(tmp_path, shared_data / FILE)
    out = tmp_path / "fcr.json"
    argv = ["report", "--call-log", str(mapping), "--metrics", "repeat_contact_fcr"]
    assert main([*argv, "--output", str(out)]) == 0
    (row,) = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert row["n"] == len(served)
    assert row["value"] == pytest.approx(served["resolved"].mean(), rel=1e-12)


def test_repeat_contact_fcr_by_week_sees_repeats_in_the_next_week(
    offered: Any, weekly: dict[tuple[str, str], Any]
) -> None:
    served = resolved_first_time(offered)
    for week, calls in served.groupby("week"):
        row = weekly[("repeat_contact_fcr", str(week))]
        assert row["n"] == len(calls)
        assert row["value"] == pytest.approx(calls["resolved"].mean(), rel=1e-12), week
