"""A corpus of broken files and configs: the command line answers each in one line.

Every case must end with exit status 2 and a single ``cxmetrics: error: ...`` line
on stderr naming the file (or option) at fault, and never a traceback.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from cxmetrics.cli import main

GOOD = "kind,score\ncsat,5\ncsat,4\n"
JSONL = "".join(f'{{"kind": "csat", "score": {1 + i % 5}}}\n' for i in range(200))

# name -> (file name, content); content bytes are written as they are.
FILES: dict[str, tuple[str, str | bytes]] = {
    "truncated csv.gz": ("surveys.csv.gz", gzip.compress(GOOD.encode() * 50)[:-20]),
    "truncated jsonl.gz": ("surveys.jsonl.gz", gzip.compress(JSONL.encode())[:-20]),
    "not gzip": ("surveys.csv.gz", GOOD.encode()),
    "jsonl array line": ("surveys.jsonl", JSONL[:60] + "[1, 2]\n"),
    "jsonl string line": ("surveys.jsonl", JSONL[:60] + '"text"\n'),
    "jsonl null line": ("surveys.jsonl", JSONL[:60] + "null\n"),
    "jsonl cut line": ("surveys.jsonl", JSONL[:60] + '{"kind": "cs\n'),
    "json array file": ("surveys.json", '[{"kind": "csat", "score": 5}]\n'),
    "empty csv": ("surveys.csv", ""),
    "csv extra field": ("surveys.csv", GOOD + "csat,3,9\n"),
    "unreadable score": ("surveys.csv", GOOD + "csat,five\n"),
    "not parquet": ("surveys.parquet", b"PAR1 but not really"),
    "latin-1 csv": ("surveys.csv", "kind,score,channel\ncsat,5,caf\xe9\n".encode("latin-1")),
    "epoch ms too large": ("tickets.csv", "id,created_at\nt1,1e30\n"),
    "calls null talk": ("calls.csv", "at,talk\n2024-03-01T09:00:00Z,60\n2024-03-01T10:00:00Z,\n"),
}

CONFIGS: dict[str, tuple[str, str]] = {
    "hours a number": ("calendar", '[hours]\n"mon-fri" = 9\n'),
    "holidays a number": ("calendar", "holidays = 2024\n"),
    "special_hours a list": ("calendar", "special_hours = [1, 2]\n"),
    "not TOML": ("calendar", "this = = not toml\n"),
    "unknown key": ("calendar", 'opening = "09:00"\n'),
    "bad zone": ("calendar", 'timezone = "Mars/Olympus"\n'),
    "sla within 4h": ("sla", 'name = "x"\n[[targets]]\nmetric = "first_reply"\nwithin = "4h"\n'),
    "sla within a month": (
        "sla",
        'name = "x"\n[[targets]]\nmetric = "first_reply"\nwithin = "P1M"\n',
    ),
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert status == 2, err
    assert len(lines) == 1 and lines[0].startswith("cxmetrics: error: "), err
    return lines[0]


@pytest.mark.parametrize("case", sorted(FILES))
def test_broken_file(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name, content = FILES[case]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    line = _run(capsys, "report", str(tmp_path), "--format", "csv")
    assert name in line, line


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_broken_config(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flag, text = CONFIGS[case]
    (tmp_path / "surveys.csv").write_text(GOOD, encoding="utf-8")
    config = tmp_path / f"{flag}.toml"
    config.write_text(text, encoding="utf-8")
    line = _run(capsys, "report", str(tmp_path / "surveys.csv"), f"--{flag}", str(config))
    assert config.name in line or "Mars/Olympus" in line or "PT4H" in line, line


@pytest.mark.parametrize("option", ["--timezone", "--input-timezone"])
def test_unknown_zone_option(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "surveys.csv").write_text(GOOD, encoding="utf-8")
    line = _run(capsys, "report", str(tmp_path), option, "Mars/Olympus")
    assert f"{option}: unknown timezone 'Mars/Olympus'" in line
