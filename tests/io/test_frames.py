"""DataFrame input: the same batch and the same numbers from records and every backend."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cxmetrics import (
    Call,
    Customer,
    Message,
    RecordValidationError,
    StatusChange,
    SurveyResponse,
    Ticket,
    ces,
    csat,
    fcr_rate,
    first_response_time,
    nps,
    report,
    resolution_time,
)
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io.files import read_files
from cxmetrics.metrics.aht import aht
from cxmetrics.metrics.churn import churn_rate
from cxmetrics.tables.record_frames import to_call_table, to_customer_table, to_survey_table
from cxmetrics.tables.schema import Collected, records_to_table
from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tables.ticket_frames import to_ticket_batch
from cxmetrics.tickets import ticket_metrics

from tests.io.helpers import BACKENDS, assert_same_batch, frame, frames
from tests.strategies import ticket_lists

T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)


@given(ticket_lists(max_size=8), st.sampled_from(BACKENDS))
def test_tables_give_the_batch_of_the_records(tickets: list[Ticket], backend: str) -> None:
    pytest.importorskip(backend)
    assume(tickets)  # an empty table has no columns to read
    expected = TicketBatch.from_tickets(tickets)
    tables = frames(tickets, backend)
    batch = to_ticket_batch(tables.pop("tickets"), **tables)
    assert_same_batch(expected, batch)
    ours, theirs = ticket_metrics(batch), ticket_metrics(expected)
    for column in ("first_reply", "full_resolution", "replies", "reopens"):
        np.testing.assert_array_equal(ours[column], theirs[column])


def _flat(n: int) -> list[Ticket]:
    out = []
    for i in range(n):
        created = T0 + timedelta(hours=i)
        out.append(
            Ticket(
                id=f"T{i}",
                created_at=created,
                first_reply_at=created + timedelta(minutes=7 * i + 1) if i % 3 else None,
                solved_at=created + timedelta(hours=i + 1) if i % 2 else None,
                status="solved" if i % 2 else "open",
            )
        )
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_liners_take_a_flat_tickets_table(backend: str) -> None:
    pytest.importorskip(backend)
    tickets = _flat(9)
    table = frames(tickets, backend)["tickets"]
    assert first_response_time(table) == first_response_time(tickets)
    assert resolution_time(table, statistic="median") == resolution_time(
        tickets, statistic="median"
    )
    assert fcr_rate(table) == fcr_rate(tickets)
    np.testing.assert_array_equal(
        ticket_metrics(table)["first_reply"], ticket_metrics(tickets)["first_reply"]
    )


scores = st.lists(st.integers(1, 5), min_size=1, max_size=30)


@given(scores, st.lists(st.integers(0, 10), min_size=1, max_size=30), st.sampled_from(BACKENDS))
def test_survey_metrics_agree_on_records_and_tables(
    five: list[int], ten: list[int], backend: str
) -> None:
    pytest.importorskip(backend)
    records = [SurveyResponse(kind="csat", score=s) for s in five]
    records += [SurveyResponse(kind="nps", score=s) for s in ten]
    records += [SurveyResponse(kind="ces", score=min(s + 2, 7)) for s in five]
    rows = [{"kind": r.kind, "score": r.score, "scale": r.scale} for r in records]
    table = frame(rows, backend)
    csat_records = [r for r in records if r.kind == "csat"]
    assert csat(table) == csat(csat_records)
    assert nps(table) == nps([r for r in records if r.kind == "nps"])
    assert ces(table) == ces([r for r in records if r.kind == "ces"])


def test_survey_table_on_another_scale_is_refused() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"kind": ["csat", "csat"], "score": [4, 9], "scale": [5, 10]})
    with pytest.raises(ValueError, match=r"1 csat answer\(s\) are on another scale"):
        csat(table)


@given(
    st.lists(
        st.tuples(st.integers(0, 600), st.integers(0, 900), st.booleans(), st.integers(0, 10**5)),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(BACKENDS),
)
def test_aht_agrees_on_records_and_tables(
    rows: list[tuple[int, int, bool, int]], backend: str
) -> None:
    pytest.importorskip(backend)
    calls = [
        Call(at=T0 + timedelta(seconds=s), wait=w, talk=0 if a else t, abandoned=a)
        for t, w, a, s in rows
    ]
    table = frame(
        [{"at": c.at, "wait": c.wait.total_seconds(), "talk": c.talk.total_seconds(),
          "abandoned": c.abandoned} for c in calls],
        backend,
    )  # fmt: skip
    if all(c.abandoned for c in calls):
        return
    assert aht(table) == aht(calls)


@pytest.mark.parametrize("backend", BACKENDS)
def test_churn_agrees_on_records_and_tables(backend: str) -> None:
    pytest.importorskip(backend)
    jan = datetime(2024, 1, 1, tzinfo=timezone.utc)
    customers = [
        Customer(id=f"c{i}", since=jan - timedelta(days=30 + i),
                 until=jan + timedelta(days=3 * i) if i % 3 == 0 else None,
                 segment="pro" if i % 2 else None, revenue=float(i))
        for i in range(12)
    ]  # fmt: skip
    table = frame(
        [{"id": c.id, "since": c.since, "until": c.until, "segment": c.segment,
          "revenue": c.revenue} for c in customers],
        backend,
    )  # fmt: skip
    feb = jan + timedelta(days=31)
    assert churn_rate(table, window=(jan, feb)) == churn_rate(customers, window=(jan, feb))
    assert churn_rate(table, window=(jan, feb), by_segment=True) == churn_rate(
        customers, window=(jan, feb), by_segment=True
    )


# --- validation ------------------------------------------------------------------------


def _bad_tickets() -> dict[str, object]:
    pa = pytest.importorskip("pyarrow")
    tickets = pa.table(
        {
            "id": ["A", "B", "C", "D", "D", "E"],
            "created_at": ["2024-03-04T09:00:00Z"] * 4 + ["2024-03-04T09:00:00Z", "not a date"],
            "status": ["open", "finished", "open", "open", "open", "open"],
            "priority": ["high", None, "urgent", None, None, None],
        }
    )
    messages = pa.table(
        {
            "ticket_id": ["A", "C", "Z"],
            "at": ["2024-03-04T08:00:00Z", "2024-03-04T10:00:00Z", "2024-03-04T10:00:00Z"],
            "author": ["agent", "robot", "agent"],
        }
    )
    return {"tickets": tickets, "messages": messages}


def test_every_bad_row_is_named_with_the_models_codes() -> None:
    data = _bad_tickets()
    with pytest.raises(RecordValidationError) as caught:
        to_ticket_batch(data.pop("tickets"), **data)
    found = {(e["id"], e["field"], e["type"]) for e in caught.value.errors}
    assert found == {
        ("B", "status", "literal_error"),
        ("D", "id", "duplicate_id"),
        ("E", "created_at", "datetime_parsing"),
        ("A", "messages.at", "before_creation"),
        ("C", "messages.author", "literal_error"),
        ("Z", "messages.ticket_id", "unknown_ticket"),
    }
    assert "finished" in str(caught.value)


def test_collect_keeps_the_good_tickets_whole() -> None:
    data = _bad_tickets()
    result = to_ticket_batch(data.pop("tickets"), **data, errors="collect")
    assert isinstance(result, Collected)
    assert result.data.ids.tolist() == []  # every ticket has a problem
    pa = pytest.importorskip("pyarrow")
    tickets = pa.table({"id": ["ok", "late"], "created_at": ["2024-03-04T09:00:00Z"] * 2})
    msgs = pa.table(
        {"ticket_id": ["ok", "late"], "at": ["2024-03-04T09:30:00Z", "2024-03-04T08:00:00Z"],
         "author": ["agent", "agent"]}
    )  # fmt: skip
    result = to_ticket_batch(tickets, messages=msgs, errors="collect")
    assert result.data.ids.tolist() == ["ok"]
    assert len(result.data.interactions) == 1
    assert [e["id"] for e in result.errors] == ["late"]


def test_naive_instants_need_a_timezone() -> None:
    pd = pytest.importorskip("pandas")
    tickets = pd.DataFrame({"id": ["A"], "created_at": [datetime(2024, 7, 1, 12)]})
    with pytest.raises(RecordValidationError, match="naive") as caught:
        to_ticket_batch(tickets)
    assert caught.value.errors[0]["type"] == "naive_datetime"
    batch = to_ticket_batch(tickets, timezone="Europe/Paris")
    assert batch.created_at.tolist() == [datetime(2024, 7, 1, 10, tzinfo=timezone.utc).timestamp()]


def test_column_mapping_per_table() -> None:
    pl = pytest.importorskip("polars")
    tickets = pl.DataFrame({"key": ["A"], "opened": [T0]})
    events = pl.DataFrame({"case": ["A"], "when": [T0 + timedelta(hours=1)], "state": ["solved"]})
    batch = to_ticket_batch(
        tickets,
        status_changes=events,
        columns={
            "tickets": {"id": "key", "created_at": "opened"},
            "status_changes": {"ticket_id": "case", "at": "when", "status": "state"},
        },
    )
    assert batch.status.tolist() == [4]  # follows the last change: solved
    with pytest.raises(InvalidParameterError, match="no column 'created_at'"):
        to_ticket_batch(tickets, columns={"id": "key"})


def test_milestone_contradicting_the_history_is_refused_like_the_model() -> None:
    pa = pytest.importorskip("pyarrow")
    tickets = pa.table(
        {"id": ["A"], "created_at": [T0], "first_reply_at": [T0 + timedelta(hours=2)]}
    )
    msgs = pa.table({"ticket_id": ["A"], "at": [T0 + timedelta(hours=1)], "author": ["agent"]})
    with pytest.raises(RecordValidationError) as caught:
        to_ticket_batch(tickets, messages=msgs)
    assert caught.value.errors[0]["type"] == "milestone_contradicts_history"
    with pytest.raises(ValueError, match="is not the time of any public agent"):
        Ticket(
            id="A", created_at=T0, first_reply_at=T0 + timedelta(hours=2),
            interactions=[Message(at=T0 + timedelta(hours=1), author="agent")],
        )  # fmt: skip


def test_closed_is_final_in_tables_too() -> None:
    pa = pytest.importorskip("pyarrow")
    tickets = pa.table({"id": ["A"], "created_at": [T0]})
    changes = pa.table(
        {"ticket_id": ["A", "A"], "at": [T0 + timedelta(hours=1), T0 + timedelta(hours=2)],
         "status": ["closed", "open"]}
    )  # fmt: skip
    with pytest.raises(RecordValidationError) as caught:
        to_ticket_batch(tickets, status_changes=changes)
    assert [e["type"] for e in caught.value.errors] == ["invalid_status_sequence"]
    with pytest.raises(ValueError, match="closed is final"):
        Ticket(id="A", created_at=T0, status_changes=[
            StatusChange(at=T0 + timedelta(hours=1), status="closed"),
            StatusChange(at=T0 + timedelta(hours=2), status="open")])  # fmt: skip


def test_record_tables_validate_like_the_models() -> None:
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(RecordValidationError) as caught:
        to_survey_table(pa.table({"kind": ["nps", "ces", "csat"], "score": [11, 3, 2.5]}))
    assert [(e["position"], e["type"]) for e in caught.value.errors] == [
        (0, "score_out_of_scale"),
        (2, "score_out_of_scale"),
    ]
    with pytest.raises(RecordValidationError) as caught:
        to_call_table(
            pa.table({"id": ["c1", "c2"], "at": [T0, T0], "talk": [-1, 5],
                      "abandoned": [False, True]})
        )  # fmt: skip
    assert [(e["id"], e["type"]) for e in caught.value.errors] == [
        ("c1", "negative_duration"),
        ("c2", "answered_and_abandoned"),
    ]
    collected = to_customer_table(
        pa.table({"id": ["u1", "u2"], "since": [T0, T0], "until": [T0 - timedelta(days=1), None]}),
        errors="collect",
    )
    assert collected.data["id"].tolist() == ["u2"]
    assert collected.errors[0]["type"] == "left_before_joining"


def test_grouped_and_shuffled_histories_link_the_same() -> None:
    # Grouped histories are linked by runs of ids, shuffled ones by a dictionary.
    pa = pytest.importorskip("pyarrow")
    from cxmetrics.datasets import generate
    from cxmetrics.tables.schema import batch_to_tables

    batch = generate(200, seed=5).tickets
    tables = {name: pa.table(cols) for name, cols in batch_to_tables(batch).items()}
    tickets = tables.pop("tickets")
    grouped = to_ticket_batch(tickets, **tables)
    rng = np.random.default_rng(0)

    def interleave(table: pa.Table) -> pa.Table:
        # Rows of different tickets interleaved at random; each ticket's rows keep
        # their order (file order breaks ties in time).
        codes = np.unique(np.array(table["ticket_id"].to_pylist()), return_inverse=True)[1]
        keys = rng.random(table.num_rows)
        keys = keys[np.lexsort((keys, codes))]  # rows are grouped by ticket already
        return table.take(np.argsort(keys))

    shuffled = {name: interleave(t) for name, t in tables.items()}
    assert shuffled["interactions"]["ticket_id"] != tables["interactions"]["ticket_id"]
    assert_same_batch(batch, grouped)
    assert_same_batch(batch, to_ticket_batch(tickets, **shuffled))
    # A run naming an unknown ticket is reported on each of its rows.
    ids = tables["interactions"]["ticket_id"].to_pylist()
    first = ids[0]
    renamed = ["nope" if i == first else i for i in ids]
    broken = tables["interactions"].set_column(0, "ticket_id", pa.array(renamed))
    with pytest.raises(RecordValidationError) as caught:
        to_ticket_batch(tickets, interactions=broken)
    assert {e["id"] for e in caught.value.errors} == {"nope"}
    assert len(caught.value.errors) == ids.count(first)


# --- fast paths: every way of reading a table gives the same batch and problems ---------


def _own_tables(n: int, seed: int) -> tuple[TicketBatch, dict[str, Any]]:
    pa = pytest.importorskip("pyarrow")
    from cxmetrics.datasets import generate
    from cxmetrics.tables.schema import batch_to_tables

    batch = generate(n, seed=seed).tickets
    return batch, {name: pa.table(cols) for name, cols in batch_to_tables(batch).items()}


def test_row_groups_give_the_batch_of_one_chunk(tmp_path: Path) -> None:
    # Small row groups: runs of one ticket's rows cross chunk boundaries, and each
    # chunk of a text column has its own dictionary, as Parquet files are read.
    pq = pytest.importorskip("pyarrow.parquet")
    batch, tables = _own_tables(150, seed=3)
    for name, table in tables.items():
        pq.write_table(table, tmp_path / f"{name}.parquet", row_group_size=7)
    back = read_files(tmp_path)
    assert back.tickets is not None
    assert_same_batch(batch, back.tickets)
    chunked = {name: t.combine_chunks().to_batches(max_chunksize=5) for name, t in tables.items()}
    pa = pytest.importorskip("pyarrow")
    rebuilt = {name: pa.Table.from_batches(b) for name, b in chunked.items()}
    assert_same_batch(batch, to_ticket_batch(rebuilt.pop("tickets"), **rebuilt))


def _renamed(tables: dict[str, Any], rename: Any) -> dict[str, Any]:
    pa = pytest.importorskip("pyarrow")
    out = {}
    for name, table in tables.items():
        column = "id" if name == "tickets" else "ticket_id"
        ids = [rename(i) for i in table[column].to_pylist()]
        out[name] = table.set_column(table.schema.get_field_index(column), column, pa.array(ids))
    return out


@pytest.mark.parametrize(
    "rename",
    [
        lambda i: i,  # one width, sorted: compared as machine words, found by binary search
        lambda i: i.lstrip("T0") or "0",  # widths vary, not sorted as text: hashed
        lambda i: "X" + i[::-1],  # one width, not sorted: hashed
    ],
)
def test_id_shapes_give_the_same_batch_and_problems(rename: Any) -> None:
    pa = pytest.importorskip("pyarrow")
    batch, tables = _own_tables(120, seed=11)
    tables = _renamed(tables, rename)
    tickets = tables.pop("tickets")
    expected = batch.with_(ids=np.array([rename(i) for i in batch.ids], dtype=object))
    assert_same_batch(expected, to_ticket_batch(tickets, **tables))
    # Drop two tickets: their rows are reported, by id, whichever way ids are looked up.
    gone = {rename("T0000004"), rename("T0000077")}
    kept = tickets.filter(pa.array([i not in gone for i in tickets["id"].to_pylist()]))
    with pytest.raises(RecordValidationError) as caught:
        to_ticket_batch(kept, **tables)
    reported = {(e["id"], e["field"]) for e in caught.value.errors}
    assert {e["type"] for e in caught.value.errors} == {"unknown_ticket"}
    expected_rows = {
        (i, f"{name}.ticket_id")
        for name, table in tables.items()
        for i in table["ticket_id"].to_pylist()
        if i in gone
    }
    assert reported == expected_rows
    counted = sum(i in gone for t in tables.values() for i in t["ticket_id"].to_pylist())
    assert len(caught.value.errors) == counted


@pytest.mark.parametrize("in_order", [True, False])
def test_events_before_creation_are_found_in_and_out_of_order(in_order: bool) -> None:
    pa = pytest.importorskip("pyarrow")
    tickets = pa.table({"id": ["A", "B", "C"], "created_at": [T0, T0, T0]})
    hour = timedelta(hours=1)
    # B's early row is its first (times in order) or its second (times go back).
    b_times = [T0 - hour, T0 + hour] if in_order else [T0 + hour, T0 - hour]
    changes = pa.table(
        {"ticket_id": ["A", "A", "B", "B", "C"],
         "at": [T0, T0 + hour, *b_times, T0 + 2 * hour],
         "status": ["open", "pending", "open", "solved", "open"]}
    )  # fmt: skip
    with pytest.raises(RecordValidationError) as caught:
        to_ticket_batch(tickets, status_changes=changes)
    assert [(e["position"], e["id"], e["type"]) for e in caught.value.errors] == [
        (2 if in_order else 3, "B", "before_creation")
    ]
    result = to_ticket_batch(tickets, status_changes=changes, errors="collect")
    assert result.data.ids.tolist() == ["A", "C"]
    assert result.data.status_changes.offsets.tolist() == [0, 2, 3]


def test_a_pyarrow_read_does_not_import_pandas(tmp_path: Path) -> None:
    import subprocess
    import sys

    from cxmetrics.datasets import generate
    from cxmetrics.io.files import write_parquet

    data = generate(40, seed=1)
    write_parquet(tmp_path, tickets=data.tickets, surveys=records_to_table(
        "surveys", data.surveys.to_records()))  # fmt: skip
    code = (
        "import sys; from cxmetrics.io import read_parquet; "
        f"data = read_parquet({str(tmp_path)!r}); "
        "assert len(data.tickets) == 40, len(data.tickets); "
        "print('pandas' in sys.modules)"
    )
    import os

    import cxmetrics

    # The child imports this very package, wherever it was imported from here.
    source = str(Path(cxmetrics.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
        env=env,
    )  # fmt: skip
    assert done.stdout.strip() == "False"


def test_shuffled_rows_give_the_same_problems_and_good_tickets() -> None:
    # Grouped rows take the run paths (links, order, creation checks); shuffled rows
    # the hashed and sorted ones. Which problems are found cannot depend on it.
    pa = pytest.importorskip("pyarrow")
    _, tables = _own_tables(200, seed=9)
    rng = np.random.default_rng(3)

    def spoil(name: str, column: str, values: list[Any], k: int = 6) -> None:
        table = tables[name]
        cells = table[column].to_pylist()
        for i in rng.choice(len(cells), size=min(k, len(cells)), replace=False).tolist():
            cells[i] = values[int(rng.integers(len(values)))]
        index = table.schema.get_field_index(column)
        tables[name] = table.set_column(index, column, pa.array(cells, table[column].type))

    spoil("interactions", "author", ["robot", None, "Agent", " bot "])
    spoil("interactions", "ticket_id", ["nope", None, "T0000005"])
    spoil("interactions", "wait", [-5.0, 3.0])
    spoil("status_changes", "status", ["finished", "closed", "open", None])
    spoil("status_changes", "ticket_id", ["zzz", None])
    spoil("assignments", "at", [None])
    spoil("priority_changes", "priority", ["meh", None])
    spoil("tags", "ticket_id", ["ghost"])
    tickets = tables.pop("tickets")
    grouped = to_ticket_batch(tickets, **tables, errors="collect")

    def interleave(table: Any) -> Any:
        # Tickets' rows interleaved at random, each ticket's own rows in file order
        # (which is what orders tags, and breaks ties in time).
        ids = np.array([str(i) for i in table["ticket_id"].to_pylist()])
        codes = np.unique(ids, return_inverse=True)[1]
        keys = rng.random(table.num_rows)
        keys[np.argsort(codes, kind="stable")] = keys[np.lexsort((keys, codes))]
        return table.take(pa.array(np.argsort(keys)))

    shuffled = {k: interleave(v) for k, v in tables.items()}
    assert shuffled["interactions"]["ticket_id"] != tables["interactions"]["ticket_id"]
    mixed = to_ticket_batch(tickets, **shuffled, errors="collect")

    def found(result: Collected) -> list[tuple[Any, ...]]:
        return sorted((str(e["id"]), e["field"], e["type"], str(e["input"])) for e in result.errors)

    assert found(grouped) == found(mixed)
    assert {e["type"] for e in grouped.errors} >= {
        "literal_error", "unknown_ticket", "negative_duration", "missing",
    }  # fmt: skip
    assert_same_batch(grouped.data, mixed.data)


# Issue 13: no silent wrong number on the DataFrame path.
def _frame(backend: str, columns: dict[str, list[Any]]) -> Any:
    n = len(next(iter(columns.values())))
    return frame([{k: v[i] for k, v in columns.items()} for i in range(n)], backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unreadable_score_is_reported_not_nan(backend: str) -> None:
    table = _frame(backend, {"kind": ["csat", "csat", "csat"], "score": ["5", "five", "4"]})
    with pytest.raises(RecordValidationError, match=r"surveys row 1: surveys.score: .*'five'"):
        csat(table)
    collected = to_survey_table(table, errors="collect")
    assert [(p["position"], p["type"]) for p in collected.errors] == [(1, "float_parsing")]
    assert csat(collected.data) == csat([5, 4])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_null_call_duration_is_a_problem_everywhere(backend: str) -> None:
    table = _frame(backend, {"at": ["2024-03-01T09:00:00Z"] * 2, "id": ["a", "b"],
                            "talk": [60.0, None]})  # fmt: skip
    for read in (aht, to_call_table, lambda t: report(calls=t, metrics=["aht"])):
        with pytest.raises(RecordValidationError, match=r"calls row 1 \(id='b'\): calls.talk"):
            read(table)
    collected = to_call_table(table, errors="collect")
    assert [p["id"] for p in collected.errors] == ["b"]
    assert aht(collected.data) == timedelta(seconds=60)


@pytest.mark.parametrize("backend", BACKENDS)
def test_epoch_milliseconds_are_read_as_the_models_read_them(backend: str) -> None:
    created = 1709283600
    table = _frame(backend, {"id": ["t1"], "created_at": [created * 1000],
                            "first_reply_at": [(created + 1800) * 1000]})  # fmt: skip
    batch = to_ticket_batch(table)
    assert batch.created_at.tolist() == [float(created)]
    record = Ticket(id="t1", created_at=created * 1000)
    assert record.created_at.timestamp() == batch.created_at[0]


@pytest.mark.parametrize("value", [float("inf"), 1e20, -1e20])
def test_implausible_numeric_instants_are_named(value: float) -> None:
    table = _frame("pyarrow", {"id": ["t1"], "created_at": [value]})
    with pytest.raises(RecordValidationError, match=r"tickets row 0 \(id='t1'\): created_at"):
        to_ticket_batch(table)


def test_a_mixed_id_column_is_read_as_text() -> None:
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame({"id": [3.0, "3x"], "kind": ["csat", "csat"], "score": [5, 4]})
    assert to_survey_table(table)["id"].tolist() == ["3.0", "3x"]
