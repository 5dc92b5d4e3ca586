"""The command line run as a subprocess: own files, calendars, formats and bad inputs."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxmetrics.datasets import generate
from cxmetrics.io.files import write_csv, write_parquet
from cxmetrics.reporting import report
from cxmetrics.tables.schema import records_to_table

pytest.importorskip("pyarrow")

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run(
        [sys.executable, "-m", "cxmetrics", "report", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    data = generate(200, seed=11)
    write_parquet(
        folder, tickets=data.tickets, surveys=records_to_table("surveys", data.surveys.to_records())
    )
    return folder


def test_report_of_files_equals_the_library(exported: Path) -> None:
    done = run(*sorted(exported.iterdir()), "--period", "week", "--by", "channel",
               "--metrics", "csat,ticket_volume", "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    data = generate(200, seed=11)
    expected = report(
        tickets=data.tickets, surveys=data.surveys.to_records(), metrics=["csat", "ticket_volume"],
        period="week", by="channel",
    ).to_dicts()  # fmt: skip
    assert rows == json.loads(json.dumps(expected))


def test_calendar_toml_changes_durations(exported: Path, tmp_path: Path) -> None:
    calendar = tmp_path / "cal.toml"
    calendar.write_text(
        'timezone = "Europe/Paris"\nholidays = ["2024-12-25"]\n[hours]\nmon-fri = "09:00-17:00"\n'
    )
    plain = run(exported, "--metrics", "resolution_time", "--format", "json")
    business = run(exported, "--metrics", "resolution_time", "--format", "json",
                   "--calendar", calendar)  # fmt: skip
    assert plain.returncode == business.returncode == 0, business.stderr
    value = json.loads(plain.stdout)["rows"][0]["value"]
    assert 0 < json.loads(business.stdout)["rows"][0]["value"] < value


def test_html_output_file_has_tables_and_charts(exported: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "report.html"
    done = run(exported, "--period", "week", "--metrics", "csat,first_response_time",
               "--output", out)  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    # one table per family section (surveys, tickets)
    assert page.count("<table>") == 2 and "<td>csat</td>" in page
    assert page.count("data:image/svg+xml;base64,") == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "cxmetrics: error: no such file or directory: 'missing.csv'"),
        ([], "cxmetrics: error: no data given"),
        (["--sample", "--metrics", "cast"], "cxmetrics: error: unknown metric 'cast'"),
        (["--sample", "--period", "fortnight"], "invalid choice: 'fortnight'"),
    ],
)
def test_bad_invocations_are_one_line(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_column_and_bad_rows(tmp_path: Path) -> None:
    (tmp_path / "tickets.csv").write_text("ticket,opened\nA,2024-03-04T09:00:00Z\n")
    done = run(tmp_path / "tickets.csv")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "the tickets table has no column 'id'" in done.stderr
    assert "Traceback" not in done.stderr
    debug = run(tmp_path / "tickets.csv", "--debug")
    assert debug.returncode != 0 and "Traceback" in debug.stderr

    good = tmp_path / "good"
    write_csv(good, tickets=generate(30, seed=2).tickets)
    with open(good / "tickets.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[3][rows[0].index("status")] = "done"
    with open(good / "tickets.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    done = run(good, "--metrics", "ticket_volume")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "'done'" in done.stderr
    collected = run(good, "--metrics", "ticket_volume", "--errors", "collect", "--format", "json")
    assert collected.returncode == 0, collected.stderr
    assert "warning: 1 problem(s)" in collected.stderr
    assert json.loads(collected.stdout)["rows"][0]["n"] == 29


def test_bad_calendar_file_is_one_line(tmp_path: Path) -> None:
    calendar = tmp_path / "cal.toml"
    calendar.write_text('timezone = "Europe/Paris"\nopening = "09:00"\n')
    done = run("--sample", "--calendar", calendar)
    assert done.returncode == 2
    assert done.stderr == (
        "cxmetrics: error: cal.toml: unknown calendar key 'opening'; the keys are country, "
        "dst_convention, extra_working_days, holidays, hours, special_hours, subdivision, "
        "timezone, years\n"
    )
    calendar.write_text("timezone = \n")
    done = run("--sample", "--calendar", calendar)
    assert done.returncode == 2 and "cal.toml is not valid TOML" in done.stderr


def test_sla_file_adds_compliance(exported: Path, tmp_path: Path) -> None:
    pytest.importorskip("cxmetrics.sla")
    policy = tmp_path / "sla.toml"
    policy.write_text(
        'name = "standard"\n[calendar]\ntimezone = "Europe/Paris"\n'
        'hours = { mon-fri = "09:00-18:00" }\n'
        '[[targets]]\nmetric = "first_reply"\nwithin = "PT4H"\n'
    )
    done = run(exported, "--metrics", "ticket_volume", "--sla", policy, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [r["metric"] for r in rows] == ["ticket_volume", "sla_compliance"]
    assert 0 <= rows[1]["value"] <= 1
    policy.write_text('name = "standard"\n[[targets]]\nmetric = "first_reply"\nwithin = "-PT4H"\n')
    bad = run(exported, "--sla", policy)
    assert bad.returncode == 2 and bad.stderr.startswith("cxmetrics: error: sla.toml: invalid")
    assert bad.stderr.count("\n") == 1


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    # `cxmetrics report --sample | head -1`: the pipe closes before the report ends.
    env = {**os.environ, "PYTHONPATH": SRC}
    with subprocess.Popen(
        [sys.executable, "-m", "cxmetrics", "report", "--sample", "--period", "week"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        error = process.stderr.read().decode()
        status = process.wait()
    assert status == 0
    assert error == ""
