"""The engine-free parts: reading a partition, the tree merge, recognising inputs."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import DistributedTables, InvalidParameterError, RatioState
from cxmetrics.engines import is_engine_input
from cxmetrics.engines.partition import BUCKET, ORDER, partition_input, tree_merge


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=20))
def test_tree_merge_equals_a_left_fold(pairs: list[tuple[int, int]]) -> None:
    states = [(RatioState(a, a + b),) for a, b in pairs]
    expected = (RatioState.merge_all(s for (s,) in states),) if states else None
    assert tree_merge(states) == expected
    assert tree_merge([*states, None]) == expected


def test_partition_puts_rows_back_in_table_order_and_drops_engine_columns() -> None:
    tickets = pd.DataFrame(
        {"id": ["a"], "created_at": [0.0], "status": ["pending"], BUCKET: [1], ORDER: [0]}
    )
    # Two changes at the same instant: only the table order says which came last.
    changes = pd.DataFrame(
        {
            "ticket_id": ["a", "a"],
            "at": [5.0, 5.0],
            "status": ["pending", "new"],
            BUCKET: [1, 1],
            ORDER: [7, 3],
        }
    )
    batch = partition_input("tickets", {"tickets": tickets, "status_changes": changes})
    assert len(batch) == 1


def test_only_engine_inputs_are_recognised() -> None:
    assert not is_engine_input(pd.DataFrame({"score": [5]}))
    assert is_engine_input(DistributedTables())
    with pytest.raises(InvalidParameterError, match="tickets must be a Dask or Spark"):
        DistributedTables(tickets=pd.DataFrame({"id": ["a"]}))
