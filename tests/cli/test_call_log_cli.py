"""``cxmetrics report --call-log MAPPING``: a small tab-separated log worked by hand.

Every figure is counted on paper from the six rows below; every error a shell user
can trigger prints one line naming the file, the column and the row.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cxmetrics.cli import main

pytest.importorskip("pyarrow")

HEADER = "line\tcall\tday\tentry\tq_time\tser_time\toutcome\tserver\ttype"
ROWS = [
    "AA01\t1\t990201\t7:00:00\t0\t100\tAGENT\tDORIT\tPS",  # answered at once
    "AA01\t2\t990201\t7:10:00\t30\t200\tAGENT\tTOVA\tPS",  # answered after 30 s
    "AA02\t1\t990201\t7:20:00\t12\t4\tHANG\tNO_SERVER\tIN",  # abandoned in queue (short)
    "AA02\t2\t990201\t7:30:00\t0\t0\tHANG\tNO_SERVER\tIN",  # hung up in the IVR: left out
    "AA03\t1\t990202\t1:00:00\t50\t0\tHANG\tNO_SERVER\tIN",  # abandoned after 50 s
    "AA03\t2\t990202\t9:00:00\t0\t0\tPHANTOM\tNO_SERVER\tPS",  # not a call
]
MAPPING = """file = "calls.txt"
delimiter = "\\t"
id = ["line", "call"]
date = "day"
date_format = "%y%m%d"
at = "entry"
timezone = "Asia/Jerusalem"
wait = "q_time"
talk = "ser_time"
outcome = "outcome"
drop_unqueued_abandons = true
queue = "type"
agent_id = "server"

[outcome_map]
AGENT = "answered"
HANG = "abandoned"
PHANTOM = "ignore"

[null_values]
agent_id = ["NO_SERVER"]

[value_maps.queue]
PS = "regular"
IN = "internet"
"""


def write(tmp: Path, rows: list[str] = ROWS, mapping: str = MAPPING) -> Path:
    (tmp / "calls.txt").write_text("\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8")
    path = tmp / "calls.toml"
    path.write_text(mapping, encoding="utf-8")
    return path


def rows_of(tmp: Path, *argv: str) -> dict[tuple[str, str], Any]:
    out = tmp / "out.json"
    assert main(["report", "--call-log", str(write(tmp)), *argv, "--output", str(out)]) == 0
    return {
        (r["metric"], r.get("queue") or r["period"]): r for r in json.loads(out.read_text())["rows"]
    }


def test_figures_by_hand(tmp_path: Path) -> None:
    rows = rows_of(tmp_path)
    # Offered: calls 1, 2, 3 and 5 (the IVR hang-up and the PHANTOM are not offered).
    assert rows[("abandonment_rate", "all")]["value"] == pytest.approx(2 / 4)
    assert rows[("aht", "all")]["value"] == pytest.approx(150.0)  # (100 + 200) / 2
    assert rows[("average_speed_of_answer", "all")]["value"] == pytest.approx(15.0)
    # Within 20 s: call 1; call 3 is a short abandon (left out); call 5 missed it.
    assert rows[("service_level", "all")]["value"] == pytest.approx(1 / 3)
    assert rows[("service_level", "all")]["n"] == 3


def test_by_queue_reads_the_mapped_names(tmp_path: Path) -> None:
    rows = rows_of(tmp_path, "--by", "queue", "--metrics", "abandonment_rate")
    assert rows[("abandonment_rate", "regular")]["value"] == 0.0
    assert rows[("abandonment_rate", "internet")]["value"] == 1.0


def test_days_on_the_log_clock(tmp_path: Path) -> None:
    # 01:00 on 2 Feb in Israel is 23:00 on 1 Feb in UTC: the default is the log's clock.
    rows = rows_of(tmp_path, "--period", "day", "--metrics", "abandonment_rate")
    assert rows[("abandonment_rate", "1999-02-02")]["n"] == 1
    utc = rows_of(tmp_path, "--period", "day", "--metrics", "abandonment_rate", "--timezone", "UTC")
    assert ("abandonment_rate", "1999-02-02") not in utc


def test_a_bad_cell_is_one_line_naming_file_column_and_row(tmp_path: Path, capsys: Any) -> None:
    bad = [*ROWS]
    bad[1] = bad[1].replace("\t30\t", "\t3O\t")
    mapping = write(tmp_path, bad)
    assert main(["report", "--call-log", str(mapping)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "calls.txt row 1 (id='AA01-2')" in err and "q_time" in err and "'3O'" in err
    # --errors collect: the call is left out and the shell is told.
    out = tmp_path / "out.json"
    assert (
        main(["report", "--call-log", str(mapping), "--errors", "collect", "--output", str(out)])
        == 0
    )
    assert (
        "1 problem(s) in the call log; the calls concerned are left out" in capsys.readouterr().err
    )
    rows = {r["metric"]: r for r in json.loads(out.read_text())["rows"]}
    assert rows["abandonment_rate"]["n"] == 3


def test_mapping_mistakes_are_named(tmp_path: Path, capsys: Any) -> None:
    mapping = write(tmp_path, mapping=MAPPING.replace('talk = "ser_time"', 'talk = "service"'))
    assert main(["report", "--call-log", str(mapping)]) == 2
    assert "calls.txt has no column 'service'" in capsys.readouterr().err
    mapping = write(tmp_path, mapping='speed = "fast"\n' + MAPPING)
    assert main(["report", "--call-log", str(mapping)]) == 2
    assert "calls.toml" in capsys.readouterr().err
    mapping = write(tmp_path, mapping=MAPPING.replace('file = "calls.txt"\n', ""))
    assert main(["report", "--call-log", str(mapping)]) == 2
    assert 'the mapping needs file = "<the call log' in capsys.readouterr().err
