"""Peak concurrency: contract, hand examples, brute-force oracle overall and per interval."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import Call
from cxmetrics.metrics.concurrency import (
    PeakConcurrency,
    SpansState,
    concurrency_by_interval,
    peak_concurrency,
)

from tests.metrics.cc_strategies import T0, call_lists
from tests.metrics.contract import MetricContract


class TestPeakConcurrency(MetricContract):
    metric_cls = PeakConcurrency
    function = peak_concurrency
    items = call_lists


class TestPeakConcurrencyHandling(MetricContract):
    metric_cls = PeakConcurrency
    function = peak_concurrency
    items = call_lists
    params = {"span": "handling"}


def _spans(calls: list[Call], span: str) -> list[tuple[float, float]]:
    spans = []
    for c in calls:
        at = c.at.timestamp()
        w, t, h, r = (x.total_seconds() for x in (c.wait, c.talk, c.hold, c.wrap))
        if span == "handling":
            if not c.abandoned:
                spans.append((at + w, at + w + t + h + r))
        else:
            spans.append((at, at + w + t + h))
    return [(s, e) for s, e in spans if e > s]


def _open_at(spans: list[tuple[float, float]], instant: float) -> int:
    return sum(s <= instant < e for s, e in spans)


def test_hand_computed() -> None:
    calls = [
        Call(at=T0, talk=600),
        Call(at=T0 + timedelta(minutes=5), talk=60),
        Call(at=T0 + timedelta(minutes=10), talk=60),  # starts as the first one ends? no: 600 s
        Call(at=T0 + timedelta(minutes=10), wait=0, talk=0, abandoned=False),  # zero length
    ]
    assert peak_concurrency(calls) == 2
    # Back to back: one ends exactly when the next starts -> never 2 at once.
    chain = [Call(at=T0, talk=60), Call(at=T0 + timedelta(seconds=60), talk=60)]
    assert peak_concurrency(chain) == 1
    assert peak_concurrency(chain, span="handling") == 1


@given(call_lists, st.sampled_from(["connected", "handling"]))
def test_matches_brute_force(calls: list[Call], span: str) -> None:
    spans = _spans(calls, span)
    expected = max((_open_at(spans, s) for s, _ in spans), default=None)
    value = peak_concurrency(calls, span=span, zero_division=-1.0)  # type: ignore[arg-type]
    assert value == (-1.0 if expected is None else expected)


@given(call_lists, st.sampled_from([900, 1800, 3600]))
def test_per_interval_matches_brute_force(calls: list[Call], width: int) -> None:
    table = concurrency_by_interval(calls, interval=width)
    spans = _spans(calls, "connected")
    for start, peak in table.rows:
        b = start.timestamp()
        points = [b] + [s for s, _ in spans if b <= s < b + width]
        assert peak == max(_open_at(spans, p) for p in points)
    if spans:
        assert max(table.column("peak")) == peak_concurrency(calls)


def test_state_equality_ignores_order() -> None:
    assert SpansState([1.0, 2.0], [3.0, 4.0]) == SpansState([2.0, 1.0], [4.0, 3.0])
    assert SpansState([1.0], [3.0]).to_dict()["starts"] == [1.0]
