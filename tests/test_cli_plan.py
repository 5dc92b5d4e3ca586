"""``cxmetrics plan`` on a calls file: the outputs agree with the library, errors are one line."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from cxmetrics.cli import main
from cxmetrics.cli.plan import parse_target
from cxmetrics.planning import forecast_volume, staffing_plan

from tests.planning.helpers import MONDAY, arrivals, pattern

WEEKS = 3


@pytest.fixture(scope="module")
def history() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    calls = arrivals(rng.poisson(np.tile(pattern(), WEEKS)).astype(float), seed=2)
    n = calls["at"].size
    calls["talk"] = rng.uniform(60, 400, n)
    calls["wait"] = rng.uniform(0, 60, n)
    calls["abandoned"] = rng.random(n) < 0.05
    calls["talk"][calls["abandoned"]] = 0.0
    return calls


@pytest.fixture(scope="module")
def calls_csv(tmp_path_factory: pytest.TempPathFactory, history: dict[str, np.ndarray]) -> Path:
    folder = tmp_path_factory.mktemp("plan")
    path = folder / "calls.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["at", "wait", "talk", "abandoned"])
        for at, wait, talk, abandoned in zip(
            history["at"], history["wait"], history["talk"], history["abandoned"], strict=True
        ):
            stamp = MONDAY.fromtimestamp(float(at), tz=MONDAY.tzinfo).isoformat()
            writer.writerow([stamp, repr(float(wait)), repr(float(talk)), str(bool(abandoned))])
    return path


def plan_output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = main(["plan", *args])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out


def test_csv_is_the_library_plan(
    calls_csv: Path, history: dict[str, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    as_of = MONDAY + timedelta(weeks=WEEKS)
    out = plan_output(
        capsys, str(calls_csv), "--interval", "1h", "--horizon", "2D", "--target", "90/30s",
        "--shrinkage", "0.25", "--method", "weekly_mean", "--as-of", as_of.isoformat(),
        "--format", "csv",
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    forecast = forecast_volume(
        history, interval="1h", horizon="2D", method="weekly_mean", as_of=as_of
    )
    plan = staffing_plan(forecast, history=history, service_level=0.9, target=30, shrinkage=0.25)
    assert len(rows) == 48
    assert [float(r["scheduled"]) for r in rows] == plan.scheduled.tolist()
    np.testing.assert_allclose([float(r["forecast"]) for r in rows], forecast.forecast, atol=1e-4)
    np.testing.assert_allclose([float(r["aht"]) for r in rows], plan.aht, rtol=1e-6)
    assert rows[0]["start_at"] == as_of.isoformat()


def test_json_totals_and_html_page(calls_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(
        plan_output(
            capsys, str(calls_csv), "--interval", "1h", "--horizon", "7D", "--format", "json"
        )
    )
    hours = sum(row["scheduled"] for row in document["intervals"])
    assert document["totals"]["agent_hours"] == pytest.approx(hours)
    assert document["totals"]["fte"] == pytest.approx(hours / 40.0)
    page = plan_output(
        capsys, str(calls_csv), "--interval", "30min", "--horizon", "7D", "--model", "erlang_a",
        "--format", "html",
    )  # fmt: skip
    assert page.count("<svg") == 2 and "<table" in page
    assert page.count("<tr>") == 7 * 48 + 1


def test_target_parsing_and_errors(calls_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_target("85/15s") == (0.85, 15.0)
    assert main(["plan", str(calls_csv), "--target", "eighty"]) == 2
    assert "--target must look like 80/20s" in capsys.readouterr().err
    assert main(["plan"]) == 2
    assert "no data given" in capsys.readouterr().err
    assert main(["plan", str(calls_csv), "--as-of", "2024-01-22T00:00"]) == 2
    assert "UTC offset" in capsys.readouterr().err


def test_tickets_project_the_backlog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyarrow")
    from cxmetrics.datasets import generate
    from cxmetrics.io.files import write_parquet
    from cxmetrics.planning import project_backlog

    data = generate(3000, seed=4)
    write_parquet(tmp_path, tickets=data.tickets)
    files = [str(p) for p in sorted(tmp_path.iterdir())]
    assert main(["plan", *files, "--interval", "1h", "--horizon", "7D"]) == 2
    assert "--tickets-per-agent-hour" in capsys.readouterr().err
    options = "--interval 1h --horizon 7D --method seasonal_naive --tickets-per-agent-hour 4"
    more = "--agents 2 --backlog 50 --resolution-target 2D --format json"
    document = json.loads(plan_output(capsys, *files, *options.split(), *more.split()))
    forecast = forecast_volume(
        data.tickets, contacts="tickets", interval="1h", horizon="7D", method="seasonal_naive"
    )
    expected = project_backlog(
        forecast, agents=2, tickets_per_agent_hour=4, backlog=50, resolution_target=2 * 86400
    )
    assert document["summary"]["agents_needed"] == expected.agents_needed
    assert document["summary"]["days_to_clear"] == pytest.approx(expected.days_to_clear)
    np.testing.assert_allclose(
        [row["backlog"] for row in document["intervals"]], expected.backlog, atol=1e-3
    )
