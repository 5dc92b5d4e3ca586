"""Try cxmetrics as a demanding user would: a corpus of bad inputs, and what each gives.

Each case is a bad (or borderline) input and what a correct library does with it:
raise a clear error naming what and where, or give the correct number. Every case
is run and classed as one of

- ``clear error``: a ``CXMetricsError`` whose message names the words the case asks
  for (the column, the row or line, the file…);
- ``correct result``: the number (or the collected problems) a correct library gives;
- ``unclear error``: any other exception, or a message that does not name them;
- ``traceback``: the command line let an exception escape;
- ``silent wrong number``: a number where an error (or another number) was due;
- ``silent drop``: ``errors="collect"`` left a record out without listing it.

Run ``python scripts/bad_inputs.py`` for the totals per area and outcome, and
``--verbose`` to see every case that is not a clear error or a correct result.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import math
import sys
import tempfile
import threading
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

import cxmetrics as cx
import cxmetrics.io as cxio
from cxmetrics.cli import main as cli_main

UTC = timezone.utc
T0 = datetime(2024, 3, 1, 9, tzinfo=UTC)
OUTCOMES = (
    "clear error",
    "correct result",
    "unclear error",
    "traceback",
    "silent wrong number",
    "silent drop",
)


@dataclass
class Case:
    """One bad input: its area, a name, how to run it and what a correct library does."""

    area: str
    name: str
    run: Callable[[], Any]
    # ("error", words) | ("value", expected) | ("collect", expected, n_problems)
    expect: tuple[Any, ...]
    cli: bool = False


CASES: list[Case] = []


def case(area: str, name: str, expect: tuple[Any, ...], *, cli: bool = False) -> Any:
    """Register the decorated function as a case."""

    def register(run: Callable[[], Any]) -> Callable[[], Any]:
        CASES.append(Case(area, name, run, expect, cli))
        return run

    return register


def err(*words: str) -> tuple[Any, ...]:
    """Expect a clear error naming every one of ``words``."""
    return ("error", words)


def val(expected: Any) -> tuple[Any, ...]:
    """Expect the correct result ``expected``."""
    return ("value", expected)


def collect(expected: Any, problems: int) -> tuple[Any, ...]:
    """Expect ``errors="collect"`` to keep ``expected`` rows and list ``problems``."""
    return ("collect", expected, problems)


# ---------------------------------------------------------------- frames ----------
BACKENDS: dict[str, Callable[[dict[str, list[Any]]], Any]] = {
    "pandas": pd.DataFrame,
    "polars": pl.DataFrame,
    "pyarrow": pa.table,
}


def _frame_cases() -> None:
    for backend, make in BACKENDS.items():

        def mk(columns: dict[str, list[Any]], make: Any = make) -> Any:
            return make(columns)

        surveys = {"kind": ["csat", "csat", "csat"], "score": ["5", "five", "4"]}
        case("dataframes", f"{backend}: csat score 'five'", err("score", "row 1"))(
            lambda s=surveys, mk=mk: cx.csat(mk(s))
        )
        case("dataframes", f"{backend}: to_survey_table collect score 'five'", collect(2, 1))(
            lambda s=surveys, mk=mk: _collected(cxio.to_survey_table(mk(s), errors="collect"))
        )
        case("dataframes", f"{backend}: survey scale 'five'", err("scale", "row 0"))(
            lambda mk=mk: cx.csat(mk({"kind": ["csat"], "score": ["4"], "scale": ["five"]}))
        )
        calls = {"at": ["2024-03-01T09:00:00Z"] * 2, "talk": ["60", "sixty"]}
        case("dataframes", f"{backend}: aht talk 'sixty'", err("talk", "row 1"))(
            lambda c=calls, mk=mk: cx.aht(mk(c))
        )
        case("dataframes", f"{backend}: to_call_table talk 'sixty'", err("talk", "row 1"))(
            lambda c=calls, mk=mk: cxio.to_call_table(mk(c))
        )
        nulls = {"at": ["2024-03-01T09:00:00Z"] * 2, "talk": [60.0, None]}
        case("dataframes", f"{backend}: to_call_table null talk", err("talk", "row 1"))(
            lambda c=nulls, mk=mk: cxio.to_call_table(mk(c))
        )
        case("dataframes", f"{backend}: report(calls=) null talk", err("talk", "row 1"))(
            lambda c=nulls, mk=mk: _report_value(calls=mk(c), metric="aht")
        )
        case("dataframes", f"{backend}: aht null talk", err("talk", "row 1"))(
            lambda c=nulls, mk=mk: cx.aht(mk(c))
        )
        case("dataframes", f"{backend}: abandoned 'perhaps'", err("abandoned", "row 0"))(
            lambda mk=mk: cxio.to_call_table(
                mk({"at": ["2024-03-01T09:00:00Z"], "abandoned": ["perhaps"]})
            )
        )
        case("dataframes", f"{backend}: interactions public 'maybe'", err("public", "row 0"))(
            lambda mk=mk: cxio.to_ticket_batch(
                mk({"id": ["t1"], "created_at": ["2024-03-01T09:00:00Z"]}),
                interactions=mk(
                    {
                        "ticket_id": ["t1"],
                        "at": ["2024-03-01T10:00:00Z"],
                        "author": ["agent"],
                        "public": ["maybe"],
                    }
                ),
            )
        )
        case("dataframes", f"{backend}: customer revenue 'lots'", err("revenue", "row 0"))(
            lambda mk=mk: cxio.to_customer_table(
                mk({"id": ["a"], "since": ["2024-01-01T00:00:00Z"], "revenue": ["lots"]})
            )
        )
        # Epoch milliseconds: 30 minutes after creation.
        ms = {
            "id": ["t1"],
            "created_at": [1709283600000],
            "first_reply_at": [1709283600000 + 1_800_000],
        }
        case("dataframes", f"{backend}: epoch milliseconds", val(timedelta(minutes=30)))(
            lambda c=ms, mk=mk: cx.first_response_time(cxio.to_ticket_batch(mk(c)))
        )
        case("dataframes", f"{backend}: created_at inf", err("created_at", "row 0"))(
            lambda mk=mk: cxio.to_ticket_batch(mk({"id": ["t1"], "created_at": [math.inf]}))
        )
        case("dataframes", f"{backend}: aht ISO string at", val(timedelta(seconds=60)))(
            lambda mk=mk: cx.aht(mk({"at": ["2024-03-01T09:00:00Z"], "talk": [60]}))
        )


def _collected(result: Any) -> Any:
    if not isinstance(result, cxio.Collected):
        return ("not collected", result)
    return ("collected", len(result.data), len(result.errors))


def _report_value(*, metric: str, **inputs: Any) -> float:
    rep = cx.report(metrics=[metric], **inputs)
    frame = rep.to_pandas() if hasattr(rep, "to_pandas") else rep
    return float(frame["value"].iloc[0])


# ---------------------------------------------------------------- records ---------
def _record_cases() -> None:
    case("records", "Customer revenue nan", err("revenue"))(
        lambda: cx.Customer(id="a", since=T0, revenue=float("nan"))
    )
    case("records", "SurveyResponse score True", err("score"))(
        lambda: cx.SurveyResponse(kind="csat", score=True)
    )
    case("records", "Ticket blank id", err("id"))(lambda: cx.Ticket(id="  ", created_at=T0))
    case("records", "Customer blank id", err("id"))(lambda: cx.Customer(id="", since=T0))
    case("records", "Call talk None", err("talk"))(lambda: cx.Call(at=T0, talk=None))
    case("records", "Call talk 'sixty'", err("talk"))(lambda: cx.Call(at=T0, talk="sixty"))
    case("records", "Ticket created_at epoch ms", val(datetime(2024, 3, 1, 9, tzinfo=UTC)))(
        lambda: cx.Ticket(id="t", created_at=1709283600000).created_at
    )
    case("records", "csat(None)", err("responses"))(lambda: cx.csat(None))
    case("records", "csat of strings", err("item"))(lambda: cx.csat(["5", "five"]))
    case("records", "csat score 6 (5-point)", err("6"))(lambda: cx.csat([5, 6]))
    case("records", "nps score nan", err("nan"))(lambda: cx.nps([9, float("nan")]))


# ---------------------------------------------------------------- parameters ------
def _parameter_cases() -> None:
    case("parameters", "BusinessCalendar('localtime')", err("localtime"))(
        lambda: cx.BusinessCalendar("localtime")
    )
    case("parameters", "BusinessCalendar('Mars/Olympus')", err("Mars/Olympus"))(
        lambda: cx.BusinessCalendar("Mars/Olympus")
    )
    cal = cx.BusinessCalendar.always_open()
    case("parameters", "business_seconds lengths differ", err("length"))(
        lambda: cal.business_seconds([0.0, 1.0], [10.0, 20.0, 30.0])
    )
    case("parameters", "business_time year 9999 + 1 day", err("outside"))(
        lambda: cal.add(datetime(9999, 12, 31, 12, tzinfo=UTC), timedelta(days=2))
    )
    case("parameters", "SlaTarget within='4h'", err("PT4H"))(
        lambda: cx.SlaTarget(metric="first_reply", within="4h")
    )
    case("parameters", "SlaTarget within='P1M'", err("P1M"))(
        lambda: cx.SlaTarget(metric="first_reply", within="P1M")
    )
    case("parameters", "CSAT(confidence=1.5)", err("confidence", "1.5"))(
        lambda: cx.CSAT(confidence=1.5)
    )
    case("parameters", "repeated 'Got' in message", err("confidence"))(
        lambda: _no_repeat(lambda: cx.CSAT(confidence=1.5))
    )


def _no_repeat(run: Callable[[], Any]) -> Any:
    try:
        run()
    except cx.CXMetricsError as exc:
        text = str(exc)
        if text.count("Got") > 1 or text.count("must be") > 1:
            raise RuntimeError(f"repeated text: {text}") from None
        raise
    return None


# ---------------------------------------------------------------- files -----------
def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if name.endswith(".gz"):
        data = text.encode() if isinstance(text, str) else text
        path.write_bytes(gzip.compress(data))
    elif isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _good_surveys_jsonl(n: int) -> str:
    return "".join(f'{{"kind": "csat", "score": {1 + i % 5}}}\n' for i in range(n))


def _file_cases(tmp: Path) -> None:
    def folder(name: str) -> Path:
        path = tmp / name
        path.mkdir()
        return path

    f = folder("five")
    _write(f, "surveys.csv", "kind,score\ncsat,5\ncsat,five\ncsat,4\n")
    case("files", "surveys.csv score 'five'", err("surveys", "score", "five"))(
        lambda p=f: cxio.read_files(p)
    )
    case("files", "surveys.csv score 'five' collect", collect(2, 1))(
        lambda p=f: _collected_files(cxio.read_files(p, errors="collect"), "surveys")
    )
    f = folder("trunc")
    _write(f, "surveys.jsonl", _good_surveys_jsonl(100) + '{"kind": "csat", "sco\n')
    case("files", "jsonl truncated last line", err("surveys.jsonl", "line 101"))(
        lambda p=f: cxio.read_files(p)
    )
    case("files", "jsonl truncated last line collect", collect(100, 1))(
        lambda p=f: _collected_files(cxio.read_files(p, errors="collect"), "surveys")
    )
    f = folder("extra")
    _write(f, "surveys.csv", "kind,score\ncsat,5\ncsat,4,9\ncsat,3\n")
    case("files", "csv row with a field too many", err("surveys.csv", "line 3"))(
        lambda p=f: cxio.read_files(p)
    )
    case("files", "csv row with a field too many collect", collect(2, 1))(
        lambda p=f: _collected_files(cxio.read_files(p, errors="collect"), "surveys")
    )
    for payload, label in (("[1, 2]", "array"), ('"text"', "string"), ("null", "null")):
        f = folder(f"line-{label}")
        _write(f, "surveys.jsonl", _good_surveys_jsonl(3) + payload + "\n")
        case("files", f"jsonl line that is an {label}", err("surveys.jsonl", "line 4"))(
            lambda p=f: cxio.read_files(p)
        )
    f = folder("jsonarray")
    _write(f, "surveys.json", '[{"kind": "csat", "score": 5}]\n')
    case("files", ".json file holding an array", err("surveys.json"))(
        lambda p=f: cxio.read_files(p)
    )
    f = folder("emptycsv")
    _write(f, "surveys.csv", "")
    case("files", "empty csv", err("surveys.csv"))(lambda p=f: cxio.read_files(p))
    f = folder("badparquet")
    _write(f, "surveys.parquet", b"not a parquet file at all")
    case("files", "not a parquet file", err("surveys.parquet"))(lambda p=f: cxio.read_files(p))
    f = folder("notgz")
    _write(f, "surveys.csv.gz", b"kind,score\ncsat,5\n")
    (f / "surveys.csv.gz").write_bytes(b"kind,score\ncsat,5\n")
    case("files", "not a gzip file", err("surveys.csv.gz"))(lambda p=f: cxio.read_files(p))
    f = folder("truncgz")
    (f / "surveys.jsonl.gz").write_bytes(gzip.compress(_good_surveys_jsonl(50).encode())[:-30])
    case("files", "truncated .jsonl.gz", err("surveys.jsonl.gz"))(lambda p=f: cxio.read_files(p))
    f = folder("latin1")
    _write(f, "surveys.csv", "kind,score,channel\ncsat,5,caf\xe9\n".encode("latin-1"))
    case("files", "non-UTF-8 csv", err("surveys.csv"))(lambda p=f: cxio.read_files(p))
    f = folder("nulltalk")
    _write(f, "calls.csv", "at,talk\n2024-03-01T09:00:00Z,60\n2024-03-01T10:00:00Z,\n")
    case("files", "calls.csv missing talk", err("talk", "row 1"))(lambda p=f: cxio.read_files(p))
    f = folder("msparquet")
    pq.write_table(
        pa.table({"id": ["t1"], "created_at": [1709283600000], "first_reply_at": [1709285400000]}),
        f / "tickets.parquet",
    )
    case("files", "parquet epoch milliseconds", val(timedelta(minutes=30)))(
        lambda p=f: cx.first_response_time(cxio.read_files(p).tickets)
    )
    f = folder("eventlog")
    _write(f, "events.csv", "case_id,timestamp,status,who\nc1,2024-03-01T09:00:00Z,open,\n")
    case("files", "event log actor never named", val(1))(
        lambda p=f: len(cxio.read_event_log(p / "events.csv", actor="who").ids)
    )


def _collected_files(data: Any, table: str) -> Any:
    rows = getattr(data, table)
    return ("collected", 0 if rows is None else len(rows), len(data.errors))


# ---------------------------------------------------------------- cli -------------
def _cli(*argv: str) -> tuple[int, str, str]:
    out, errs = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errs):
        try:
            status = cli_main(list(argv))
        except SystemExit as exc:
            status = int(exc.code or 0)
    return status, out.getvalue(), errs.getvalue()


def _cli_cases(tmp: Path) -> None:
    def folder(name: str) -> Path:
        path = tmp / ("cli-" + name)
        path.mkdir()
        return path

    f = folder("five")
    _write(f, "surveys.csv", "kind,score\ncsat,5\ncsat,five\ncsat,4\n")
    case("cli", "surveys.csv with 'five'", err("score", "five"), cli=True)(
        lambda p=f: _cli("report", str(p), "--metrics", "csat", "--format", "csv")
    )
    broken: dict[str, str | bytes] = {
        "truncated .csv.gz": "",
        "truncated .jsonl.gz": "",
        "jsonl array line": _good_surveys_jsonl(2) + "[1]\n",
        "jsonl string line": _good_surveys_jsonl(2) + '"x"\n',
        "jsonl null line": _good_surveys_jsonl(2) + "null\n",
        ".json holding an array": '[{"kind": "csat", "score": 5}]\n',
        "empty csv": "",
        "not parquet": b"PAR? nope",
    }
    names = {
        "truncated .csv.gz": "surveys.csv.gz",
        "truncated .jsonl.gz": "surveys.jsonl.gz",
        ".json holding an array": "surveys.json",
        "empty csv": "surveys.csv",
        "not parquet": "surveys.parquet",
    }
    for label, content in broken.items():
        f = folder(label.replace(" ", "_").replace(".", ""))
        name = names.get(label, "surveys.jsonl")
        if label == "truncated .csv.gz":
            (f / name).write_bytes(gzip.compress(b"kind,score\n" + b"csat,5\n" * 200)[:-20])
        elif label == "truncated .jsonl.gz":
            (f / name).write_bytes(gzip.compress(_good_surveys_jsonl(200).encode())[:-20])
        else:
            _write(f, name, content)
        case("cli", label, err(name), cli=True)(
            lambda p=f: _cli("report", str(p), "--metrics", "csat", "--format", "csv")
        )
    good = folder("good")
    _write(good, "surveys.csv", "kind,score\ncsat,5\ncsat,4\n")
    tomls = {
        "calendar mon-fri = 9": ("calendar", '[hours]\n"mon-fri" = 9\n'),
        "calendar holidays = 2024": (
            "calendar",
            'holidays = 2024\n[hours]\n"mon-fri" = "09:00-17:00"\n',
        ),
        "calendar special_hours list": ("calendar", "special_hours = [1, 2]\n"),
        "calendar not TOML": ("calendar", "this is = = not toml\n"),
        "sla within 4h": (
            "sla",
            'name = "x"\n[[targets]]\nmetric = "first_reply"\nwithin = "4h"\n',
        ),
    }
    for label, (flag, text) in tomls.items():
        path = _write(tmp, f"{label.replace(' ', '_')}.toml", text)
        case("cli", label, err(path.name), cli=True)(
            lambda path=path, flag=flag: _cli(
                "report", str(good), "--metrics", "csat", f"--{flag}", str(path)
            )
        )
    case("cli", "--timezone Mars/Olympus", err("Mars/Olympus"), cli=True)(
        lambda: _cli("report", str(good), "--metrics", "csat", "--timezone", "Mars/Olympus")
    )
    case("cli", "--input-timezone Mars/Olympus", err("Mars/Olympus"), cli=True)(
        lambda: _cli("report", str(good), "--metrics", "csat", "--input-timezone", "Mars/Olympus")
    )
    f = folder("ms")
    pq.write_table(
        pa.table({"id": ["t1"], "created_at": [1709283600000], "first_reply_at": [1709285400000]}),
        f / "tickets.parquet",
    )
    case("cli", "tickets.parquet in epoch ms", ("cli-ok",), cli=True)(
        lambda p=f: _cli("report", str(p), "--metrics", "first_response_time", "--format", "csv")
    )


# ---------------------------------------------------------------- threads ---------
def _thread_cases() -> None:
    def hammer() -> int:
        metric = cx.CSAT()

        def work() -> None:
            for _ in range(200):
                metric.update([5] * 100)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return int(metric.compute().n)

    case("threads", "8 threads x 200 CSAT.update", val(160_000))(hammer)


# ---------------------------------------------------------------- second round -----
def _second_round(tmp: Path) -> None:
    """Cases added after the first fixes, to try the contract on paths not yet seen."""
    at = ["2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z"]
    case("logs", "event log timestamp 'soon'", err("timestamp", "row 1"))(
        lambda: cxio.read_event_log(
            pa.table({"case_id": ["a", "a"], "timestamp": [at[0], "soon"],
                      "status": ["new", "solved"]})
        )
    )  # fmt: skip
    case("logs", "event log collect keeps the good case", collect(1, 1))(
        lambda: _collected_batch(
            cxio.read_event_log(
                pa.table({"case_id": ["a", "b"], "timestamp": [at[0], "soon"],
                          "status": ["new", "new"]}),
                errors="collect",
            )
        )
    )  # fmt: skip
    case("logs", "message log author 'alien'", err("alien"))(
        lambda: cxio.read_message_log(
            pa.table({"conversation": ["c", "c"], "at": at, "author": ["customer", "alien"]}),
            conversation="conversation",
        )
    )
    case("logs", "message log public 'maybe'", err("maybe"))(
        lambda: cxio.read_message_log(
            pa.table({"conversation": ["c", "c"], "at": at, "author": ["customer", "agent"],
                      "pub": ["true", "maybe"]}),
            conversation="conversation", public="pub",
        )
    )  # fmt: skip
    f = tmp / "events-bad.jsonl"
    f.write_text('{"case_id": "a", "timestamp": "2024-03-01T09:00:00Z", "status": "new"}\n[1]\n')
    case("logs", "event log JSONL line that is an array", err("line 2"))(
        lambda p=f: cxio.read_event_log(p)
    )
    case("dataframes", "interactions call with null talk", err("interactions", "talk"))(
        lambda: cxio.to_ticket_batch(
            pa.table({"id": ["t"], "created_at": [at[0]]}),
            interactions=pa.table({"ticket_id": ["t"], "at": [at[1]], "kind": ["call"],
                                   "talk": pa.array([None], pa.float64())}),
        )
    )  # fmt: skip
    case("dataframes", "dict of calls with 'sixty'", err("talk", "row 1"))(
        lambda: cx.aht({"at": at, "talk": [60, "sixty"]})
    )
    case("dataframes", "polars Datetime(ms) instants", val(timedelta(minutes=30)))(
        lambda: cx.first_response_time(
            cxio.to_ticket_batch(
                pl.DataFrame({"id": ["t"], "created_at": [T0], "first_reply_at":
                              [T0 + timedelta(minutes=30)]}).with_columns(
                    pl.col("created_at").dt.cast_time_unit("ms"),
                    pl.col("first_reply_at").dt.cast_time_unit("ms"))
            )
        )
    )  # fmt: skip
    case("dataframes", "revenue change 'lots'", err("revenue_changes", "revenue"))(
        lambda: cxio.to_customer_table(
            pa.table({"id": ["a"], "since": ["2024-01-01T00:00:00Z"]}),
            revenue_changes=pa.table({"customer_id": ["a"], "at": ["2024-02-01T00:00:00Z"],
                                      "revenue": ["lots"]}),
        )
    )  # fmt: skip
    case("dataframes", "churn of customers with revenue nan is fine", val(0.0))(
        lambda: cx.churn_rate(
            pd.DataFrame({"id": ["a"], "since": ["2023-01-01T00:00:00Z"], "revenue": [math.nan]}),
            window=(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)),
        )
    )  # fmt: skip
    case("dataframes", "nps score 11 in pandas", err("score", "row 1"))(
        lambda: cx.nps(pd.DataFrame({"kind": ["nps", "nps"], "score": [9, 11]}))
    )
    case("dataframes", "survey kind 'happiness'", err("kind", "happiness"))(
        lambda: cx.csat(pd.DataFrame({"kind": ["csat", "happiness"], "score": [5, 4]}))
    )
    case("records", "validate_records collects all", err("position", "1"))(
        lambda: _positions(cx.validate_records, cx.Call, [{"at": T0}, {"at": T0, "talk": "x"}])
    )
    case("records", "Call wait inf", err("wait"))(lambda: cx.Call(at=T0, wait=math.inf))
    case("records", "SurveyResponse score '5'", val(5.0))(
        lambda: cx.SurveyResponse(kind="csat", score="5").score
    )
    f2 = tmp / "second"
    f2.mkdir()
    _write(f2, "surveys.csv", "kind,score\ncsat,5\ncsat,five\ncsat,4\n")
    case("cli", "--errors collect with 'five'", ("cli-collect",), cli=True)(
        lambda p=f2: _cli("report", str(p), "--metrics", "csat", "--format", "csv",
                          "--errors", "collect")
    )  # fmt: skip
    f3 = tmp / "second-calls"
    f3.mkdir()
    _write(f3, "calls.jsonl", '{"at": "2024-03-01T09:00:00Z", "talk": 60}\n'
           '{"at": "2024-03-01T10:00:00Z", "talk": null}\n')  # fmt: skip
    case("cli", "calls.jsonl talk null", err("talk", "calls.jsonl"), cli=True)(
        lambda p=f3: _cli("report", str(p), "--metrics", "aht", "--format", "csv")
    )
    f4 = tmp / "second-dir-missing"
    case("cli", "missing folder", err("second-dir-missing"), cli=True)(
        lambda p=f4: _cli("report", str(p))
    )
    case("cli", "unknown metric", err("csatt"), cli=True)(
        lambda: _cli("report", "--sample", "--metrics", "csatt")
    )
    case("parameters", "csat on a 4-point scale", val(1.0))(lambda: cx.csat([3], scale=4))
    case("parameters", "service_level target -5", err("target"))(
        lambda: cx.service_level([cx.Call(at=T0, wait=5, talk=60)], target=-5)
    )


def _collected_batch(result: Any) -> Any:
    if not isinstance(result, cxio.Collected):
        return ("not collected", result)
    return ("collected", len(result.data.ids), len(result.errors))


def _positions(validate: Any, model: Any, rows: list[dict[str, Any]]) -> Any:
    try:
        return validate(model, rows)
    except cx.RecordValidationError as exc:
        raise cx.RecordValidationError(
            f"{exc} (positions {sorted({p['position'] for p in exc.errors})})", exc.errors
        ) from None


# ---------------------------------------------------------------- run -------------
def classify(c: Case) -> tuple[str, str]:
    """Run a case: its outcome (one of ``OUTCOMES``) and what it gave."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = c.run()
    except Exception as exc:
        if c.cli:
            return "traceback", f"{type(exc).__name__}: {exc}"[:200]
        text = str(exc)
        if c.expect[0] == "error" and isinstance(exc, cx.CXMetricsError | ValueError):
            words = c.expect[1]
            named = all(w.lower() in text.lower() for w in words)
            if named and (isinstance(exc, cx.CXMetricsError) or _pydantic(exc)):
                return "clear error", text.splitlines()[0][:160]
        return "unclear error", f"{type(exc).__name__}: {text}"[:200]
    if c.cli:
        status, out, errs = result
        if "Traceback" in errs:
            return "traceback", errs[-200:]
        if c.expect[0] == "cli-collect":
            ok = (
                status == 0 and "0.5," not in out and "csat,all,1.0," in out and "1 problem" in errs
            )
            return ("correct result" if ok else "silent wrong number"), (out + errs)[:200]
        if c.expect[0] == "cli-ok":
            ok = status == 0 and ("0:30:00" in out or "1800" in out)
            return ("correct result" if ok else "silent wrong number"), (out + errs)[:200]
        lines = errs.strip().splitlines()
        if status == 0:
            return "silent wrong number", out[:200]
        words = c.expect[1]
        good = (
            status == 2
            and len(lines) == 1
            and lines[0].startswith("cxmetrics: error: ")
            and all(w.lower() in lines[0].lower() for w in words)
        )
        return ("clear error" if good else "unclear error"), errs.strip()[:200]
    if c.expect[0] == "value":
        return ("correct result" if _same(result, c.expect[1]) else "silent wrong number"), repr(
            result
        )[:200]
    if c.expect[0] == "collect":
        if not (isinstance(result, tuple) and result and result[0] == "collected"):
            return "silent wrong number", repr(result)[:200]
        _, kept, problems = result
        if kept == c.expect[1] and problems == c.expect[2]:
            return "correct result", repr(result)
        if problems == 0 and kept < c.expect[1] + c.expect[2]:
            return "silent drop", repr(result)
        return "silent wrong number", repr(result)
    return "silent wrong number", repr(result)[:200]


def _pydantic(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("pydantic")


def _same(got: Any, expected: Any) -> bool:
    if isinstance(expected, float) and isinstance(got, float):
        return math.isclose(got, expected, rel_tol=1e-9)
    return bool(got == expected)


def main() -> int:
    """Run the corpus and print the outcomes per area."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="show every failing case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        _frame_cases()
        _record_cases()
        _parameter_cases()
        _file_cases(tmp)
        _cli_cases(tmp)
        _thread_cases()
        _second_round(tmp)
        per_area: dict[str, Counter[str]] = {}
        for c in CASES:
            outcome, detail = classify(c)
            per_area.setdefault(c.area, Counter())[outcome] += 1
            if args.verbose and outcome not in ("clear error", "correct result"):
                print(f"[{outcome}] {c.area}: {c.name}\n    {detail}")
    total: Counter[str] = Counter()
    print(f"{'area':<12}{'cases':>6}  " + "  ".join(f"{o:>10}" for o in OUTCOMES))
    for area, counts in per_area.items():
        total.update(counts)
        size = sum(counts.values())
        print(f"{area:<12}{size:>6}  " + "  ".join(f"{counts[o]:>10}" for o in OUTCOMES))
    print(
        f"{'total':<12}{sum(total.values()):>6}  " + "  ".join(f"{total[o]:>10}" for o in OUTCOMES)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
