"""ContactRate from its state: tickets and customers counted as defined, anonymous aside."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.core.state import CountsState
from cxmetrics.metrics.contact_rate import ContactRate

_ANONYMOUS = "\x00anonymous"


@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 50), max_size=20),
    st.integers(0, 5),
)
def test_compute_counts_tickets_and_named_customers(counts: dict[str, int], anonymous: int) -> None:
    tally = dict(counts)
    if anonymous:
        tally[_ANONYMOUS] = tally.get(_ANONYMOUS, 0) + anonymous
    state = CountsState.of(tally)
    tickets = sum(tally.values())
    customers = len([key for key in tally if key != _ANONYMOUS])
    details = ContactRate._compute(state, ContactRate(zero_division=0.0).params).details
    assert details["tickets"] == tickets
    assert details["denominator"] == customers
