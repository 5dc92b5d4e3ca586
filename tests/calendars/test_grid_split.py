"""Law: the grid's split (few temporaries, gathers into reused buffers) equals the simple one.

``Grid.split`` is written for memory (it is the whole cost of the business clock of
a million tickets); these laws hold it to the plain expressions it replaces and to
the binary search over the timeline it shortcuts, bit for bit.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.calendars import BusinessCalendar
from cxmetrics.calendars._timeline import Grid

from .oracle import Oracle
from .test_business_calendar import SPAN_MINUTES, calendars

Drawn = tuple[dict[str, Any], BusinessCalendar, Oracle, Any]


def simple_split(grid: Grid, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The plain expressions: a cell per whole second, its base plus the open part."""
    whole = np.floor(t)
    y = np.clip(np.nan_to_num((whole - grid.origin) * grid.inverse, nan=0.0), 0, grid.base.size - 1)
    c = y.astype(np.intp)
    return grid.base[c] + grid.slope[c] * whole, (t - whole) * grid.slope[c]


instants = st.lists(
    st.one_of(
        st.floats(-2 * 86400.0, SPAN_MINUTES * 60.0 + 2 * 86400.0, allow_nan=False),
        st.just(float("nan")),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=80)
@given(calendars(), instants)
def test_grid_split_equals_the_simple_split_and_the_search(
    drawn: Drawn, offsets: list[float]
) -> None:
    _, calendar, _, anchor = drawn
    t = anchor.timestamp() + np.array(offsets)
    timeline = calendar._timeline_for(t)
    if timeline.grid is None:
        return
    value, fraction = timeline.grid.split(t)
    simple_value, simple_fraction = simple_split(timeline.grid, t)
    assert value.tobytes() == simple_value.tobytes()
    assert fraction.tobytes() == simple_fraction.tobytes()
    searched = dataclasses.replace(timeline, grid=None)
    s_value, s_fraction = searched.split(t)
    # The search returns plain zeros where the grid multiplies by a zero slope
    # (-0.0 for a negative fraction never occurs: fractions are >= 0), so compare values.
    np.testing.assert_array_equal(value, s_value)
    np.testing.assert_array_equal(fraction, s_fraction)
    # The input is left as it was.
    assert np.array_equal(t, anchor.timestamp() + np.array(offsets), equal_nan=True)
