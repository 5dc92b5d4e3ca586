"""A stateful machine: any sequence of update, merge and reset agrees with one shot."""

from __future__ import annotations

import pickle
import threading
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cxmetrics import CSAT, NPS, csat, nps

from tests.metrics.contract import same_value

answers = st.lists(st.integers(0, 10), max_size=20)


class NPSMachine(RuleBasedStateMachine):
    """Model: the list of every answer seen since the last reset."""

    def __init__(self) -> None:
        super().__init__()
        self.metric = NPS(zero_division=0.0)
        self.seen: list[int] = []

    @rule(batch=answers)
    def update(self, batch: list[int]) -> None:
        self.metric.update(batch)
        self.seen.extend(batch)

    @rule(batch=answers)
    def merge_partition(self, batch: list[int]) -> None:
        other = NPS(zero_division=0.0)
        other.update(batch)
        self.metric.merge(other)
        self.seen.extend(batch)

    @rule(batch=answers)
    def merge_bare_state(self, batch: list[int]) -> None:
        other = NPS(zero_division=0.0)
        other.update(batch)
        self.metric.merge(other.state)
        self.seen.extend(batch)

    @rule()
    def reset(self) -> None:
        self.metric.reset()
        self.seen.clear()

    @invariant()
    def agrees_with_one_shot(self) -> None:
        result: Any = self.metric.compute()
        assert same_value(result.value, nps(self.seen, zero_division=0.0))
        assert result.n == len(self.seen)


TestNPSMachine = NPSMachine.TestCase


def test_update_from_many_threads_loses_nothing() -> None:
    """8 threads x 200 updates of 100 answers each: every answer is counted (issue 13)."""
    metric = CSAT()

    def work() -> None:
        for _ in range(200):
            metric.update([5, 4, 1, 2] * 25)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert metric.compute().n == 8 * 200 * 100
    assert metric.compute().value == csat([5, 4, 1, 2])


def test_a_metric_with_its_lock_still_pickles() -> None:
    metric = CSAT()
    metric.update([5, 1])
    copy = pickle.loads(pickle.dumps(metric))
    copy.update([5])
    assert copy.compute().n == 3 and metric.compute().n == 2
