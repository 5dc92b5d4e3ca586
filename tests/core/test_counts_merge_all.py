"""Law of ``CountsState.merge_all`` with counts that cancel: equal to merging one by one."""

from __future__ import annotations

from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.core.state import CountsState

# Negative counts (corrections) make some sums zero: those categories are dropped.
signed = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(-3, 3), max_size=6)


@given(st.lists(signed, max_size=6))
def test_merge_all_with_cancelling_counts_equals_one_by_one(tallies: list[dict[str, int]]) -> None:
    states = [CountsState.of(tally) for tally in tallies]
    merged = CountsState.merge_all(states)
    assert merged == reduce(CountsState.merge, states, CountsState())
    assert all(count for _, count in merged.counts)
    assert [key for key, _ in merged.counts] == sorted(key for key, _ in merged.counts)
