"""Law: fixed-width ids compared as big-endian words order and match as their bytes do.

The read step links history rows to tickets by a binary search over the sorted
ticket ids; ids of 1, 2, 4 or 8 bytes are searched as integers
(``cxmetrics.tables.linking._words``). Any byte, NUL and high bytes included.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.tables.linking import _words


@st.composite
def id_sets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    width = draw(st.sampled_from([1, 2, 3, 4, 5, 8, 9]))
    ids = draw(st.lists(st.binary(min_size=width, max_size=width), min_size=1, max_size=40))
    queries = draw(
        st.lists(
            st.one_of(st.sampled_from(ids), st.binary(min_size=width, max_size=width)), max_size=40
        )
    )
    dtype = f"S{width}"
    return np.array(ids, dtype=dtype), np.array(queries, dtype=dtype).reshape(-1)


@given(id_sets())
def test_words_order_and_match_as_the_bytes(drawn: tuple[np.ndarray, np.ndarray]) -> None:
    ids, queries = drawn
    words, query_words = _words(ids), _words(queries)
    # The same order: the same stable sort and the same pairwise comparisons.
    assert np.array_equal(np.argsort(ids, kind="stable"), np.argsort(words, kind="stable"))
    assert np.array_equal(ids[1:] > ids[:-1], words[1:] > words[:-1])
    ordered = np.sort(ids)
    ordered_words = _words(ordered)
    assert np.array_equal(
        np.searchsorted(ordered, queries), np.searchsorted(ordered_words, query_words)
    )
    # The same matches.
    assert np.array_equal(ids[:, None] == queries[None, :], words[:, None] == query_words[None, :])
