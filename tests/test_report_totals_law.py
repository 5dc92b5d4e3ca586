"""Laws of a segmented report's totals: they equal the report without segments."""

from __future__ import annotations

from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.core.state import CountsState
from cxmetrics.datasets import generate
from cxmetrics.reporting import report

# Breakdowns (ticket_volume per day) have no totals: headline figures only.
_METRICS = ["contact_rate", "fcr", "first_response_time", "resolution_rate"]


def test_totals_equal_the_unsegmented_report() -> None:
    data = generate(400, seed=7)
    segmented = report(tickets=data.tickets, period="week", by="channel", metrics=_METRICS)
    whole = report(tickets=data.tickets, period="week", metrics=_METRICS)
    totals = {(row.metric, row.period): (row.value, row.n) for row in segmented.totals}
    rows = {(row.metric, row.period): (row.value, row.n) for row in whole.rows}
    assert totals == rows


counts = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(1, 9), max_size=6)


@given(st.lists(counts, max_size=6))
def test_counts_merge_all_equals_merging_one_by_one(tallies: list[dict[str, int]]) -> None:
    states = [CountsState.of(tally) for tally in tallies]
    assert CountsState.merge_all(states) == reduce(CountsState.merge, states, CountsState())
