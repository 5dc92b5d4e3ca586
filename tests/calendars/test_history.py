"""CalendarHistory against a minute-walking oracle, and its laws."""

from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import CalendarError
from cxmetrics.calendars import BusinessCalendar, CalendarHistory

from .oracle import Oracle, assert_matches_flags
from .test_business_calendar import SPAN_MINUTES, calendars, minutes

UTC = timezone.utc


@st.composite
def histories(draw: st.DrawFn) -> tuple[CalendarHistory, list[tuple[float, Oracle]], datetime]:
    """Two or three versions over the test span; each version a random calendar."""
    count = draw(st.integers(2, 3))
    setups = [draw(calendars()) for _ in range(count)]
    anchor = setups[0][3]
    days = sorted(
        draw(st.lists(st.integers(1, 5), min_size=count - 1, max_size=count - 1, unique=True))
    )
    first = anchor.date() - timedelta(days=30)
    dates = [first, *(anchor.date() + timedelta(days=d) for d in days)]
    versions = [(when, setup[1]) for when, setup in zip(dates, setups, strict=True)]
    # The oracle's own reading of when each version starts: local midnight in its zone.
    starts = [
        datetime.combine(when, datetime.min.time(), tzinfo=ZoneInfo(setup[0]["zone"])).timestamp()
        for when, setup in zip(dates, setups, strict=True)
    ]
    return CalendarHistory(versions), list(zip(starts, [s[2] for s in setups], strict=True)), anchor


def _open_flags(oracles: list[tuple[float, Oracle]], base: float, count: int) -> np.ndarray:
    flags = np.zeros(count, dtype=bool)
    for k in range(count):
        t = base + 60.0 * k
        in_force = [oracle for start, oracle in oracles if start <= t] or [oracles[0][1]]
        flags[k] = in_force[-1].is_open(t)
    return flags


@settings(max_examples=40, deadline=None)
@given(histories(), st.lists(st.tuples(minutes, minutes), min_size=1, max_size=12))
def test_agrees_with_the_minute_walking_oracle(setup: Any, pairs: list[tuple[int, int]]) -> None:
    history, oracles, anchor = setup
    base = anchor.timestamp()
    flags = _open_flags(oracles, base, SPAN_MINUTES)
    assert_matches_flags(history, flags, base, pairs)


@settings(max_examples=40, deadline=None)
@given(histories(), minutes, minutes, minutes)
def test_additive_across_version_boundaries(setup: Any, x: int, y: int, z: int) -> None:
    history, _, anchor = setup
    a, b, c = (np.array([anchor.timestamp() + 60.0 * m]) for m in (x, y, z))
    total = history.business_seconds(a, b) + history.business_seconds(b, c)
    np.testing.assert_allclose(total, history.business_seconds(a, c), atol=1e-6)
    assert float(history.business_seconds(b, a)[0]) == -float(history.business_seconds(a, b)[0])


@settings(max_examples=40, deadline=None)
@given(histories(), minutes, st.integers(-3 * 24 * 60, 3 * 24 * 60))
def test_add_is_the_inverse_of_business_time(setup: Any, start: int, amount: int) -> None:
    history, _, anchor = setup
    if history.never_open or any(c.never_open for _, c in history.versions[-1:]):
        return
    t = np.array([anchor.timestamp() + 60.0 * start])
    try:
        reached = history.add_seconds(t, 60.0 * amount)
    except CalendarError:  # a direction with no open time left: nothing to invert
        return
    np.testing.assert_allclose(history.business_seconds(t, reached), [60.0 * amount], atol=1e-6)
    if amount > 0:
        # The earliest such instant: a minute earlier falls short.
        assert float(history.business_seconds(t, reached - 60.0)[0]) < 60.0 * amount


@settings(max_examples=30, deadline=None)
@given(
    calendars(), st.lists(st.tuples(minutes, minutes), min_size=1, max_size=12), st.integers(1, 5)
)
def test_one_calendar_however_often_repeated_is_that_calendar(
    setup: Any, pairs: list[tuple[int, int]], day: int
) -> None:
    _, calendar, _, anchor = setup
    starts = np.array([anchor.timestamp() + 60.0 * a for a, _ in pairs])
    ends = np.array([anchor.timestamp() + 60.0 * b for _, b in pairs])
    expected = calendar.business_seconds(starts, ends)
    single = CalendarHistory({date(2000, 1, 1): calendar})
    # One version: the very same numbers, bit for bit.
    assert np.array_equal(single.business_seconds(starts, ends), expected)
    repeated = CalendarHistory(
        {date(2000, 1, 1): calendar, anchor.date() + timedelta(days=day): calendar}
    )
    np.testing.assert_allclose(repeated.business_seconds(starts, ends), expected, atol=1e-6)
    if not calendar.never_open:
        amounts = np.full(starts.size, 3600.0)
        assert np.array_equal(
            single.add_seconds(starts, amounts), calendar.add_seconds(starts, amounts)
        )
        np.testing.assert_allclose(
            repeated.add_seconds(starts, amounts), calendar.add_seconds(starts, amounts), atol=1e-6
        )


def test_hours_changed_in_march_worked_example() -> None:
    # Monday-Friday 09:00-17:00 until the end of February, then 08:00-18:00.
    old = BusinessCalendar("America/New_York", {"mon-fri": "09:00-17:00"})
    new = BusinessCalendar("America/New_York", {"mon-fri": "08:00-18:00"})
    history = CalendarHistory([(date(2024, 3, 1), new), (date(2023, 1, 1), old)])
    ny = ZoneInfo("America/New_York")
    # Thursday 29 Feb 16:00 -> Monday 4 Mar 09:00: 1 h (old) + 10 h Friday + 1 h Monday.
    span = history.business_time(
        datetime(2024, 2, 29, 16, tzinfo=ny), datetime(2024, 3, 4, 9, tzinfo=ny)
    )
    assert span == timedelta(hours=12)
    assert history.is_open(datetime(2024, 3, 1, 8, 30, tzinfo=ny))
    assert not history.is_open(datetime(2024, 2, 29, 8, 30, tzinfo=ny))


def test_missing_values_pickling_and_errors() -> None:
    a, b = BusinessCalendar("UTC"), BusinessCalendar.always_open()
    history = CalendarHistory({date(2024, 1, 1): a, date(2024, 3, 2): b})
    out = history.business_seconds(np.array([np.nan, 0.0]), np.array([0.0, np.nan]))
    assert np.isnan(out).all()
    assert np.isnan(history.add_seconds(np.array([np.nan]), 60.0)).all()
    assert pickle.loads(pickle.dumps(history)) == history
    assert hash(history) == hash(CalendarHistory([(date(2024, 3, 2), b), (date(2024, 1, 1), a)]))
    with pytest.raises(CalendarError, match="at least one"):
        CalendarHistory({})
    with pytest.raises(CalendarError, match="naive"):
        CalendarHistory({datetime(2024, 1, 1): a})
    with pytest.raises(CalendarError, match="same instant"):
        CalendarHistory([(date(2024, 1, 1), a), (datetime(2024, 1, 1, tzinfo=UTC), b)])
    with pytest.raises(CalendarError, match="not a calendar"):
        CalendarHistory({date(2024, 1, 1): "09:00-17:00"})
