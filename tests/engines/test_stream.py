"""Bounded-memory folding over own-schema Parquet files equals the in-process result."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxmetrics import InvalidParameterError, get_metric
from cxmetrics.datasets import SyntheticData
from cxmetrics.engines.stream import update_from_parquet
from cxmetrics.io import write_parquet

from .conftest import _assert_same, metric_names, metric_options


@pytest.fixture(scope="module")
def folder(generated: SyntheticData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parquet")
    write_parquet(
        path,
        tickets=generated.tickets,
        surveys=generated.surveys.to_table(),
        calls=generated.calls.to_table(),
        customers=generated.customers.to_table(),
    )
    return path


@pytest.mark.parametrize("chunk", [97, 100_000])
def test_every_metric_streamed_in_customer_buckets_equals_in_process(
    chunk: int, generated: SyntheticData, folder: Path
) -> None:
    names = metric_names()
    metrics = [get_metric(name)(**metric_options(name, generated)) for name in names]
    update_from_parquet(metrics, folder, chunk_tickets=chunk)
    for name, metric in zip(names, metrics, strict=True):
        _assert_same(name, metric, generated)


def test_a_missing_table_and_a_bad_chunk_are_errors(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match=r"reads surveys: no surveys.parquet"):
        update_from_parquet([get_metric("nps")()], tmp_path)
    with pytest.raises(InvalidParameterError, match="chunk_tickets"):
        update_from_parquet([], folder, chunk_tickets=0)


def test_streamed_contact_rate_by_segment_keeps_no_customers(tmp_path: Path) -> None:
    from cxmetrics import report
    from cxmetrics.datasets import generate
    from cxmetrics.engines.stream import report_from_parquet
    from cxmetrics.io import write_parquet

    data = generate(2000, seed=5)
    write_parquet(tmp_path, tickets=data.tickets)
    options = {"period": "week", "by": "channel", "metrics": ["contact_rate"]}
    streamed = report_from_parquet(tmp_path, chunk_tickets=300, **options)
    whole = report(tickets=data.tickets, **options)
    # Customers are whole in each chunk: sealed tallies give the same rows and totals.
    assert [(r.value, r.n) for r in streamed.rows] == [(r.value, r.n) for r in whole.rows]
    assert [(r.value, r.n) for r in streamed.totals] == [(r.value, r.n) for r in whole.totals]
