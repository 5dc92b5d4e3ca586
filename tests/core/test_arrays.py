"""distinct equals np.unique on integer and string arrays."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cxmetrics.core.arrays import distinct


@given(arrays(np.int64, st.integers(0, 200), elements=st.integers(-50, 50)))
def test_integers(values: np.ndarray) -> None:
    got, want = distinct(values), np.unique(values)
    assert got.dtype == want.dtype and got.tolist() == want.tolist()


@given(st.lists(st.text(max_size=3), max_size=50))
def test_strings(values: list[str]) -> None:
    array = np.array(values, dtype=str)
    assert distinct(array).tolist() == np.unique(array).tolist()
