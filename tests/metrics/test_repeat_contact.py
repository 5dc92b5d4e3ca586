"""Repeat-contact FCR: contract (customer partitions), hand examples, oracle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import Call, InvalidParameterError
from cxmetrics.metrics.repeat_contact import RepeatContactFCR, repeat_contact_fcr

from tests.metrics.cc_strategies import T0, call_lists
from tests.metrics.contract import MetricContract


class TestRepeatContactFCR(MetricContract):
    metric_cls = RepeatContactFCR
    function = repeat_contact_fcr
    items = call_lists
    params = {"within": timedelta(days=1)}

    def _split(self, items, cuts):  # documented: partitions keep a customer together
        parts = len(cuts) + 1
        return [[c for c in items if hash(c.customer_id) % parts == p] for p in range(parts)]


def test_hand_computed() -> None:
    day = timedelta(days=1)
    calls = [
        Call(at=T0, customer_id="a", talk=60, queue="billing"),
        Call(at=T0 + 2 * day, customer_id="a", talk=60, queue="tech"),  # repeat of the first
        Call(at=T0, customer_id="b", talk=60),
        Call(at=T0 + 8 * day, customer_id="b", talk=60),  # outside 7 days
        Call(at=T0, customer_id="c", talk=60),
        Call(at=T0 + day, customer_id="c", wait=30, abandoned=True),  # abandoned retry
        Call(at=T0, talk=60),  # unidentified caller: not counted
    ]
    # Counted: a1, a2, b1, b2, c1 (handled, identified); repeated: a1, c1.
    assert repeat_contact_fcr(calls) == pytest.approx(3 / 5)
    assert repeat_contact_fcr(calls, repeats="handled") == pytest.approx(4 / 5)
    assert repeat_contact_fcr(calls, same_queue=True) == pytest.approx(4 / 5)
    assert repeat_contact_fcr(calls, within=timedelta(days=10)) == pytest.approx(2 / 5)
    # Only contacts whose 7-day window is observed (at <= T0 + 3 days): a1, a2, b1, c1.
    assert repeat_contact_fcr(calls, observed_until=T0 + 10 * day) == pytest.approx(2 / 4)


def test_bad_window() -> None:
    with pytest.raises(InvalidParameterError, match="The 'within' parameter"):
        repeat_contact_fcr([], within=0)


def _oracle(
    calls: list[Call], within: float, handled_only: bool, same_queue: bool
) -> tuple[int, int]:
    counted = resolved = 0
    inbound = [c for c in calls if c.direction == "inbound" and c.customer_id is not None]
    for c in inbound:
        if c.abandoned:
            continue
        counted += 1
        repeated = any(
            o.customer_id == c.customer_id
            and (not same_queue or o.queue == c.queue)
            and (not handled_only or not o.abandoned)
            and 0 < (o.at - c.at).total_seconds() <= within
            for o in inbound
        )
        resolved += not repeated
    return resolved, counted


@given(call_lists, st.integers(1, 3 * 86400), st.booleans(), st.booleans())
def test_matches_oracle(calls: list[Call], within: int, handled: bool, same_queue: bool) -> None:
    resolved, counted = _oracle(calls, within, handled, same_queue)
    value = repeat_contact_fcr(
        calls,
        within=within,
        repeats="handled" if handled else "any",
        same_queue=same_queue,
        zero_division=-1.0,
    )
    assert value == pytest.approx(resolved / counted if counted else -1.0)
