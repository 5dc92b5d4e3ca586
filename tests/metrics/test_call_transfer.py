"""Call transfer rate: contract and hand-computed values."""

from __future__ import annotations

from cxmetrics import Call
from cxmetrics.metrics.call_transfer import CallTransferRate, call_transfer_rate

from tests.metrics.cc_strategies import T0, call_lists
from tests.metrics.contract import MetricContract


class TestCallTransferRate(MetricContract):
    metric_cls = CallTransferRate
    function = call_transfer_rate
    items = call_lists


def test_hand_computed() -> None:
    calls = [
        Call(at=T0, talk=60, transferred=True),
        Call(at=T0, talk=60, transferred=True, channel="chat"),
        Call(at=T0, talk=60),
        Call(at=T0, talk=60),
        Call(at=T0, wait=40, abandoned=True),
    ]
    assert call_transfer_rate(calls) == 0.5
    assert call_transfer_rate(calls, channel="phone") == 1 / 3
    assert CallTransferRate.name == "call_transfer_rate"
