"""Abandonment rate: contract, short abandons, hand-computed values."""

from __future__ import annotations

import pytest

from cxmetrics import Call
from cxmetrics.metrics.abandonment import AbandonmentRate, abandonment_rate

from tests.metrics.cc_strategies import T0, call_lists
from tests.metrics.contract import MetricContract


class TestAbandonment(MetricContract):
    metric_cls = AbandonmentRate
    function = abandonment_rate
    items = call_lists


class TestAbandonmentShort(MetricContract):
    metric_cls = AbandonmentRate
    function = abandonment_rate
    items = call_lists
    params = {"short_abandon": 30}


def test_hand_computed() -> None:
    calls = (
        [Call(at=T0, wait=2, abandoned=True)] * 3
        + [Call(at=T0, wait=90, abandoned=True)] * 2
        + [Call(at=T0, wait=10, talk=60)] * 15
        + [Call(at=T0, wait=500, abandoned=True, direction="outbound")]
    )
    assert abandonment_rate(calls) == pytest.approx(5 / 20)
    # Short abandons (<= 5 s) leave numerator and denominator.
    assert abandonment_rate(calls, short_abandon=5) == pytest.approx(2 / 17)
    metric = AbandonmentRate(short_abandon=5)
    metric.update(calls)
    assert metric.compute().n == 17
    assert metric.compute().details["abandoned"] == 2
