"""Callback time and callbacks kept against a request-by-request oracle."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import CallbacksKept, CallbackTime, callback_time, callbacks_kept
from cxmetrics.exceptions import CXMetricsError

from tests.metrics.contract import MetricContract

T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
requests = st.lists(
    st.tuples(st.integers(0, 600), st.one_of(st.none(), st.integers(0, 300)),
              st.sampled_from(["queue", "voicemail"])),
    min_size=1, max_size=30,
)  # fmt: skip


def _rows(data: list) -> list[dict]:
    return [
        {"requested_at": T0 + timedelta(minutes=at),
         "called_back_at": None if wait is None else T0 + timedelta(minutes=at + wait),
         "source": source}
        for at, wait, source in data
    ]  # fmt: skip


@given(requests, st.integers(1, 300))
def test_against_the_oracle(data: list, promise: int) -> None:
    rows = _rows(data)
    waits = [wait for _, wait, _ in data if wait is not None]
    if waits:
        assert callback_time(rows) == timedelta(minutes=statistics.mean(waits))
        assert callback_time(rows, statistic="max") == timedelta(minutes=max(waits))
    kept = sum(w is not None and w <= promise for _, w, _ in data) / len(data)
    assert callbacks_kept(rows, within=timedelta(minutes=promise)) == pytest.approx(kept)
    voicemail = [w for _, w, s in data if s == "voicemail"]
    if voicemail:
        share = sum(w is not None for w in voicemail) / len(voicemail)
        assert callbacks_kept(rows, source="voicemail") == pytest.approx(share)


def test_bad_requests_are_named() -> None:
    with pytest.raises(CXMetricsError, match="before it was requested"):
        callbacks_kept([{"requested_at": T0, "called_back_at": T0 - timedelta(minutes=1)}])
    with pytest.raises(CXMetricsError, match="statistic"):
        callback_time([], statistic="p900")


def test_function_takes_every_statistic_of_the_class() -> None:
    waits = (10, 30, 50, 70, 90)
    requests = [{"requested_at": T0, "called_back_at": T0 + timedelta(minutes=m)} for m in waits]
    # p90 of five waits by linear interpolation: 70 + 0.6 * (90 - 70) = 82 minutes
    assert callback_time(requests, statistic="p90") == timedelta(minutes=82)
    assert callback_time(requests, statistic="min") == timedelta(minutes=10)
    assert callback_time(requests, statistic="median") == timedelta(minutes=50)


rows_strategy = requests.map(_rows)


class TestCallbackTime(MetricContract):
    metric_cls = CallbackTime
    function = callback_time
    items = rows_strategy


class TestCallbacksKept(MetricContract):
    metric_cls = CallbacksKept
    function = callbacks_kept
    items = rows_strategy
    params = {"within": timedelta(minutes=120), "source": "voicemail"}


@given(requests)
def test_table_equals_records(data: list) -> None:
    pa = pytest.importorskip("pyarrow")
    rows = _rows(data)
    table = pa.table({
        "requested_at": pa.array([r["requested_at"] for r in rows]),
        "called_back_at": pa.array([r["called_back_at"] for r in rows],
                                   type=pa.timestamp("us", tz="UTC")),
        "source": [r["source"] for r in rows],
    })  # fmt: skip
    assert callbacks_kept(table, source="queue", zero_division=0.0) == callbacks_kept(
        rows, source="queue", zero_division=0.0
    )
    metric = CallbackTime(statistic="max", zero_division=0.0)
    metric.update(table)
    expected = callback_time(rows, statistic="max", zero_division=0.0)
    assert metric.compute().value == expected


def test_callback_time_by_hand_with_excluded() -> None:
    rows = _rows([(0, 10, "queue"), (5, 30, "queue"), (9, None, "voicemail")])
    metric = CallbackTime(statistic="median")
    metric.update(rows)
    result = metric.compute()
    assert result.value == timedelta(minutes=20)
    assert result.n == 2 and result.details["excluded"] == 1
