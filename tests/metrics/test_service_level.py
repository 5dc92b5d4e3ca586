"""Service level: contract, every abandon treatment by hand, oracle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import Call, InvalidParameterError
from cxmetrics.metrics.service_level import ABANDON_TREATMENTS, ServiceLevel, service_level

from tests.metrics.cc_strategies import T0, call_lists
from tests.metrics.contract import MetricContract


class TestServiceLevel(MetricContract):
    metric_cls = ServiceLevel
    function = service_level
    items = call_lists


class TestServiceLevelShortAsMet(MetricContract):
    metric_cls = ServiceLevel
    function = service_level
    items = call_lists
    params = {"target": timedelta(seconds=60), "abandons": "short_as_met", "short_abandon": 5}


def _scenario() -> list[Call]:
    # 80 answered within 20 s, 20 answered later; 4 abandons within 5 s, 6 more
    # within 20 s, 10 after 20 s. Offered: 120.
    return (
        [Call(at=T0, wait=15, talk=60)] * 80
        + [Call(at=T0, wait=40, talk=60)] * 20
        + [Call(at=T0, wait=3, abandoned=True)] * 4
        + [Call(at=T0, wait=12, abandoned=True)] * 6
        + [Call(at=T0, wait=45, abandoned=True)] * 10
    )


@pytest.mark.parametrize(
    ("abandons", "short_abandon", "expected"),
    [
        ("exclude_short", None, 80 / (120 - 10)),  # ICMI 4 (default)
        ("offered", None, 80 / 120),  # ICMI 3
        ("answered", None, 80 / 100),  # ICMI 2
        ("short_as_met", None, (80 + 10) / 120),  # ICMI 1
        ("short_as_met", 5, (80 + 4) / 120),  # ICMI 5: shorter short-abandon threshold
        ("exclude_short", 5, 80 / (120 - 4)),
    ],
)
def test_every_treatment_by_hand(abandons: str, short_abandon: int | None, expected: float) -> None:
    value = service_level(
        _scenario(),
        target=20,
        abandons=abandons,
        short_abandon=short_abandon,  # type: ignore[arg-type]
    )
    assert value == pytest.approx(expected)


def test_default_is_exclude_short_and_every_treatment_is_documented() -> None:
    assert service_level(_scenario(), target=20) == pytest.approx(80 / 110)
    assert set(ABANDON_TREATMENTS) == {"exclude_short", "offered", "answered", "short_as_met"}


def test_target_is_inclusive_and_outbound_ignored() -> None:
    calls = [
        Call(at=T0, wait=20, talk=1),
        Call(at=T0, wait=21, talk=1),
        Call(at=T0, wait=0, talk=1, direction="outbound"),
    ]
    assert service_level(calls, target=timedelta(seconds=20)) == 0.5


def test_result_details() -> None:
    metric = ServiceLevel(target=20)
    metric.update(_scenario())
    result = metric.compute()
    assert result.n == 110
    assert result.details["answered_within"] == 80
    assert result.details["abandoned_short"] == 10


def test_bad_parameters() -> None:
    with pytest.raises(InvalidParameterError, match="The 'abandons' parameter of ServiceLevel"):
        service_level([], abandons="ignore")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="The 'target' parameter"):
        service_level([], target=-1)


def _oracle(calls: list[Call], target: float, abandons: str, short: float) -> tuple[int, int]:
    answered_in = answered = short_ab = ab = 0
    for call in calls:
        if call.direction != "inbound":
            continue
        wait = call.wait.total_seconds()
        if call.abandoned:
            ab += 1
            short_ab += wait <= short
        else:
            answered += 1
            answered_in += wait <= target
    return {
        "exclude_short": (answered_in, answered + ab - short_ab),
        "offered": (answered_in, answered + ab),
        "answered": (answered_in, answered),
        "short_as_met": (answered_in + short_ab, answered + ab),
    }[abandons]


@given(
    call_lists,
    st.integers(0, 300),
    st.sampled_from(sorted(ABANDON_TREATMENTS)),
    st.none() | st.integers(0, 300),
)
def test_matches_oracle(calls: list[Call], target: int, abandons: str, short: int | None) -> None:
    numerator, denominator = _oracle(calls, target, abandons, target if short is None else short)
    value = service_level(
        calls,
        target=target,
        abandons=abandons,
        short_abandon=short,
        zero_division=-1.0,  # type: ignore[arg-type]
    )
    assert value == (numerator / denominator if denominator else -1.0)
