"""Law of cutting histories by ticket: the lazy cut equals cutting ticket by ticket.

``EventTable.select_tickets`` cuts its rows on the first read; whatever is read
first, and after a pickle round trip or a second cut, the table equals the rows
of the chosen tickets taken one ticket at a time (the oracle).
"""

from __future__ import annotations

import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.tables.ticket_batch import Categorical, EventTable


def _table(counts: list[int]) -> EventTable:
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    rows = int(offsets[-1])
    ticket = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    at = np.arange(rows, dtype=np.float64) * 1.5
    tag = Categorical((np.arange(rows) % 3).astype(np.int32), ("a", "b", "c"))
    return EventTable(offsets, ticket, at, {"x": np.arange(rows) * 10, "tag": tag})


def _oracle(table: EventTable, index: list[int]) -> dict[str, list[object]]:
    """Rows of the chosen tickets, one ticket at a time, renumbered in the order given."""
    out: dict[str, list[object]] = {"ticket": [], "at": [], "x": [], "tag": []}
    offsets = [0]
    for new, old in enumerate(index):
        start, end = int(table.offsets[old]), int(table.offsets[old + 1])
        for row in range(start, end):
            out["ticket"].append(new)
            out["at"].append(float(table.at[row]))
            out["x"].append(int(table["x"][row]))
            out["tag"].append(int(table["tag"].codes[row]))
        offsets.append(offsets[-1] + end - start)
    out["offsets"] = offsets
    return out


def _read(table: EventTable, first: str) -> dict[str, list[object]]:
    getattr(table, first) if first in ("offsets", "ticket", "at") else table[first]
    return {
        "ticket": table.ticket.tolist(),
        "at": table.at.tolist(),
        "x": table["x"].tolist(),
        "tag": table["tag"].codes.tolist(),
        "offsets": table.offsets.tolist(),
    }


shapes = st.lists(st.integers(0, 4), min_size=1, max_size=12).flatmap(
    lambda counts: st.tuples(
        st.just(counts), st.lists(st.integers(0, len(counts) - 1), max_size=15, unique=True)
    )
)


@given(shapes, st.sampled_from(("offsets", "ticket", "at", "x", "tag")))
def test_lazy_cut_equals_cutting_ticket_by_ticket(
    shape: tuple[list[int], list[int]], first: str
) -> None:
    counts, index = shape
    table = _table(counts)
    part = table.select_tickets(np.array(index, dtype=np.intp))
    expected = _oracle(table, index)
    assert _read(part, first) == expected
    assert len(part) == len(expected["at"])
    # Pickled (as a partition is), it is a plain table of the same rows.
    again = pickle.loads(pickle.dumps(table.select_tickets(np.array(index, dtype=np.intp))))
    assert type(again) is EventTable
    assert _read(again, first) == expected


@given(shapes, st.data())
def test_a_cut_of_a_cut_equals_one_cut(
    shape: tuple[list[int], list[int]], data: st.DataObject
) -> None:
    counts, index = shape
    table = _table(counts)
    part = table.select_tickets(np.array(index, dtype=np.intp))
    inner = data.draw(
        st.lists(st.integers(0, max(len(index) - 1, 0)), max_size=len(index), unique=True)
    )
    if not index:
        inner = []
    twice = part.select_tickets(np.array(inner, dtype=np.intp))
    once = table.select_tickets(np.array([index[i] for i in inner], dtype=np.intp))
    assert _read(twice, "at") == _read(once, "x")
