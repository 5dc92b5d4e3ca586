"""Issue 19: exact business time from 1900 to 2200, across 1970, whatever was asked before.

Expectations come from hand counts (working days times hours) or from the
minute-walking oracle; the properties run over the whole 1900-2200 range, with
instants carrying microseconds, and on whole seconds where results must be
bit-for-bit equal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cxmetrics import CalendarError
from cxmetrics.calendars import BusinessCalendar

from .oracle import DAYS, Oracle
from .test_business_calendar import ZONES, day_windows

UTC = timezone.utc
HOUR = timedelta(hours=1)
LOW = datetime(1900, 1, 1, tzinfo=UTC)
HIGH = datetime(2200, 1, 1, tzinfo=UTC)


def weekdays(first: date, stop: date) -> int:
    """Monday-to-Friday dates in [first, stop), counted one by one."""
    return sum((first + timedelta(days=k)).weekday() < 5 for k in range((stop - first).days))


def office() -> BusinessCalendar:
    return BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})


# --- the reported cases, by hand ------------------------------------------------------------


def test_a_week_across_1970() -> None:
    # Monday 1969-12-29 10:00 to Monday 1970-01-05 10:00: five working days.
    a, b = datetime(1969, 12, 29, 10, tzinfo=UTC), datetime(1970, 1, 5, 10, tzinfo=UTC)
    assert office().business_time(a, b) == 40 * HOUR
    assert office().add(a, 40 * HOUR) == b
    assert office().add(b, -40 * HOUR) == a


def test_a_week_in_1960_is_not_longer_than_a_week() -> None:
    a = datetime(1960, 1, 4, 10, tzinfo=UTC)  # a Monday
    assert office().business_time(a, a + timedelta(days=7)) == 40 * HOUR


def test_a_long_query_does_not_corrupt_later_ones() -> None:
    calendar = office()
    a, b = datetime(1969, 12, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
    assert calendar.business_time(a, b) == 8 * HOUR * weekdays(a.date(), b.date())
    monday = datetime(2024, 3, 4, 9, tzinfo=UTC)
    assert calendar.add(monday, 4 * HOUR) == monday + 4 * HOUR
    assert calendar.business_time(monday, monday + 4 * HOUR) == 4 * HOUR


def test_a_calendar_reused_month_by_month_for_decades() -> None:
    calendar = office()
    for year in range(1955, 2031):
        for month in range(1, 13):
            first = date(year, month, 1)
            stop = date(year + month // 12, month % 12 + 1, 1)
            a = datetime(first.year, first.month, 1, tzinfo=UTC)
            b = datetime(stop.year, stop.month, 1, tzinfo=UTC)
            assert calendar.business_time(a, b) == 8 * HOUR * weekdays(first, stop), (year, month)


def test_windows_before_1970_in_a_zone_with_dst() -> None:
    # New York, 1969-10-26 02:00 EDT falls back to 01:00 EST. Night shift
    # 22:00-06:00 from Saturday 25th: 9 hours of elapsed time; day shift on Monday.
    calendar = BusinessCalendar("America/New_York", {"sat": "22:00-06:00", "mon": "09:00-17:00"})
    oracle = Oracle("America/New_York", {"sat": "22:00-06:00", "mon": "09:00-17:00"})
    a, b = datetime(1969, 10, 25, tzinfo=UTC), datetime(1969, 10, 29, tzinfo=UTC)
    assert calendar.business_time(a, b) == 17 * HOUR
    assert calendar.business_time(a, b).total_seconds() == oracle.business_seconds(a, b)


def test_instants_a_datetime_cannot_hold_are_refused() -> None:
    with pytest.raises(CalendarError, match="outside the range"):
        office().business_seconds(np.array([0.0]), np.array([1e15]))


# --- properties over 1900-2200 ----------------------------------------------------------------

SPAN = (HIGH - LOW).total_seconds()
EPOCH_OFFSET = -LOW.timestamp()


@st.composite
def instants(draw: st.DrawFn, whole: bool = False) -> float:
    """Epoch seconds in 1900-2200: anywhere, or within a few weeks of 1970."""
    if draw(st.booleans()):
        seconds = draw(st.integers(0, int(SPAN)))
    else:
        seconds = int(EPOCH_OFFSET) + draw(st.integers(-40 * 86400, 40 * 86400))
    micros = 0 if whole else draw(st.integers(0, 999_999))
    return LOW.timestamp() + seconds + micros / 1e6


@st.composite
def wide_calendars(draw: st.DrawFn) -> tuple[dict[str, Any], BusinessCalendar]:
    zone = draw(st.sampled_from(ZONES))
    hours = {day: draw(day_windows()) for day in DAYS}
    assume(any(hours.values()))
    holidays = draw(st.lists(st.dates(date(1900, 1, 1), date(2199, 12, 31)), max_size=3))
    try:
        calendar = BusinessCalendar(zone, hours, holidays)
    except CalendarError:
        assume(False)
        raise
    return {"timezone": zone, "hours": hours, "holidays": holidays}, calendar


def fresh(definition: dict[str, Any]) -> BusinessCalendar:
    return BusinessCalendar(**definition)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


MICRO = timedelta(microseconds=1)


@settings(max_examples=40)
@given(wide_calendars(), instants(), instants(), instants())
def test_bounds_and_additivity_over_three_centuries(
    setup: tuple[dict[str, Any], BusinessCalendar], x: float, y: float, z: float
) -> None:
    _, calendar = setup
    a, b, c = (at(s) for s in sorted((x, y, z)))
    d = calendar.business_time
    assert timedelta(0) <= d(a, b) <= b - a
    assert d(b, a) == -d(a, b)
    # (Business time over centuries is ~1e9 s: a float holds it to about a microsecond.)
    assert abs(d(a, c) - (d(a, b) + d(b, c))) <= MICRO
    # Whole seconds: every value is exact, so additivity is exact too.
    s = np.floor(np.array(sorted((x, y, z))))
    ab, bc, ac = calendar.business_seconds(s[[0, 1, 0]], s[[1, 2, 2]])
    assert ac == ab + bc and 0 <= ab <= s[1] - s[0]


@settings(max_examples=40)
@given(wide_calendars(), instants(), st.integers(1, 20 * 250 * 8 * 3600), st.booleans())
def test_add_inverts_business_time_over_three_centuries(
    setup: tuple[dict[str, Any], BusinessCalendar], x: float, amount: int, back: bool
) -> None:
    _, calendar = setup
    assume(not calendar.never_open)
    a = at(x)
    delta = timedelta(seconds=-amount if back else amount)
    try:
        b = calendar.add(a, delta)
    except CalendarError:  # pushed past 1 or 9999 by a calendar open a few hours a week
        assume(False)
        raise
    assert abs(calendar.business_time(a, b) - delta) <= MICRO
    # The earliest such instant going forward, the latest going back.
    if not back:
        assert b > a and calendar.business_time(a, b - timedelta(seconds=1)) < delta
    else:
        assert b < a and calendar.business_time(a, b + timedelta(seconds=1)) > delta


@settings(max_examples=30)
@given(
    wide_calendars(),
    st.lists(st.tuples(instants(), instants()), min_size=1, max_size=4),
    st.lists(st.tuples(instants(), st.integers(-(10**7), 10**7)), min_size=1, max_size=3),
)
def test_answers_do_not_depend_on_earlier_questions(
    setup: tuple[dict[str, Any], BusinessCalendar],
    unrelated: list[tuple[float, float]],
    question: list[tuple[float, int]],
) -> None:
    definition, calendar = setup
    assume(not calendar.never_open)
    starts = np.array([s for s, _ in question])
    ends = np.array([s + abs(d) * 7.5 for s, d in question])  # within the range, mostly later
    seconds = np.array([float(d) for _, d in question])
    try:
        first_between = fresh(definition).business_seconds(starts, ends)
        first_add = fresh(definition).add_seconds(starts, seconds)
    except CalendarError:
        assume(False)
        raise
    for a, b in unrelated:  # the same calendar, asked other things first
        calendar.business_seconds(np.array([a]), np.array([b]))
    assert np.array_equal(calendar.business_seconds(starts, ends), first_between)
    assert np.array_equal(calendar.add_seconds(starts, seconds), first_add)
    # ... and one by one, each as a query of its own.
    for i in range(starts.size):
        alone = fresh(definition).business_seconds(starts[i : i + 1], ends[i : i + 1])
        assert alone[0] == first_between[i]


@settings(max_examples=25)
@given(wide_calendars(), instants(whole=True), st.integers(0, 24 * 60))
def test_agrees_with_the_oracle_anywhere_in_three_centuries(
    setup: tuple[dict[str, Any], BusinessCalendar], x: float, minutes: int
) -> None:
    definition, calendar = setup
    zone = ZoneInfo(definition["timezone"])
    # The oracle reads one instant per minute: start on a whole local minute (zones
    # had offsets in seconds before ~1920), and keep that offset to the end.
    offset = at(x).astimezone(zone).utcoffset()
    assert offset is not None
    start = np.floor(x / 60.0) * 60.0 + (-offset.total_seconds()) % 60.0
    a, b = at(start), at(start + 60.0 * minutes)
    assume(b.astimezone(zone).utcoffset() == offset)
    oracle = Oracle(definition["timezone"], definition["hours"], definition["holidays"])
    assert calendar.business_time(a, b).total_seconds() == oracle.business_seconds(a, b)


def test_a_long_cached_timeline_does_not_end_a_short_search() -> None:
    # Found by test_answers_do_not_depend_on_earlier_questions: after a question
    # spanning 1900-1970, going back one hour from 1900 raised "not enough open
    # time within a century", while a fresh calendar answered.
    hours = {"sun": ["00:00-00:30", "01:00-01:30"]}
    start, back = np.array([-2208988800.0]), np.array([-3601.0])
    fresh_answer = BusinessCalendar("UTC", hours).add_seconds(start, back)
    calendar = BusinessCalendar("UTC", hours)
    calendar.business_seconds(np.array([0.0]), np.array([-2208988800.0]))
    assert np.array_equal(calendar.add_seconds(start, back), fresh_answer)
