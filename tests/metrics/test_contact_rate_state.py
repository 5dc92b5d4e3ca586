"""ContactRate from its state: tickets and customers counted as defined, anonymous aside."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.core.state import CodedCountsState
from cxmetrics.metrics.contact_rate import ContactRate


@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 50), max_size=20),
    st.integers(0, 5),
)
def test_compute_counts_tickets_and_named_customers(counts: dict[str, int], anonymous: int) -> None:
    names = tuple(counts)
    rows = np.repeat(np.arange(len(names)), list(counts.values()))
    state = CodedCountsState.of(names, rows, unkeyed=anonymous)
    tickets = sum(counts.values()) + anonymous
    customers = len(counts)
    details = ContactRate._compute(state, ContactRate(zero_division=0.0).params).details
    assert details["tickets"] == tickets
    assert details["denominator"] == customers
