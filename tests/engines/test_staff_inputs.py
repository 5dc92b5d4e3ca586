"""eNPS, QA scores and callbacks on Dask and Spark equal the in-process metrics."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cxmetrics import DistributedTables, get_metric

START = datetime(2024, 3, 4, tzinfo=timezone.utc)

METRICS = (
    ("enps", "staff_surveys", {}),
    ("qa_score", "qa_evaluations", {"weights": {"accuracy": 2.0, "tone": 1.0}}),
    ("callback_time", "callbacks", {"statistic": "p90"}),
    ("callbacks_kept", "callbacks", {"within": timedelta(hours=2), "source": "voicemail"}),
)


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n = 600
    requested = pd.to_datetime(START) + pd.to_timedelta(rng.integers(0, 30 * 86400, n), "s")
    waits = pd.to_timedelta(rng.integers(60, 6 * 3600, n), "s")
    called = (requested + waits).where(rng.random(n) < 0.8)
    return {
        "staff_surveys": pd.DataFrame({"kind": "nps", "score": rng.integers(0, 11, n)}),
        "qa_evaluations": pd.DataFrame(
            {"accuracy": rng.random(n).round(2), "tone": rng.random(n).round(2)}
        ),
        "callbacks": pd.DataFrame(
            {
                "requested_at": requested,
                "called_back_at": called,
                "source": rng.choice(["queue", "voicemail"], n),
            }
        ),
    }


def _check(tables: DistributedTables, frames: dict[str, pd.DataFrame]) -> None:
    for name, kind, options in METRICS:
        cls = get_metric(name)
        expected, engine = cls(**options), cls(**options)
        expected.update(frames[kind])
        engine.update(getattr(tables, kind))
        assert engine.compute().value == pytest.approx(expected.compute().value, rel=1e-12), name
        assert engine.compute().n == expected.compute().n, name


@pytest.mark.dask
def test_on_dask(dask_client: Any, frames: dict[str, pd.DataFrame]) -> None:
    import dask.dataframe as dd

    tables = DistributedTables(
        **{name: dd.from_pandas(frame, npartitions=3) for name, frame in frames.items()}
    )
    _check(tables, frames)


@pytest.mark.spark
def test_on_spark(spark: Any, frames: dict[str, pd.DataFrame]) -> None:
    import pyarrow as pa

    tables = DistributedTables(
        **{
            name: spark.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))
            for name, frame in frames.items()
        }
    )
    _check(tables, frames)
