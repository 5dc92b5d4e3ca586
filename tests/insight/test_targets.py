"""Targets: reading TOML, directions from the registry, met or missed by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cxmetrics import UnknownMetricError
from cxmetrics.exceptions import CXMetricsError
from cxmetrics.insight import Target, evaluate_targets, parse_duration, read_targets


def test_read_targets_and_directions(tmp_path: Path) -> None:
    file = tmp_path / "targets.toml"
    file.write_text(
        "[targets]\n"
        "csat = 0.85\n"
        'first_response_time = "4h"\n'
        "fcr = { value = 0.7 }\n"
        'backlog = { value = 120, direction = "at_most" }\n'
    )
    targets = read_targets(file)
    assert targets == (
        Target("csat", 0.85, "at_least"),
        Target("first_response_time", timedelta(hours=4), "at_most"),
        Target("fcr", 0.7, "at_least"),
        Target("backlog", 120.0, "at_most"),
    )


def test_met_and_missed_by_hand() -> None:
    targets = [Target("csat", 0.85, "at_least"), Target("resolution_time", timedelta(days=1), "at_most"),
               Target("nps", 30.0, "at_least")]  # fmt: skip
    table = evaluate_targets(
        {"csat": 0.85, "resolution_time": timedelta(hours=30), "nps": float("nan")}, targets
    ).to_dict()
    assert table["met"] == [True, False, None]
    assert table["gap"][1] == 6 * 3600.0


def test_unknown_metric_and_bad_values_raise(tmp_path: Path) -> None:
    file = tmp_path / "t.toml"
    file.write_text("csatt = 0.8\n")
    with pytest.raises(UnknownMetricError, match="csat"):
        read_targets(file)
    file.write_text('csat = { value = 0.8, direction = "up" }\n')
    with pytest.raises(CXMetricsError, match="direction"):
        read_targets(file)
    with pytest.raises(CXMetricsError, match="duration"):
        parse_duration("4 hours")


def test_parse_duration_sums_parts() -> None:
    assert parse_duration("1d 2h 3m 4s") == timedelta(days=1, hours=2, minutes=3, seconds=4)
    assert parse_duration("0.5h") == timedelta(minutes=30)
