"""The scaling benchmark's chunked data sets: the chunks' rows, ids unique, reused."""

from __future__ import annotations

from pathlib import Path

import pytest

pq = pytest.importorskip("pyarrow.parquet")

from benchmarks._generate_parquet import folder_for, generate_parquet  # noqa: E402

from cxmetrics import FCR, ContactRate  # noqa: E402
from cxmetrics.datasets import generate  # noqa: E402
from cxmetrics.io import read_parquet, write_parquet  # noqa: E402

IDS = ("id", "ticket_id", "customer_id")


def _chunks(tmp_path: Path, size: int, chunk: int) -> list[Path]:
    """Each chunk written alone by ``write_parquet``, the oracle of the chunked set."""
    folders = []
    for i in range(-(-size // chunk)):
        data = generate(min(chunk, size - i * chunk), seed=100_000 + i)
        folder = tmp_path / f"chunk{i}"
        write_parquet(folder, tickets=data.tickets, surveys=data.surveys.to_table())
        folders.append(folder)
    return folders


def test_chunked_set_is_the_chunks_with_unique_ids(tmp_path: Path) -> None:
    folder = generate_parquet(tmp_path, 250, seed=1, chunk=100, verbose=False)
    assert folder == folder_for(tmp_path, 250, 1, 100)
    chunks = _chunks(tmp_path, 250, 100)
    for path in folder.glob("*.parquet"):
        whole = pq.read_table(path)
        parts = [pq.read_table(c / path.name) for c in chunks]
        assert whole.num_rows == sum(p.num_rows for p in parts)
        # Row for row the chunks' rows, ids prefixed by the chunk's number.
        expected = [
            {k: (f"{i:03d}{v}" if k in IDS and v is not None else v) for k, v in row.items()}
            for i, part in enumerate(parts)
            for row in part.to_pylist()
        ]
        assert whole.to_pylist() == expected
    tickets = pq.read_table(folder / "tickets.parquet")
    assert len(tickets["id"].unique()) == 250
    # A customer never spans two chunks.
    owners = {}
    pairs = zip(tickets["id"].to_pylist(), tickets["customer_id"].to_pylist(), strict=True)
    for ticket, customer in pairs:
        assert owners.setdefault(customer, ticket[:3]) == ticket[:3]


def test_metrics_over_the_set_merge_the_chunks(tmp_path: Path) -> None:
    folder = generate_parquet(tmp_path, 250, seed=1, chunk=100, verbose=False)
    whole = read_parquet(folder).tickets
    folders = _chunks(tmp_path, 250, 100)
    chunks = [read_parquet(c).tickets for c in folders]
    merged = FCR()
    for chunk in chunks:
        part = FCR()
        part.update(chunk)
        merged.merge(part.state)
    one = FCR()
    one.update(whole)
    assert one.compute().value == merged.compute().value
    # Customers of different chunks are different customers.
    ids = [pq.read_table(c / "tickets.parquet")["customer_id"] for c in folders]
    assert all(column.null_count == 0 for column in ids)
    customers = sum(len(column.unique()) for column in ids)
    rate = ContactRate()
    rate.update(whole)
    assert rate.compute().value == pytest.approx(250 / customers, rel=1e-12)


def test_a_complete_set_is_reused(tmp_path: Path) -> None:
    folder = generate_parquet(tmp_path, 120, seed=2, chunk=100, verbose=False)
    stamp = (folder / "tickets.parquet").stat().st_mtime_ns
    assert generate_parquet(tmp_path, 120, seed=2, chunk=100, verbose=False) == folder
    assert (folder / "tickets.parquet").stat().st_mtime_ns == stamp
    (folder / "manifest.json").unlink()  # an interrupted run: written again
    generate_parquet(tmp_path, 120, seed=2, chunk=100, verbose=False)
    assert (folder / "manifest.json").exists()
