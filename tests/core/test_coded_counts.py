"""CodedCountsState: counts per key in codes, equal to a plain tally however it is merged."""

from __future__ import annotations

import pickle
from collections import Counter

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.core.state import CodedCountsState

KEYS = st.sampled_from(["ana", "bo", "cy", "dee", "é", "\x00x"])

# A part: its own vocabulary (a shared one or a private permutation) and its rows.
parts = st.lists(
    st.tuples(st.booleans(), st.lists(KEYS, max_size=12), st.integers(0, 3)), max_size=6
)

SHARED = ("ana", "bo", "cy", "dee", "é", "\x00x")


def _state(shared: bool, rows: list[str], unkeyed: int) -> CodedCountsState:
    vocabulary = SHARED if shared else tuple(sorted(set(rows), reverse=True))
    codes = np.array([vocabulary.index(key) for key in rows], dtype=np.int64)
    return CodedCountsState.of(vocabulary, codes, unkeyed=unkeyed)


@given(parts, st.randoms(use_true_random=False))
def test_any_merge_equals_the_plain_tally(drawn: list, random: object) -> None:
    expected = Counter(key for _, rows, _ in drawn for key in rows)
    unkeyed = sum(u for _, _, u in drawn)
    states = [_state(*part) for part in drawn]
    at_once = CodedCountsState.merge_all(states)
    assert at_once.as_dict() == dict(expected) and at_once.unkeyed == unkeyed
    random.shuffle(states)  # type: ignore[attr-defined]
    one_by_one = CodedCountsState()
    for state in states:
        one_by_one = one_by_one.merge(state)
    assert one_by_one == at_once
    assert at_once.total == sum(expected.values()) + unkeyed
    assert at_once.keys == len(expected)


@given(parts)
def test_pickle_and_plain_data_keep_the_counts(drawn: list) -> None:
    state = CodedCountsState.merge_all([_state(*part) for part in drawn])
    clone = pickle.loads(pickle.dumps(state))
    assert clone == state and clone.unkeyed == state.unkeyed
    assert CodedCountsState.from_dict(state.to_dict()) == state
    # A pickled state merges with one over the original vocabulary.
    extra = _state(True, ["ana", "bo"], 1)
    assert clone.merge(extra) == state.merge(extra)


def test_pickle_carries_only_the_keys_counted() -> None:
    vocabulary = tuple(f"customer-{i:06d}" for i in range(100_000))
    state = CodedCountsState.of(vocabulary, np.array([5, 5, 7]))
    assert len(pickle.dumps(state)) < 1_000
    assert pickle.loads(pickle.dumps(state)).as_dict() == {
        "customer-000005": 2,
        "customer-000007": 1,
    }


@given(st.lists(st.tuples(st.lists(KEYS, max_size=12), st.integers(0, 3)), max_size=5))
def test_sealed_parts_of_disjoint_keys_count_like_the_whole(drawn: list) -> None:
    # Each part gets keys no other part has (as a partition of whole customers).
    states = [
        _state(False, [f"{i}:{key}" for key in rows], unkeyed)
        for i, (rows, unkeyed) in enumerate(drawn)
    ]
    whole = CodedCountsState.merge_all(states)
    sealed = CodedCountsState.merge_all([state.sealed() for state in states])
    assert (sealed.keys, sealed.total, sealed.unkeyed) == (whole.keys, whole.total, whole.unkeyed)
    assert sealed == whole.sealed()
    assert pickle.loads(pickle.dumps(sealed)) == sealed
    assert CodedCountsState.from_dict(sealed.to_dict()) == sealed
