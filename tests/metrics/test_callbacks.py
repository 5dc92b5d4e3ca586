"""Callback time and callbacks kept against a request-by-request oracle."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import callback_time, callbacks_kept
from cxmetrics.exceptions import CXMetricsError

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
        callback_time([], statistic="p90")
