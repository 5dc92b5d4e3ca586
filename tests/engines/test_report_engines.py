"""The KPI report on partitioned input equals the in-process report.

Streamed from Parquet in chunks of whole customers, on Dask (LocalCluster) and on
Spark (local[2]): rows, totals, skipped metrics, context and the trend charts,
with period=week, by=channel, a business calendar, an SLA policy and p90
durations (exact quantiles: the duration states keep their values).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cxmetrics.cli import main
from cxmetrics.datasets import SyntheticData
from cxmetrics.engines.stream import report_from_parquet
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io import read_parquet, write_parquet
from cxmetrics.reporting import report

from tests.metrics.contract import same_value
from tests.reporting.equality import assert_same_report, settings_of

KINDS = ("tickets", "surveys", "calls", "customers")


@pytest.fixture(scope="module")
def folder(generated: SyntheticData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report-parquet")
    write_parquet(path, **{kind: getattr(generated, kind) for kind in KINDS})
    return path


@pytest.fixture(scope="module")
def in_process(folder: Path, generated: SyntheticData) -> Any:
    """The reference: every row in this process, read from the same files."""
    data = read_parquet(folder)
    return report(
        **{kind: getattr(data, kind) for kind in KINDS}, **settings_of(generated), charts=True
    )


def test_streamed_report_equals_in_process(folder: Path, generated: SyntheticData,
                                           in_process: Any) -> None:  # fmt: skip
    got = report_from_parquet(folder, chunk_tickets=150, **settings_of(generated), charts=True)
    assert_same_report(got, in_process)
    assert got.insights.left_out  # stated, never silent
    assert "left_out" in got.to_json()


def test_streamed_report_one_chunk(folder: Path, generated: SyntheticData,
                                   in_process: Any) -> None:  # fmt: skip
    got = report_from_parquet(folder, chunk_tickets=10**9, **settings_of(generated), charts=True)
    assert_same_report(got, in_process)


def test_streamed_report_refuses_an_unknown_segment(folder: Path) -> None:
    with pytest.raises(InvalidParameterError, match="'region'"):
        report_from_parquet(folder, by="region")
    with pytest.raises(InvalidParameterError, match="chunk_tickets"):
        report_from_parquet(folder, chunk_tickets=0)


def _rows(text: str) -> list[tuple[Any, ...]]:
    rows = json.loads(text)["rows"]
    return [
        (r["metric"], r["period"], r.get("channel"), r["n"], r["significant"], r["value"])
        for r in rows
    ]


def test_cli_streams_a_folder(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``cxmetrics report FOLDER --chunk-tickets N``: the rows of the in-process command."""
    flags = ["--period", "week", "--by", "channel", "--as-of", "2030-01-01", "--format", "json"]
    assert main(["report", str(folder), *flags]) == 0
    whole = capsys.readouterr().out
    assert main(["report", str(folder), *flags, "--chunk-tickets", "200"]) == 0
    streamed = capsys.readouterr().out
    want, got = _rows(whole), _rows(streamed)
    assert [row[:5] for row in got] == [row[:5] for row in want]
    assert all(same_value(a[5], b[5]) for a, b in zip(got, want, strict=True))
    assert json.loads(streamed)["left_out"] and "left_out" not in json.loads(whole)
    assert json.loads(streamed)["skipped"] == json.loads(whole)["skipped"]


def test_cli_refuses_chunks_of_other_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--sample", "--chunk-tickets", "10"]) != 0
    assert "--chunk-tickets streams one folder" in capsys.readouterr().err


def test_streamed_report_of_folders_of_files(
    folder: Path, generated: SyntheticData, in_process: Any, tmp_path: Path
) -> None:
    """A table may be a folder of Parquet files (``tickets.parquet/part-0.parquet``…)."""
    import pyarrow.parquet as pq

    for file in folder.glob("*.parquet"):
        table = pq.read_table(file)
        (tmp_path / file.name).mkdir()
        half = table.num_rows // 2
        pq.write_table(table.slice(0, half), tmp_path / file.name / "part-0.parquet")
        pq.write_table(table.slice(half), tmp_path / file.name / "part-1.parquet")
    got = report_from_parquet(tmp_path, chunk_tickets=300, **settings_of(generated), charts=True)
    assert_same_report(got, in_process)
