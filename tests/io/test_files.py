"""Own-schema files: what a writer writes, the reader reads back equal, in every format."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cxmetrics import RecordValidationError, Ticket
from cxmetrics.datasets import generate
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io.files import read_files, write_csv, write_jsonl, write_parquet
from cxmetrics.tables.schema import records_to_table
from cxmetrics.tables.ticket_batch import TicketBatch

from tests.io.helpers import assert_same_batch
from tests.strategies import ticket_lists

pytest.importorskip("pyarrow")

WRITERS = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_round_trip(tmp_path: Path, fmt: str) -> None:
    data = generate(120, seed=7)
    surveys = records_to_table("surveys", data.surveys.to_records())
    calls = data.calls.to_records()
    customers = data.customers.to_records()
    written = WRITERS[fmt](
        tmp_path, tickets=data.tickets, surveys=surveys, calls=calls, customers=customers
    )
    assert {p.name.split(".")[0] for p in written} >= {"tickets", "interactions", "surveys"}
    back = read_files(tmp_path)
    assert back.tickets is not None
    assert_same_batch(data.tickets, back.tickets)
    for kind, original in (
        ("surveys", surveys),
        ("calls", records_to_table("calls", calls)),
        ("customers", records_to_table("customers", customers)),
    ):
        table = getattr(back, kind)
        for column, values in original.columns.items():
            if column == "ticket_id" and kind == "calls":
                continue
            ours = table[column]
            if values.dtype.kind == "f":
                np.testing.assert_allclose(ours.astype(float), values, rtol=0, atol=1e-6)
            else:
                assert ours.tolist() == values.tolist(), (kind, column)


def test_missing_and_unnamed_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nothing\.csv"):
        read_files(tmp_path / "nothing.csv")
    (tmp_path / "export.csv").write_text("id,created_at\nA,2024-03-04T09:00:00Z\n")
    with pytest.raises(InvalidParameterError, match="cannot tell which table"):
        read_files(tmp_path / "export.csv")


def test_bad_rows_name_their_file(tmp_path: Path) -> None:
    (tmp_path / "tickets.csv").write_text(
        "id,created_at,status\nA,2024-03-04T09:00:00Z,open\nB,2024-03-04T09:00:00Z,done\n"
    )
    (tmp_path / "surveys.csv").write_text("kind,score\ncsat,4\nnps,12\n")
    with pytest.raises(RecordValidationError, match="done"):
        read_files(tmp_path)
    loaded = read_files(tmp_path, errors="collect")
    assert loaded.tickets is not None and loaded.tickets.ids.tolist() == ["A"]
    assert loaded.surveys is not None and loaded.surveys["score"].tolist() == [4.0]
    assert sorted(str(e["type"]) for e in loaded.errors) == ["literal_error", "score_out_of_scale"]
    assert any(str(e.get("file", "")).endswith("surveys.csv") for e in loaded.errors)


@settings(max_examples=15)
@given(ticket_lists(max_size=6), st.sampled_from(sorted(WRITERS)))
def test_random_histories_round_trip(tickets: list[Ticket], fmt: str) -> None:
    assume(tickets)
    expected = TicketBatch.from_tickets(tickets)
    with tempfile.TemporaryDirectory() as folder:
        WRITERS[fmt](folder, tickets=tickets)
        back = read_files(folder)
    assert back.tickets is not None
    assert_same_batch(expected, back.tickets)
