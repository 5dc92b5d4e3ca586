"""``read_call_log``: call-center logs with their own column names, dates and outcomes.

Small logs worked by hand, the errors a user meets (each naming the column and the
row), and a law: the loader gives the table :func:`to_call_table` gives on the same
calls written in the library's own columns.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import abandonment_rate, aht, average_speed_of_answer, service_level
from cxmetrics.exceptions import InvalidParameterError, RecordValidationError
from cxmetrics.io import read_call_log, to_call_table

pa = pytest.importorskip("pyarrow")

OUTCOMES = {"AGENT": "answered", "HANG": "abandoned", "PHANTOM": "ignore"}


def _log(**changes: list[str]) -> Any:
    columns = {
        "line": ["AA01", "AA01", "AA02", "AA02", "AA03"],
        "call": ["1", "2", "1", "3", "4"],
        "date": ["990201", "990201", "990202", "990202", "990203"],
        "entry": ["7:02:47", "8:09:16", "23:59:58", "9:00:00", "10:00:00"],
        "q_time": ["0", "5", "30", "0", "0"],
        "ser_time": ["166", "3", "80", "0", "0"],
        "outcome": ["AGENT", "HANG", "AGENT", "HANG", "PHANTOM"],
        "server": ["DORIT", "NO_SERVER", "TOVA", "NO_SERVER", "NO_SERVER"],
        "customer": ["0", "23317894", "23317894", "0", "0"],
    }
    columns.update(changes)
    return pa.table(columns)


def _read(log: Any = None, **options: Any) -> Any:
    settings: dict[str, Any] = {
        "date": "date", "date_format": "%y%m%d", "at": "entry", "id": ["line", "call"],
        "wait": "q_time", "talk": "ser_time", "outcome": "outcome", "outcome_map": OUTCOMES,
        "agent_id": "server", "customer_id": "customer", "timezone": "Asia/Jerusalem",
        "null_values": {"agent_id": ["", "NO_SERVER"], "customer_id": ["", "0"]},
    }  # fmt: skip
    settings.update(options)
    return read_call_log(_log() if log is None else log, **settings)


def test_a_date_and_a_time_of_day_make_the_arrival_on_the_local_clock() -> None:
    calls = _read()
    # Israel is UTC+2 in February; the PHANTOM row is not a call.
    utc = [datetime.fromtimestamp(s, timezone.utc) for s in calls["at"].tolist()]
    assert utc == [
        datetime(1999, 2, 1, 5, 2, 47, tzinfo=timezone.utc),
        datetime(1999, 2, 1, 6, 9, 16, tzinfo=timezone.utc),
        datetime(1999, 2, 2, 21, 59, 58, tzinfo=timezone.utc),
        datetime(1999, 2, 2, 7, 0, 0, tzinfo=timezone.utc),
    ]
    assert calls["id"].tolist() == ["AA01-1", "AA01-2", "AA02-1", "AA02-3"]
    assert calls["agent_id"].tolist() == ["DORIT", None, "TOVA", None]
    assert calls["customer_id"].tolist() == [None, "23317894", "23317894", None]
    assert calls["channel"].tolist() == ["phone"] * 4


def test_the_outcome_decides_abandonment_and_clears_service_time_on_hang_ups() -> None:
    calls = _read()
    assert calls["abandoned"].tolist() == [False, True, False, True]
    assert calls["talk"].tolist() == [166.0, 0.0, 80.0, 0.0]  # 3 s of service on a HANG: 0
    # By hand: 2 answered (waits 0 and 30 s, talk 166 and 80 s) of 4 offered.
    assert aht(calls) == timedelta(seconds=123)
    assert average_speed_of_answer(calls) == timedelta(seconds=15)
    assert abandonment_rate(calls) == pytest.approx(2 / 4)
    # Within 20 s: the first call; both hang-ups are short abandons, left out.
    assert service_level(calls, target=20) == pytest.approx(1 / 2)


def test_unqueued_abandons_can_be_left_out() -> None:
    calls = _read(drop_unqueued_abandons=True)
    assert calls["id"].tolist() == ["AA01-1", "AA01-2", "AA02-1"]  # AA02-3 hung up in the IVR
    assert abandonment_rate(calls) == pytest.approx(1 / 3)


def test_a_whole_timestamp_column_and_a_transfer_flag() -> None:
    log = pa.table(
        {
            "started": ["2024-03-04 09:00:00", "2024-03-04 09:05:00"],
            "queue_s": ["12.5", "40"],
            "talk_s": ["100", "200"],
            "xfer": ["Yes", "no"],
            "team": ["billing", "sales"],
        }
    )
    calls = read_call_log(log, at="started", timestamp_format="%Y-%m-%d %H:%M:%S",
                          wait="queue_s", talk="talk_s", transferred="xfer", queue="team",
                          timezone="UTC")  # fmt: skip
    assert calls["wait"].tolist() == [12.5, 40.0]
    assert calls["transferred"].tolist() == [True, False]
    assert calls["queue"].tolist() == ["billing", "sales"]
    assert calls["abandoned"].tolist() == [False, False]


def test_value_maps_rename_queues_and_keep_the_rest() -> None:
    log = _log(queue=["PS", "IN", None, "XX", "PS"])
    calls = _read(log, queue="queue", value_maps={"queue": {"PS": "regular", "IN": "internet"}})
    assert calls["queue"].tolist() == ["regular", "internet", None, "XX"]
    with pytest.raises(InvalidParameterError, match="'wait': not a text field"):
        _read(value_maps={"wait": {"0": "none"}})


def test_a_tab_separated_file(tmp_path: Path) -> None:
    log = _log()
    lines = ["\t".join(log.column_names)]
    for row in zip(*(log.column(n).to_pylist() for n in log.column_names), strict=True):
        lines.append("\t".join(row))
    path = tmp_path / "calls.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    from_file = _read(path, delimiter="\t")
    from_table = _read()
    for column in ("id", "at", "wait", "talk", "abandoned", "agent_id", "customer_id"):
        assert from_file[column].tolist() == from_table[column].tolist()


def test_errors_name_the_column_and_the_row() -> None:
    log = _log(
        q_time=["0", "soon", "30", "-4", "0"], outcome=["AGENT", "HANG", "BUSY", "HANG", "PHANTOM"]
    )
    with pytest.raises(RecordValidationError) as caught:
        _read(log)
    text = str(caught.value)
    assert "row 1 (id='AA01-2'): q_time: is not a number of seconds [got 'soon']" in text
    assert "row 3 (id='AA02-3'): q_time: duration of -4 s is negative" in text
    assert "row 2 (id='AA02-1'): outcome: outcome 'BUSY' is not mapped" in text
    collected = _read(log, errors="collect")
    assert collected.data["id"].tolist() == ["AA01-1"]
    assert {(p["position"], p["field"], p["type"]) for p in collected.errors} == {
        (1, "q_time", "float_parsing"),
        (2, "outcome", "unknown_outcome"),
        (3, "q_time", "negative_duration"),
    }


def test_a_bad_time_of_day_names_both_columns() -> None:
    with pytest.raises(RecordValidationError, match=r"row 0 \(id='AA01-1'\): date\+entry: does"):
        _read(_log(entry=["7h02", "8:09:16", "23:59:58", "9:00:00", "10:00:00"]))


def test_naive_times_need_a_timezone() -> None:
    with pytest.raises(RecordValidationError, match="no UTC offset"):
        _read(timezone=None)


def test_bad_options_are_named() -> None:
    with pytest.raises(InvalidParameterError, match="has no column 'duration'"):
        _read(talk="duration")
    with pytest.raises(InvalidParameterError, match="'agent': not a call field"):
        _read(null_values={"agent": ["NO_SERVER"]})
    with pytest.raises(InvalidParameterError, match="sends 'AGENT' to 'served'"):
        _read(outcome_map={**OUTCOMES, "AGENT": "served"})


_CALLS = st.lists(
    st.tuples(
        st.integers(0, 86_399),  # second of the day
        st.integers(0, 27),  # day of February 1999
        st.integers(0, 600),  # wait
        st.integers(0, 900),  # talk
        st.booleans(),  # abandoned
    ),
    max_size=30,
)


@given(_CALLS)
def test_law_equals_to_call_table_on_the_same_calls(
    rows: list[tuple[int, int, int, int, bool]],
) -> None:
    start = datetime(1999, 2, 1)
    local = [start + timedelta(days=d, seconds=s) for s, d, _, _, _ in rows]
    log = pa.table(
        {
            "date": [t.strftime("%y%m%d") for t in local],
            "entry": [f"{t.hour}:{t.minute:02d}:{t.second:02d}" for t in local],
            "q_time": [str(r[2]) for r in rows],
            "ser_time": [str(r[3]) for r in rows],
            "outcome": ["HANG" if r[4] else "AGENT" for r in rows],
        },
        schema=pa.schema(
            [(n, pa.string()) for n in ("date", "entry", "q_time", "ser_time", "outcome")]
        ),
    )
    got = read_call_log(log, date="date", date_format="%y%m%d", at="entry", wait="q_time",
                        talk="ser_time", outcome="outcome", outcome_map=OUTCOMES,
                        timezone="UTC")  # fmt: skip
    own = to_call_table(
        pa.table(
            {
                "at": pa.array(
                    [t.replace(tzinfo=timezone.utc) for t in local], pa.timestamp("s", "UTC")
                ),
                "wait": pa.array([float(r[2]) for r in rows], pa.float64()),
                "talk": pa.array([0.0 if r[4] else float(r[3]) for r in rows], pa.float64()),
                "abandoned": pa.array([r[4] for r in rows], pa.bool_()),
            }
        )
    )
    for column in ("at", "wait", "talk", "hold", "wrap", "abandoned", "channel", "direction"):
        assert np.array_equal(np.asarray(got[column]), np.asarray(own[column])), column
