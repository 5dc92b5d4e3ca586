"""The reading contract, as a law: one corrupt cell is reported, or left out and listed.

A valid data set (surveys, calls, customers) is generated; one cell of one column is
corrupted (unreadable text, empty, NaN, infinity, out of range, absurd instant,
wrong type); the table goes through a DataFrame backend (pandas, polars, pyarrow) or
a file (CSV, JSON Lines, Parquet). Then

- ``errors="raise"`` raises :class:`~cxmetrics.RecordValidationError` whose
  problems name that column and that row (and the file);
- ``errors="collect"`` lists problems of that row only, keeps every other row, and
  the metric equals the metric of the clean rows without that one.
"""

from __future__ import annotations

import csv
import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
import cxmetrics.io as cxio

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

T0 = 1709283600.0  # 2024-03-01T09:00:00Z
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
END = datetime(2024, 7, 1, tzinfo=timezone.utc)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()


# Per table: a valid row from a seed, the metric of valid rows, and per column the
# corruptions that can never be valid there.
UNREADABLE = ["five", "n/a", "12abc"]
NUMBER_BAD = [*UNREADABLE, None, math.nan, math.inf, -math.inf, True]


def _survey(i: int) -> dict[str, Any]:
    return {"id": f"s{i}", "kind": "csat", "score": 1 + (i * 7) % 5}


def _call(i: int) -> dict[str, Any]:
    return {
        "id": f"c{i}",
        "at": _iso(T0 + 97 * i),
        "wait": float(i % 13),
        "talk": float(30 + (i * 41) % 300),
        "hold": float(i % 3),
        "wrap": float((i * 11) % 60),
        "abandoned": False,
    }


def _customer(i: int) -> dict[str, Any]:
    since = START.timestamp() - 86400 * (1 + i % 40)
    until = None if i % 3 else START.timestamp() + 86400 * (1 + (i * 5) % 150)
    return {
        "id": f"k{i}",
        "since": _iso(since),
        "until": None if until is None else _iso(until),
        "revenue": float(10 + i % 7),
    }


TABLES: dict[str, dict[str, Any]] = {
    "surveys": {
        "row": _survey,
        "convert": cxio.to_survey_table,
        "metric": lambda table: cx.csat(table),
        "bad": {
            "score": [*NUMBER_BAD, 0, 6, 2.5, -1],
            "kind": ["happiness", None, 3],
        },
    },
    "calls": {
        "row": _call,
        "convert": cxio.to_call_table,
        "metric": lambda table: cx.aht(table).total_seconds(),
        "bad": {
            "at": ["yesterday", None, "2024-13-45T00:00:00Z", 1e20, math.inf, True],
            "talk": [*NUMBER_BAD, -5.0],
            "wait": [*NUMBER_BAD, -1.0],
            "wrap": [*NUMBER_BAD, -60.0],
            "abandoned": ["perhaps", 2, "maybe"],
        },
    },
    "customers": {
        "row": _customer,
        "convert": cxio.to_customer_table,
        "metric": lambda table: cx.churn_rate(table, window=(START, END)),
        "bad": {
            "id": [None, "", "   "],
            "since": ["soon", None, 1e20, math.inf, "2024-02-30T00:00:00Z"],
            "until": ["later", 1e20, "1999-01-01T00:00:00Z"],  # the last: before since
            "revenue": [*UNREADABLE, math.inf, -1.0, True],
        },
    },
}

BACKENDS = ("pandas", "polars", "pyarrow")
FILES = ("csv", "jsonl", "parquet")


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], int, str, Any]:
    """A table name, its rows with one corrupt cell, the row, the column and the value."""
    name = draw(st.sampled_from(sorted(TABLES)))
    spec = TABLES[name]
    n = draw(st.integers(2, 12))
    seed = draw(st.integers(0, 1000))
    rows = [spec["row"](seed + i) for i in range(n)]
    row = draw(st.integers(0, n - 1))
    column = draw(st.sampled_from(sorted(spec["bad"])))
    value = draw(st.sampled_from(spec["bad"][column]))
    rows[row] = {**rows[row], column: value}
    return name, rows, row, column, value


def _mixed(values: list[Any]) -> bool:
    kinds = {type(v) for v in values if v is not None}
    return len(kinds) > 1 and not kinds <= {int, float}


def _column_values(rows: list[dict[str, Any]], column: str) -> list[Any]:
    values = [r.get(column) for r in rows]
    if _mixed(values):  # what an export of a mixed column gives: text
        return [None if v is None else str(v) for v in values]
    return values


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {column: _column_values(rows, column) for column in rows[0]}


def _frame(backend: str, rows: list[dict[str, Any]]) -> Any:
    if backend == "pandas":  # object columns keep the mixed values as they are
        return pd.DataFrame(rows)
    columns = _columns(rows)
    if backend == "polars":
        return pl.DataFrame(columns, strict=False)
    return pa.table(columns)


def _write(fmt: str, folder: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    path = folder / f"{name}.{fmt}"
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.table(_columns(rows)), path)
    return path


def _check_raise(error: cx.RecordValidationError, name: str, row: int, column: str) -> None:
    problems = error.errors
    assert problems, str(error)
    for problem in problems:
        assert problem["position"] == row, (problem, row)
        assert str(problem["field"]).split(".")[0] == name, problem
    fields = {str(p["field"]) for p in problems}
    # The cell's column is named, or (for a rule over the row) the table.
    assert f"{name}.{column}" in fields or name in fields, (fields, column)
    assert f"{name} row {row}" in str(error)


def _check_collect(
    name: str, result: Any, errors: Any, rows: list[dict[str, Any]], row: int, column: str
) -> None:
    spec = TABLES[name]
    assert errors, "the corrupt row was left out without a word"
    assert {p["position"] for p in errors} == {row}
    assert len(result) == len(rows) - 1
    clean = spec["convert"](pa.table(_columns([r for i, r in enumerate(rows) if i != row])))
    assert _same(spec["metric"](result), spec["metric"](clean))


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


QUICK = settings(
    max_examples=int(os.environ.get("ROBUSTNESS_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
)


@QUICK
@given(case=corrupted(), backend=st.sampled_from(BACKENDS))
def test_a_corrupt_cell_in_a_dataframe(case: Any, backend: str) -> None:
    name, rows, row, column, _ = case
    convert = TABLES[name]["convert"]
    with pytest.raises(cx.RecordValidationError) as caught:
        convert(_frame(backend, rows))
    _check_raise(caught.value, name, row, column)
    collected = convert(_frame(backend, rows), errors="collect")
    _check_collect(name, collected.data, collected.errors, rows, row, column)


@QUICK
@given(case=corrupted(), fmt=st.sampled_from(FILES))
def test_a_corrupt_cell_in_a_file(case: Any, fmt: str, tmp_path_factory: Any) -> None:
    name, rows, row, column, _ = case
    folder = tmp_path_factory.mktemp("data")
    path = _write(fmt, folder, name, rows)
    with pytest.raises(cx.RecordValidationError) as caught:
        cxio.read_files(folder)
    _check_raise(caught.value, name, row, column)
    data = cxio.read_files(folder, errors="collect")
    assert {p["file"] for p in data.errors} == {str(path)}
    _check_collect(name, getattr(data, name), data.errors, rows, row, column)


GARBLES = {
    "jsonl": ['{"id": "x", "kind": "csat", "sco', "[1, 2]", '"text"', "null", "{not json}"],
    "csv": ["s99,csat,4,extra", "only-one-field"],
}


@QUICK
@given(
    n=st.integers(1, 30),
    where=st.integers(0, 30),
    fmt=st.sampled_from(sorted(GARBLES)),
    pick=st.integers(0, 10),
)
def test_a_garbled_line_names_file_and_line(
    n: int, where: int, fmt: str, pick: int, tmp_path_factory: Any
) -> None:
    rows = [_survey(i) for i in range(n)]
    where = min(where, n)
    folder = tmp_path_factory.mktemp("garbled")
    path = _write(fmt, folder, "surveys", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = 1 if fmt == "csv" else 0
    garble = GARBLES[fmt][pick % len(GARBLES[fmt])]
    lines.insert(header + where, garble)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = header + where + 1
    with pytest.raises(cx.RecordValidationError) as caught:
        cxio.read_files(folder)
    assert f"{path}: line {line} cannot be read" in str(caught.value)
    data = cxio.read_files(folder, errors="collect")
    assert [(p["type"], p["position"]) for p in data.errors] == [("malformed_row", line)]
    assert data.surveys is not None and len(data.surveys) == n
    assert cx.csat(data.surveys) == cx.csat([r["score"] for r in rows])
