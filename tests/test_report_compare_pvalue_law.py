"""Law: the report's proportion p-value equals ``compare_proportions``' bit for bit.

``cxmetrics.reporting.compare`` computes only the p-value of the pooled z-test
(the report never reads the interval); it must give the very float, and refuse
the very counts, that :func:`cxmetrics.stats.compare_proportions` does.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.reporting.compare import _proportions_p_value
from cxmetrics.stats import compare_proportions

counts = st.integers(-3, 10**7)


@given(counts, counts, counts, counts)
def test_equals_compare_proportions(sa: int, ta: int, sb: int, tb: int) -> None:
    try:
        expected = compare_proportions(sa, ta, sb, tb).p_value
    except ValueError:
        with pytest.raises(ValueError):
            _proportions_p_value(sa, ta, sb, tb)
        return
    assert _proportions_p_value(sa, ta, sb, tb) == expected


@given(st.integers(1, 10**6), st.data())
def test_equals_compare_proportions_on_valid_counts(total: int, data: st.DataObject) -> None:
    other = data.draw(st.integers(1, 10**6))
    sa, sb = data.draw(st.integers(0, total)), data.draw(st.integers(0, other))
    got = _proportions_p_value(sa, total, sb, other)
    assert got == compare_proportions(sa, total, sb, other).p_value
    # Ratio states may hold float counts.
    assert _proportions_p_value(float(sa), float(total), float(sb), float(other)) == (
        compare_proportions(float(sa), float(total), float(sb), float(other)).p_value  # type: ignore[arg-type]
    )
