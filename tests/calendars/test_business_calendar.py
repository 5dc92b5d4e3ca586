"""BusinessCalendar against the minute-walking oracle, its laws, and its bad input."""

from __future__ import annotations

import pickle
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

UTC = timezone.utc
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"]
# Days around the 2026 DST changes of those zones, and one quiet week.
ANCHORS = [
    datetime(2026, 3, 6, tzinfo=UTC),   # New York springs forward on 03-08
    datetime(2026, 3, 26, tzinfo=UTC),  # Berlin springs forward on 03-29
    datetime(2026, 4, 2, tzinfo=UTC),   # Lord Howe falls back 30 min on 04-05
    datetime(2026, 10, 1, tzinfo=UTC),  # Lord Howe springs forward on 10-04
    datetime(2026, 10, 22, tzinfo=UTC), # Berlin falls back on 10-25
    datetime(2026, 10, 30, tzinfo=UTC), # New York falls back on 11-01
    datetime(2026, 6, 10, tzinfo=UTC),
]  # fmt: skip
SPAN_MINUTES = 6 * 24 * 60


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_windows(draw: st.DrawFn) -> list[str] | None:
    """Zero to two windows on a 30-minute grid, sometimes overnight."""
    count = draw(st.integers(0, 2))
    if count == 0:
        return None
    points = sorted(
        draw(st.lists(st.integers(0, 47), min_size=2 * count, max_size=2 * count, unique=True))
    )
    windows = [
        f"{_clock(30 * points[2 * i])}-{_clock(30 * points[2 * i + 1])}" for i in range(count)
    ]
    if draw(st.booleans()) and count == 1:  # an overnight window: swap start and end
        start, end = windows[0].split("-")
        windows = [f"{end}-{start}"]
    return windows


@st.composite
def calendars(draw: st.DrawFn) -> tuple[dict[str, Any], BusinessCalendar, Oracle, datetime]:
    zone = draw(st.sampled_from(ZONES))
    hours = {day: draw(day_windows()) for day in DAYS}
    anchor = draw(st.sampled_from(ANCHORS))
    first_day = anchor.date()
    holidays = draw(
        st.lists(st.integers(0, 7).map(lambda k: first_day + timedelta(days=k)), max_size=2)
    )
    try:
        calendar = BusinessCalendar(zone, hours, holidays)
    except CalendarError:
        assume(False)
        raise
    definition = {"zone": zone, "hours": hours, "holidays": holidays}
    return definition, calendar, Oracle(zone, hours, holidays), anchor


minutes = st.integers(0, SPAN_MINUTES)


@settings(max_examples=60)
@given(calendars(), st.lists(st.tuples(minutes, minutes), min_size=1, max_size=20))
def test_agrees_with_the_minute_walking_oracle(
    setup: tuple[dict[str, Any], BusinessCalendar, Oracle, datetime], pairs: list[tuple[int, int]]
) -> None:
    _, calendar, oracle, anchor = setup
    base = anchor.timestamp()
    flags = oracle.open_minutes(base, SPAN_MINUTES)
    cumulative = np.concatenate([[0], np.cumsum(flags)]) * 60.0
    starts = np.array([base + 60.0 * a for a, _ in pairs])
    ends = np.array([base + 60.0 * b for _, b in pairs])
    expected = np.array([cumulative[b] - cumulative[a] for a, b in pairs])
    np.testing.assert_allclose(calendar.business_seconds(starts, ends), expected, atol=1e-6)
    # open and closed minutes agree too
    for a, _ in pairs[:5]:
        moment = datetime.fromtimestamp(base + 60.0 * a, UTC)
        assert calendar.is_open(moment) == bool(flags[a]) if a < SPAN_MINUTES else True


@settings(max_examples=60)
@given(calendars(), minutes, st.integers(0, 3 * 24 * 60))
def test_add_is_the_inverse_of_business_time(
    setup: tuple[dict[str, Any], BusinessCalendar, Oracle, datetime], start: int, amount: int
) -> None:
    _, calendar, _, anchor = setup
    assume(not calendar.never_open)
    a = anchor + timedelta(minutes=start)
    for delta in (timedelta(minutes=amount), -timedelta(minutes=amount)):
        b = calendar.add(a, delta)
        assert abs(calendar.business_time(a, b) - delta) <= timedelta(microseconds=1)
        # the result is the earliest such instant going forward (latest going back)
        if delta > timedelta(0):
            assert b > a and calendar.business_time(a, b - timedelta(seconds=1)) < delta
        if delta < timedelta(0):
            assert b < a and calendar.business_time(a, b + timedelta(seconds=1)) > delta


@given(calendars(), minutes, minutes, minutes)
def test_additivity_bounds_antisymmetry(
    setup: tuple[dict[str, Any], BusinessCalendar, Oracle, datetime], x: int, y: int, z: int
) -> None:
    _, calendar, _, anchor = setup
    a, b, c = (anchor + timedelta(minutes=m) for m in sorted((x, y, z)))
    d = calendar.business_time
    assert abs(d(a, c) - (d(a, b) + d(b, c))) <= timedelta(microseconds=2)
    assert timedelta(0) <= d(a, b) <= b - a
    assert d(b, a) == -d(a, b)


@given(calendars(), minutes, minutes, st.sampled_from(ZONES))
def test_same_instants_in_another_zone_give_the_same_result(
    setup: tuple[dict[str, Any], BusinessCalendar, Oracle, datetime], x: int, y: int, other: str
) -> None:
    _, calendar, _, anchor = setup
    a, b = anchor + timedelta(minutes=x), anchor + timedelta(minutes=y)
    zone = ZoneInfo(other)
    assert calendar.business_time(a, b) == calendar.business_time(
        a.astimezone(zone), b.astimezone(zone)
    )


@given(st.sampled_from(ZONES), st.sampled_from(ANCHORS), minutes, minutes)
def test_always_open_is_elapsed_time(zone: str, anchor: datetime, x: int, y: int) -> None:
    calendar = BusinessCalendar.always_open(zone)
    a, b = anchor + timedelta(minutes=x), anchor + timedelta(minutes=y)
    assert calendar.business_time(a, b) == b - a


@given(calendars(), st.integers(0, 5))
def test_a_holiday_contributes_nothing(
    setup: tuple[dict[str, Any], BusinessCalendar, Oracle, datetime], offset: int
) -> None:
    definition, calendar, _, anchor = setup
    day = anchor.date() + timedelta(days=offset + 1)
    with_holiday = BusinessCalendar(
        definition["zone"], definition["hours"], [*definition["holidays"], day]
    )
    zone = ZoneInfo(definition["zone"])
    start = datetime.combine(day - timedelta(days=1), datetime.min.time(), zone)
    end = datetime.combine(day + timedelta(days=2), datetime.min.time(), zone)
    lost = calendar.business_time(start, end) - with_holiday.business_time(start, end)
    # What a holiday removes is exactly the windows starting on that day, nothing else.
    only_that_day = BusinessCalendar(
        definition["zone"], definition["hours"], definition["holidays"]
    )
    assert lost >= timedelta(0)
    assert lost == _windows_starting_on(only_that_day, day, definition)


def _windows_starting_on(
    calendar: BusinessCalendar, day: date, definition: dict[str, Any]
) -> timedelta:
    if day in calendar.holidays:
        return timedelta(0)
    hours_that_day = {DAYS[day.weekday()]: definition["hours"][DAYS[day.weekday()]]}
    alone = BusinessCalendar(definition["zone"], hours_that_day)
    zone = ZoneInfo(definition["zone"])
    start = datetime.combine(day, datetime.min.time(), zone)
    return alone.business_time(start, start + timedelta(days=2))


# --- vectorised input forms -------------------------------------------------------------


def test_input_forms_agree_and_missing_values_are_nan() -> None:
    calendar = BusinessCalendar("UTC")
    starts = [datetime(2026, 1, 9, 16, tzinfo=UTC), None]
    ends = [datetime(2026, 1, 12, 11, tzinfo=UTC), datetime(2026, 1, 12, 11, tzinfo=UTC)]
    from_objects = calendar.business_seconds(starts, ends)
    as64 = np.array(["2026-01-09T16:00", "NaT"], dtype="datetime64[ns]")
    end64 = np.array(["2026-01-12T11:00", "2026-01-12T11:00"], dtype="datetime64[ns]")
    from_datetime64 = calendar.business_seconds(as64, end64)
    from_floats = calendar.business_seconds(
        np.array([starts[0].timestamp(), np.nan]), np.array([e.timestamp() for e in ends])
    )
    for result in (from_objects, from_datetime64, from_floats):
        assert result[0] == 3 * 3600 and np.isnan(result[1])


def test_add_seconds_handles_arrays_and_missing_values() -> None:
    calendar = BusinessCalendar("UTC")
    start = datetime(2026, 1, 9, 16, tzinfo=UTC).timestamp()
    out = calendar.add_seconds(np.array([start, start, np.nan]), np.array([3600.0, np.nan, 60.0]))
    assert out[0] == datetime(2026, 1, 9, 17, tzinfo=UTC).timestamp()
    assert np.isnan(out[1]) and np.isnan(out[2])


def test_far_queries_extend_the_timeline_lazily() -> None:
    calendar = BusinessCalendar("Europe/Berlin")
    a = datetime(2026, 1, 5, 9, tzinfo=UTC)
    # 250 working days of 8 hours: exactly 50 weeks later, same weekday and time.
    far = calendar.add(a, timedelta(hours=8 * 250))
    assert far == datetime(2026, 12, 21, 9, tzinfo=UTC)
    assert calendar.business_time(a, far) == timedelta(hours=2000)
    assert calendar.add(a, -timedelta(hours=8 * 500)) == datetime(2024, 2, 5, 9, tzinfo=UTC)


# --- identity -----------------------------------------------------------------------------


def test_immutable_hashable_picklable() -> None:
    calendar = BusinessCalendar(
        "Europe/Berlin",
        {"mon-fri": ["08:00-12:00", "13:00-17:00"], "sat": "22:00-06:00"},
        {date(2026, 1, 1): "New Year"},
        special_hours={date(2026, 12, 24): "09:00-12:00"},
        extra_working_days=[date(2026, 1, 10)],
    )
    calendar.business_time(datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 2, 5, tzinfo=UTC))
    clone = pickle.loads(pickle.dumps(calendar))
    assert clone == calendar and hash(clone) == hash(calendar)
    assert {calendar: 1}[clone] == 1
    with pytest.raises(AttributeError, match="immutable"):
        calendar.timezone = "UTC"  # type: ignore[misc]
    assert BusinessCalendar("UTC") != BusinessCalendar("UTC", holidays=[date(2026, 1, 1)])


def test_from_country_uses_the_holidays_package() -> None:
    pytest.importorskip("holidays")
    calendar = BusinessCalendar.from_country(
        "US", subdivision="NY", years=[2026], timezone="America/New_York"
    )
    assert date(2026, 7, 3) in calendar.holidays  # Independence Day observed (Friday)
    july = datetime(2026, 7, 3, 10, tzinfo=ZoneInfo("America/New_York"))
    assert calendar.business_time(july, july + timedelta(hours=2)) == timedelta(0)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'; use an IANA name"),
        ({"hours": {"mon": "25:00-26:00"}}, "'25:00' in hours '25:00-26:00' is not a time of day"),
        ({"hours": {"mon": "09:00-09:00"}}, "window '09:00-09:00' is empty"),
        (
            {"hours": {"mon": ["09:00-12:00", "11:00-13:00"]}},
            "windows '09:00-12:00' and '11:00-13:00' overlap",
        ),
        (
            {"hours": {"mon": "22:00-06:00", "tue": "05:00-09:00"}},
            "the mon window '22:00-06:00' overlaps the tue window",
        ),
        ({"hours": {"mon": "9-17"}}, "cannot read the time '9' in hours '9-17'"),
        ({"hours": {"monday-friday": "09:00-17:00"}}, None),
        ({"hours": {"funday": "09:00-17:00"}}, "unknown day 'funday'"),
        ({"holidays": ["25/12/2026"]}, "holidays: '25/12/2026' is not a date"),
        ({"holidays": [datetime(2026, 12, 25, tzinfo=UTC)]}, "is a datetime, not a date"),
    ],
)
def test_bad_definitions_name_the_value_and_the_fix(
    kwargs: dict[str, Any], message: str | None
) -> None:
    if message is None:  # long day names are accepted
        assert BusinessCalendar(**kwargs).hours["fri"] == ["09:00-17:00"]
        return
    with pytest.raises(CalendarError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BusinessCalendar(**kwargs)


def test_naive_datetimes_are_rejected_with_the_fix() -> None:
    calendar = BusinessCalendar()
    with pytest.raises(
        CalendarError, match=r"start 2026-01-05T09:00:00 has no timezone; pass an aware"
    ):
        calendar.business_time(datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 10, tzinfo=UTC))
    with pytest.raises(CalendarError, match=r"starts\[0\] .* has no timezone"):
        calendar.business_seconds([datetime(2026, 1, 5, 9)], [datetime(2026, 1, 5, 10, tzinfo=UTC)])
    assert issubclass(CalendarError, ValueError)


# Issue 13.
@pytest.mark.parametrize("zone", ["localtime", "/etc/localtime", "posixrules"])
def test_the_machine_zone_is_refused(zone: str) -> None:
    with pytest.raises(CalendarError, match="machine's own zone"):
        BusinessCalendar(zone)


def test_business_seconds_of_different_lengths_is_an_error() -> None:
    cal = BusinessCalendar.always_open()
    with pytest.raises(CalendarError, match=r"same length .* got 2 starts and 3 ends"):
        cal.business_seconds([0.0, 1.0], [10.0, 20.0, 30.0])
    assert cal.business_seconds([0.0], [10.0, 20.0]).tolist() == [10.0, 20.0]
