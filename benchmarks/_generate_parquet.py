"""Generated own-schema Parquet files of any size, written chunk by chunk.

    python benchmarks/_generate_parquet.py --tickets 20000000 --data /tmp/scale

``cxmetrics.datasets.generate`` builds a data set in memory, about 2.4 KiB a
ticket once written and read back, so 20M tickets (about 90M history rows) cannot
be built in one process. Here the set is built ``chunk`` tickets at a time,
``generate(chunk, seed=seed * 100_000 + i)`` for chunk ``i``, and each table's
rows are appended to that table's one file with ``pyarrow.parquet.ParquetWriter``
(one file per table, as ``cxmetrics.io.write_parquet`` writes and every reader
of the scaling benchmark takes). The peak is one chunk, whatever the size.

Ids are made unique across chunks by a prefix of the chunk's number (``007T0000042``
for ticket ``T0000042`` of chunk 7; the same for customer ids), so **a customer
never spans two chunks**: each chunk has its own ``chunk // 3`` customers over the
same two-year window, which keeps ``generate``'s tickets per customer and rows per
ticket (``--check`` compares them with one ``generate`` call of the same size).

A ``manifest.json`` written last marks a complete set; a folder whose manifest
has the same size, seed and chunk is reused as it is.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

#: Columns holding a ticket or customer id, made unique across chunks.
ID_COLUMNS = ("id", "ticket_id", "customer_id")
DEFAULT_CHUNK = 500_000


def folder_for(root: Path, size: int, seed: int = 1, chunk: int = DEFAULT_CHUNK) -> Path:
    """The folder of the data set of ``size`` tickets under ``root``."""
    return root / f"tickets-{size}-seed{seed}-chunk{chunk}"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prefixed(table: Any, prefix: str) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in ID_COLUMNS:
        if name in table.schema.names:
            column = table[name].cast(pa.string())
            joined = pc.binary_join_element_wise(pa.scalar(prefix), column, "")
            table = table.set_column(table.schema.get_field_index(name), name, joined)
    return table


def _manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None


def generate_parquet(
    root: Path, size: int, *, seed: int = 1, chunk: int = DEFAULT_CHUNK, verbose: bool = True
) -> Path:
    """Write (or reuse) the data set of ``size`` tickets; return its folder."""
    import pyarrow.parquet as pq

    from cxmetrics.datasets import generate
    from cxmetrics.io import write_parquet

    folder = folder_for(root, size, seed, chunk)
    wanted = {"tickets": size, "seed": seed, "chunk": chunk}
    done = _manifest(folder)
    if done is not None and all(done.get(k) == v for k, v in wanted.items()):
        if verbose:
            print(f"reusing {folder}", flush=True)
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    writers: dict[str, Any] = {}
    rows: dict[str, int] = {}
    start = time.perf_counter()
    n_chunks = -(-size // chunk)
    try:
        for i in range(n_chunks):
            n = min(chunk, size - i * chunk)
            data = generate(n, seed=seed * 100_000 + i)
            with tempfile.TemporaryDirectory(dir=root) as scratch:
                write_parquet(scratch, tickets=data.tickets, surveys=data.surveys.to_table())
                del data
                for path in sorted(Path(scratch).glob("*.parquet")):
                    table = _prefixed(pq.read_table(path), f"{i:03d}")
                    writer = writers.get(path.stem)
                    if writer is None:
                        writer = pq.ParquetWriter(folder / path.name, table.schema)
                        writers[path.stem] = writer
                    # The first chunk's schema for all: an all-null column stays typed.
                    writer.write_table(table.cast(writer.schema), row_group_size=1 << 20)
                    rows[path.stem] = rows.get(path.stem, 0) + table.num_rows
            if verbose:
                print(
                    f"chunk {i + 1}/{n_chunks}: {(i + 1) * chunk if i + 1 < n_chunks else size:,} "
                    f"tickets, {time.perf_counter() - start:.0f} s, peak {_peak_mib():,.0f} MiB",
                    flush=True,
                )
    finally:
        for writer in writers.values():
            writer.close()
    manifest = {**wanted, "rows": rows, "seconds": time.perf_counter() - start}
    manifest["generation_peak_mib"] = _peak_mib()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return folder


def rows_per_ticket(folder: Path) -> dict[str, float]:
    """Rows of each table per ticket, from the files' metadata."""
    import pyarrow.parquet as pq

    counts = {p.stem: pq.ParquetFile(p).metadata.num_rows for p in folder.glob("*.parquet")}
    return {name: rows / counts["tickets"] for name, rows in sorted(counts.items())}


def check(root: Path, size: int, seed: int, chunk: int) -> None:
    """Compare rows per ticket (and tickets per customer) with one ``generate`` call."""
    import pyarrow.parquet as pq

    from cxmetrics.datasets import generate
    from cxmetrics.io import write_parquet

    chunked = generate_parquet(root, size, seed=seed, chunk=chunk, verbose=False)
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        data = generate(size, seed=seed)
        write_parquet(scratch, tickets=data.tickets, surveys=data.surveys.to_table())
        del data
        whole = rows_per_ticket(Path(scratch))
        one_shot = pq.read_table(Path(scratch) / "tickets.parquet", columns=["customer_id"])
        whole["tickets per customer"] = size / len(one_shot["customer_id"].unique())
    parts = rows_per_ticket(chunked)
    customers = pq.read_table(chunked / "tickets.parquet", columns=["customer_id"])
    parts["tickets per customer"] = size / len(customers["customer_id"].unique())
    print(f"{'table':>22} {'generate(n)':>12} {'chunked':>9}")
    for name in whole:
        print(f"{name:>22} {whole[name]:>12.3f} {parts[name]:>9.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, nargs="+", required=True)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "scale")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    parser.add_argument(
        "--check", action="store_true", help="compare rows per ticket with one generate call"
    )
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    for size in args.tickets:
        if args.check:
            check(args.data, size, args.seed, args.chunk)
        else:
            folder = generate_parquet(args.data, size, seed=args.seed, chunk=args.chunk)
            print(json.dumps(_manifest(folder)), flush=True)


if __name__ == "__main__":
    main()
