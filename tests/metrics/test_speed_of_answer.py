"""Average speed of answer: contract and hand-computed values."""

from __future__ import annotations

from datetime import timedelta

from cxmetrics import Call
from cxmetrics.metrics.speed_of_answer import AverageSpeedOfAnswer, average_speed_of_answer

from tests.metrics.cc_strategies import T0, call_lists
from tests.metrics.contract import MetricContract


class TestASA(MetricContract):
    metric_cls = AverageSpeedOfAnswer
    function = average_speed_of_answer
    items = call_lists


def test_hand_computed() -> None:
    calls = [
        Call(at=T0, wait=10, talk=60),
        Call(at=T0, wait=50, talk=60),
        Call(at=T0, wait=0, talk=60, channel="chat"),
        Call(at=T0, wait=90, abandoned=True),  # abandoned: no speed of answer
        Call(at=T0, wait=99, talk=60, direction="outbound"),  # outbound: no queue
    ]
    assert average_speed_of_answer(calls) == timedelta(seconds=20)
    assert average_speed_of_answer(calls, channel="phone") == timedelta(seconds=30)
    metric = AverageSpeedOfAnswer()
    metric.update(calls)
    result = metric.compute()
    assert result.n == 3 and result.unit == "seconds"
    assert result.interval[0] == timedelta(0)  # clipped at zero


def test_longest_wait_by_hand() -> None:
    from datetime import datetime, timedelta, timezone

    from cxmetrics import Call, longest_wait

    t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    calls = [
        Call(at=t0, wait=timedelta(seconds=40), talk=timedelta(minutes=3)),
        Call(at=t0, wait=timedelta(seconds=95), talk=timedelta(minutes=1), channel="chat"),
        Call(at=t0, wait=timedelta(seconds=300), abandoned=True),
        Call(at=t0, wait=timedelta(seconds=900), direction="outbound"),  # not a queue wait
    ]
    assert longest_wait(calls) == timedelta(seconds=300)
    assert longest_wait(calls, abandoned=False) == timedelta(seconds=95)
    assert longest_wait(calls, channel="phone", abandoned=False) == timedelta(seconds=40)
