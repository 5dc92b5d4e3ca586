"""Regenerate the bundled sample in src/cxmetrics/datasets/data (deterministic)."""

from __future__ import annotations

from pathlib import Path

from cxmetrics.datasets import generate
from cxmetrics.datasets.sample import SAMPLE_SPEC, dump_jsonl_gz

OUT = Path(__file__).resolve().parents[1] / "src" / "cxmetrics" / "datasets" / "data"


def main() -> None:
    """Write the five sample files and print their sizes."""
    data = generate(**SAMPLE_SPEC)
    OUT.mkdir(parents=True, exist_ok=True)
    dump_jsonl_gz(list(data.ticket_records()), OUT / "tickets.jsonl.gz")
    dump_jsonl_gz(list(data.surveys.to_records()), OUT / "surveys.jsonl.gz")
    dump_jsonl_gz(list(data.calls.to_records()), OUT / "calls.jsonl.gz")
    dump_jsonl_gz(list(data.customers.to_records()), OUT / "customers.jsonl.gz")
    assert data.survey_sends is not None
    dump_jsonl_gz(list(data.survey_sends.to_records()), OUT / "survey_sends.jsonl.gz")
    for path in sorted(OUT.glob("*.jsonl.gz")):
        print(f"{path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
