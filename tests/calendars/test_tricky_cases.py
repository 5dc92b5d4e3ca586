"""The 21 business-time cases where peer packages fail (peer-packages.md §2), and more."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cxmetrics.calendars import BusinessCalendar

from .oracle import Oracle

UTC = timezone.utc
NY, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
WEEK = {"mon-fri": "09:00-17:00"}
HOLIDAYS = [date(2026, 1, 7), date(2026, 1, 19)]  # a Wednesday, and one listed before a later query
NIGHTS = {"mon-fri": "22:00-06:00"}
EVERY_NIGHT = {"mon-sun": "20:00-08:00"}


def t(
    day: int,
    hour: int,
    minute: int = 0,
    tz: ZoneInfo | timezone = UTC,
    month: int = 1,
    year: int = 2026,
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


CASES = [
    # id, timezone, hours, holidays, start, end, expected hours
    ("a inside one day", "UTC", WEEK, (), t(5, 10, 15), t(5, 15, 45), 5.5),
    ("b over weekend", "UTC", WEEK, (), t(9, 15), t(12, 11), 4),
    ("c1 both outside hours", "UTC", WEEK, (), t(5, 7), t(6, 19, 30), 16),
    ("c2 after close to before open", "UTC", WEEK, (), t(5, 18), t(6, 8), 0),
    ("c3 weekend only", "UTC", WEEK, (), t(10, 10), t(11, 15), 0),
    ("d1 holiday in the middle", "UTC", WEEK, HOLIDAYS, t(6, 13), t(8, 11), 6),
    ("d2 after the last listed holiday", "UTC", WEEK, HOLIDAYS, t(2, 10, month=2), t(2, 12, month=2), 2),
    ("e1 overnight whole shift", "UTC", NIGHTS, (), t(5, 22), t(6, 6), 8),
    ("e2 overnight part", "UTC", NIGHTS, (), t(5, 23), t(6, 2), 3),
    ("e3 friday shift runs into saturday", "UTC", NIGHTS, (), t(9, 20), t(10, 12), 8),
    ("f1 NY spring forward", "America/New_York", WEEK, (),
     t(6, 16, tz=NY, month=3), t(9, 10, tz=NY, month=3), 2),
    ("f2 NY fall back", "America/New_York", WEEK, (),
     t(30, 16, tz=NY, month=10), t(2, 10, tz=NY, month=11), 2),
    ("f3 Berlin spring forward", "Europe/Berlin", WEEK, (),
     t(27, 16, tz=BERLIN, month=3), t(30, 10, tz=BERLIN, month=3), 2),
    ("f4 Berlin night shift over spring forward", "Europe/Berlin", EVERY_NIGHT, (),
     t(28, 20, tz=BERLIN, month=3), t(29, 8, tz=BERLIN, month=3), 11),
    ("f5 NY night shift over fall back", "America/New_York", EVERY_NIGHT, (),
     t(31, 20, tz=NY, month=10), t(1, 8, tz=NY, month=11), 13),
    ("f4b starting before the shift", "Europe/Berlin", EVERY_NIGHT, (),
     t(28, 19, tz=BERLIN, month=3), t(29, 9, tz=BERLIN, month=3), 11),
    ("f5b starting before the shift", "America/New_York", EVERY_NIGHT, (),
     t(31, 19, tz=NY, month=10), t(1, 9, tz=NY, month=11), 13),
    ("g end before start", "UTC", WEEK, (), t(5, 15, 45), t(5, 10, 15), -5.5),
    ("h per-weekday hours", "UTC", {"mon-fri": "09:00-17:00", "sat": "10:00-14:00"}, (),
     t(9, 16), t(12, 10), 6),
    ("i1 lunch break", "UTC", {"mon-fri": ["09:00-12:00", "13:00-17:00"]}, (), t(5, 11), t(5, 14), 2),
    ("i2 lunch break over a day", "UTC", {"mon-fri": ["09:00-12:00", "13:00-17:00"]}, (),
     t(5, 12, 30), t(6, 12, 30), 7),
]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "hours", "holidays", "start", "end", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_tricky_case(zone, hours, holidays, start, end, expected) -> None:  # type: ignore[no-untyped-def]
    calendar = BusinessCalendar(zone, hours, holidays)
    assert calendar.business_time(start, end) == timedelta(hours=expected)
    assert Oracle(zone, hours, holidays).business_seconds(start, end) == expected * 3600
    # The same instants given in UTC give the same answer.
    assert calendar.business_time(start.astimezone(UTC), end.astimezone(UTC)) == timedelta(
        hours=expected
    )


# --- documented semantics -------------------------------------------------------------


def test_holiday_cancels_the_shifts_that_start_on_it() -> None:
    calendar = BusinessCalendar("UTC", NIGHTS, [date(2026, 1, 6)])  # a Tuesday
    assert calendar.business_time(t(5, 22), t(6, 6)) == timedelta(hours=8)  # Monday's shift runs
    assert calendar.business_time(t(6, 22), t(7, 6)) == timedelta(0)  # Tuesday's is cancelled


def test_add_ends_exactly_at_closing_time() -> None:
    calendar = BusinessCalendar("UTC", WEEK)
    assert calendar.add(t(9, 16), timedelta(hours=1)) == t(9, 17)
    assert calendar.add(t(9, 16), timedelta(hours=1, seconds=1)) == t(12, 9, 0) + timedelta(
        seconds=1
    )


def test_add_going_back_ends_at_opening_time() -> None:
    calendar = BusinessCalendar("UTC", WEEK)
    assert calendar.add(t(12, 10), timedelta(hours=-1)) == t(12, 9)
    assert calendar.add(t(12, 10), timedelta(hours=-2)) == t(9, 16)


def test_add_zero_is_identity_even_when_closed() -> None:
    calendar = BusinessCalendar("UTC", WEEK)
    assert calendar.add(t(10, 3), timedelta(0)) == t(10, 3)


def test_add_from_closed_time_starts_at_the_next_opening() -> None:
    calendar = BusinessCalendar("UTC", WEEK)
    assert calendar.add(t(10, 3), timedelta(minutes=30)) == t(12, 9, 30)


def test_spring_forward_gap_moves_a_boundary_to_the_end_of_the_gap() -> None:
    # Berlin 2026-03-29: 02:00 -> 03:00. A window 02:30-05:00 opens at 03:00 CEST.
    calendar = BusinessCalendar("Europe/Berlin", {"sun": "02:30-05:00"})
    day_start = datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    assert calendar.business_time(day_start, day_start + timedelta(days=1)) == timedelta(hours=2)
    assert calendar.next_open(day_start) == datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)
    # A window entirely inside the gap never opens.
    empty = BusinessCalendar("Europe/Berlin", {"sun": "02:10-02:50"})
    assert empty.business_time(day_start, day_start + timedelta(days=1)) == timedelta(0)


def test_fall_back_fold_counts_both_passes_of_the_repeated_hour() -> None:
    # Berlin 2026-10-25: 03:00 -> 02:00. 00:00-02:30 is open on both passes of 02:00-02:30.
    calendar = BusinessCalendar("Europe/Berlin", {"sun": "00:00-02:30"})
    day_start = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
    assert calendar.business_time(day_start, day_start + timedelta(days=1)) == timedelta(hours=3)
    first_pass_0245 = datetime(2026, 10, 25, 2, 45, tzinfo=BERLIN)  # fold=0: CEST
    second_pass_0215 = datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=BERLIN)  # CET
    assert not calendar.is_open(first_pass_0245)
    assert calendar.is_open(second_pass_0215)


def test_lord_howe_half_hour_shift() -> None:
    # Australia/Lord_Howe moves its clocks by 30 minutes (2026-04-05 02:00 -> 01:30).
    zone = "Australia/Lord_Howe"
    hours = {"mon-sun": "00:00-24:00"}
    calendar = BusinessCalendar(zone, hours)
    start = datetime(2026, 4, 5, 0, 0, tzinfo=ZoneInfo(zone))
    end = start + timedelta(days=1)  # 24 h of wall time, 24.5 h of real time
    # (aware datetimes in one zone subtract as wall clocks; convert to UTC for real time)
    assert calendar.business_time(start, end) == timedelta(hours=24, minutes=30)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24, minutes=30)


def test_never_open_calendar() -> None:
    calendar = BusinessCalendar("UTC", {"mon": None})
    assert calendar.never_open
    assert calendar.business_time(t(5, 0), t(12, 0)) == timedelta(0)
    assert calendar.add(t(5, 0), timedelta(0)) == t(5, 0)
    with pytest.raises(ValueError, match="never open"):
        calendar.add(t(5, 0), timedelta(hours=1))
    with pytest.raises(ValueError, match="never open"):
        calendar.next_open(t(5, 0))


def test_special_hours_and_extra_working_days() -> None:
    calendar = BusinessCalendar(
        "UTC",
        WEEK,
        holidays=[date(2025, 12, 25)],
        special_hours={date(2025, 12, 24): "09:00-12:00"},
        extra_working_days=[date(2025, 12, 27)],  # a Saturday
    )
    assert calendar.business_time(
        t(24, 0, month=12, year=2025), t(29, 0, month=12, year=2025)
    ) == timedelta(hours=3 + 0 + 8 + 8)


def test_always_open_equals_wall_clock() -> None:
    calendar = BusinessCalendar.always_open("Europe/Berlin")
    a, b = t(28, 12, tz=BERLIN, month=3), t(30, 12, tz=BERLIN, month=3)
    assert (
        calendar.business_time(a, b) == b.astimezone(UTC) - a.astimezone(UTC) == timedelta(hours=47)
    )
