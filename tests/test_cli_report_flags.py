"""The report subcommand's flags for real exports, run in process through ``main``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxmetrics.cli import main
from cxmetrics.datasets import generate

pytest.importorskip("pyarrow")

START = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)


def run_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> dict[str, Any]:
    status = main(["report", *map(str, args), "--format", "json"])
    out = capsys.readouterr()
    assert status == 0, out.err
    data: dict[str, Any] = json.loads(out.out)
    return data


def test_statistic_median_is_the_median_of_the_durations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Tickets solved after 1, 2 and 30 hours: median 2 h, mean 11 h.
    lines = ["id,created_at,solved_at,status"]
    for i, hours in enumerate((1, 2, 30)):
        solved = START + timedelta(hours=hours)
        lines.append(f"T{i},{START.isoformat()},{solved.isoformat()},solved")
    (tmp_path / "tickets.csv").write_text("\n".join(lines) + "\n")
    median = run_json(capsys, tmp_path / "tickets.csv", "--metrics", "resolution_time",
                      "--statistic", "median")  # fmt: skip
    mean = run_json(capsys, tmp_path / "tickets.csv", "--metrics", "resolution_time")
    assert median["rows"][0]["value"] == 2 * 3600.0
    assert mean["rows"][0]["value"] == pytest.approx(11 * 3600.0)


def test_bad_statistic_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--sample", "--statistic", "middle"]) == 2
    assert "statistic must be 'mean', 'median' or a percentile" in capsys.readouterr().err


def test_columns_mapping_renames_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tickets.csv").write_text(
        "ticket,opened,first_answer\n"
        f"A,{START.isoformat()},{(START + timedelta(minutes=30)).isoformat()}\n"
        f"B,{START.isoformat()},{(START + timedelta(minutes=90)).isoformat()}\n"
    )
    mapping = tmp_path / "columns.toml"
    mapping.write_text(
        '[tickets]\nid = "ticket"\ncreated_at = "opened"\nfirst_reply_at = "first_answer"\n'
    )
    data = run_json(capsys, tmp_path / "tickets.csv", "--columns", mapping,
                    "--metrics", "first_response_time")  # fmt: skip
    assert data["rows"][0]["value"] == 3600.0  # (30 + 90) / 2 minutes


LOGS = {
    "event": (
        "case,when,state\n"
        "1,2024-03-04 09:00,Neu\n1,2024-03-04 13:00,Erledigt\n"
        "2,2024-03-04 10:00,Neu\n2,2024-03-05 10:00,Erledigt\n",
        'case = "case"\ntimestamp = "when"\nstatus = "state"\n'
        'timezone = "UTC"\n[status_map]\nNeu = "new"\nErledigt = "solved"\n',
        {"resolution_time": (4 + 24) / 2 * 3600.0, "resolution_rate": 1.0},
    ),
    "message": (
        "id,parent,at,inbound\n"
        "1,,2024-03-04T09:00:00Z,True\n2,1,2024-03-04T09:20:00Z,False\n"
        "3,,2024-03-04T10:00:00Z,True\n4,3,2024-03-04T11:00:00Z,False\n",
        'message_id = "id"\nreply_to = "parent"\ntimestamp = "at"\n'
        'role = "inbound"\n[role_map]\n"True" = "customer"\n"False" = "agent"\n',
        {"first_response_time": (20 + 60) / 2 * 60.0},
    ),
}


@pytest.mark.parametrize("kind", sorted(LOGS))
def test_log_mapping_reads_tickets(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, mapping, expected = LOGS[kind]
    (tmp_path / "log.csv").write_text(rows)
    (tmp_path / "log.toml").write_text('file = "log.csv"\n' + mapping)
    data = run_json(capsys, f"--{kind}-log", tmp_path / "log.toml", "--metrics",
                    ",".join(expected))  # fmt: skip
    assert {row["metric"]: row["value"] for row in data["rows"]} == expected


def test_mapping_without_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "log.toml").write_text('case = "case"\n')
    assert main(["report", "--event-log", str(tmp_path / "log.toml")]) == 2
    assert "the mapping needs file =" in capsys.readouterr().err


def test_churn_window_and_service_level_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "customers.csv").write_text(
        "id,since,until\nA,2023-01-01T00:00:00Z,\nB,2023-01-01T00:00:00Z,2024-02-10T00:00:00Z\n"
        "C,2023-06-01T00:00:00Z,\nD,2023-06-01T00:00:00Z,2024-03-20T00:00:00Z\n"
    )
    waits = [5, 15, 25, 40]
    (tmp_path / "calls.csv").write_text(
        "at,wait,talk\n"
        + "".join(
            f"{(START + timedelta(minutes=i)).isoformat()},{w},60\n" for i, w in enumerate(waits)
        )
    )
    data = run_json(capsys, tmp_path / "customers.csv", tmp_path / "calls.csv",
                    "--metrics", "churn_rate,service_level", "--churn-start", "2024-02-01",
                    "--churn-end", "2024-03-01", "--service-level-target", "30")  # fmt: skip
    values = {row["metric"]: row["value"] for row in data["rows"]}
    assert values["churn_rate"] == 1 / 4  # B lost in February, of 4 active on Feb 1
    assert values["service_level"] == 3 / 4  # 5, 15 and 25 s within 30 s


def test_charts_flag_picks_the_charts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.html"
    status = main(["report", "--sample", "--period", "week", "--charts", "nps,csat",
                   "--output", str(out)])  # fmt: skip
    assert status == 0, capsys.readouterr().err
    page = out.read_text()
    assert page.count("<img") == 2
    assert "alt='NPS by week'" in page and "alt='CSAT by week'" in page
    assert main(["report", "--sample", "--period", "week", "--charts", "nope",
                 "--output", str(out)]) == 2  # fmt: skip
    assert "'nope' is not a metric of this report" in capsys.readouterr().err


def test_generated_export_runs_with_every_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cxmetrics.io.files import write_parquet

    write_parquet(tmp_path, tickets=generate(150, seed=2).tickets)
    data = run_json(capsys, tmp_path, "--period", "week", "--statistic", "p90",
                    "--as-of", "2024-06-01")  # fmt: skip
    rows = [r for r in data["rows"] if r["metric"] == "first_response_time" and r["value"]]
    assert rows and all(r["low"] is None or r["low"] >= 0 for r in rows)
    assert not np.isnan([r["value"] for r in rows]).any()


def test_churn_without_window_names_the_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--sample", "--metrics", "churn_rate"]) == 2
    assert "Give it with --churn-start and --churn-end." in capsys.readouterr().err
