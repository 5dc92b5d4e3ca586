"""Laws of the one call reader: an absent optional column reads as its default given.

The reader skips per-row work for absent columns (durations, direction, channel,
ids); these properties check that the shortcut reads exactly what the full path
reads when the defaults are spelled out, and that the answered-and-abandoned rule
still flags exactly the rows of its definition.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import RecordValidationError
from cxmetrics.io import to_call_table

_DURATIONS = ("wait", "talk", "hold", "wrap")


@st.composite
def _calls(draw: st.DrawFn) -> dict[str, list[object]]:
    n = draw(st.integers(1, 30))
    seconds = st.integers(0, 600).map(float)
    columns: dict[str, list[object]] = {
        "at": [1709283600.0 + 60 * i for i in range(n)],
        "abandoned": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
    }
    for name in draw(st.sets(st.sampled_from(_DURATIONS))):
        columns[name] = draw(st.lists(seconds, min_size=n, max_size=n))
    return columns


def _read(columns: dict[str, list[object]]) -> dict[str, list[object]] | str:
    try:
        table = to_call_table(pa.table(columns))
    except RecordValidationError as error:
        return str(error)
    return {name: table[name].tolist() for name in sorted(table.columns)}


@given(_calls())
def test_absent_columns_read_as_their_defaults_spelled_out(
    columns: dict[str, list[object]],
) -> None:
    n = len(columns["at"])
    spelled = {
        **{name: [0.0] * n for name in _DURATIONS},
        "direction": ["inbound"] * n,
        "channel": ["phone"] * n,
        "transferred": [False] * n,
        **columns,
    }
    for name in ("id", "ticket_id", "customer_id", "agent_id", "queue"):
        spelled[name] = pa.nulls(n, pa.string())  # type: ignore[assignment]
    assert _read(columns) == _read(spelled)


@given(_calls())
def test_answered_and_abandoned_flags_the_rows_of_its_definition(
    columns: dict[str, list[object]],
) -> None:
    n = len(columns["at"])
    handle = sum(np.asarray(columns.get(name, [0.0] * n), dtype=float) for name in _DURATIONS[1:])
    expected = [
        row for row in range(n) if columns["abandoned"][row] and float(np.asarray(handle)[row]) > 0
    ]
    collected = to_call_table(pa.table(columns), errors="collect")
    flagged = sorted(
        e["position"] for e in collected.errors if e["type"] == "answered_and_abandoned"
    )
    assert flagged == expected
    assert len(collected.data) == n - len(expected)


def test_absent_text_columns_cannot_be_written_through() -> None:
    table = to_call_table(pa.table({"at": [1709283600.0, 1709283660.0]}))
    assert table["queue"].tolist() == [None, None]
    with pytest.raises(ValueError):
        table["queue"][0] = "sales"


@given(
    _calls(),
    st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.uint16]),
    st.sampled_from([None, float("nan"), float("inf"), -1.0]),
)
def test_numpy_columns_read_as_the_lists_of_their_cells(
    columns: dict[str, list[object]], dtype: type, odd: float | None
) -> None:
    if odd is not None and "talk" in columns and np.dtype(dtype).kind == "f":
        columns["talk"][0] = odd
    arrays = {
        name: np.asarray(values, dtype=bool if name == "abandoned" else np.float64)
        for name, values in columns.items()
    }
    for name in _DURATIONS:
        if name in arrays and np.isfinite(arrays[name]).all() and (arrays[name] >= 0).all():
            arrays[name] = arrays[name].astype(dtype)
    as_lists = {name: list(values) for name, values in arrays.items()}  # numpy scalars
    assert _read_dict(arrays) == _read_dict(as_lists)


def _read_dict(columns: dict[str, object]) -> dict[str, list[object]] | str:
    try:
        table = to_call_table(columns)
    except RecordValidationError as error:
        return str(error)
    return {name: table[name].tolist() for name in sorted(table.columns)}
