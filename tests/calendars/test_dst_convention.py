"""The DST convention option: today's wall-clock reading against the biz gem's.

The ``biz`` gem (zendesk/biz, Zammad's calendar library) turns each window
boundary into one instant with TZInfo's ``local_to_utc(time, true)`` (``lib/biz/time.rb``,
``Biz::Time#on_date``): an ambiguous time takes its DST (first) pass, and a time
that does not exist raises ``PeriodNotFound``, after which the boundary is read
one hour later (``DayTime#for_dst``). The window is then the time segment between
the two instants. The oracle below does the same with Python's own datetime
round trip, one boundary at a time; it shares no code with the library.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import BusinessCalendar, CalendarError

from .oracle import Oracle, assert_matches_flags
from .test_business_calendar import SPAN_MINUTES, calendars, minutes

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
SPRING, FALL = date(2024, 3, 31), date(2024, 10, 27)  # Berlin: 02:00->03:00, 03:00->02:00


def _measure(hours: dict[str, str], day: date, convention: str) -> float:
    """Hours open in the two days around ``day`` (nothing else is open)."""
    calendar = BusinessCalendar("Europe/Berlin", hours, dst_convention=convention)
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    return calendar.business_time(start, start + timedelta(days=2)).total_seconds() / 3600


# (window, its day, wall hours, biz hours), each worked by hand below.
CASES = [
    # A night shift across the change, both boundaries clear of it: both read the
    # same two instants; the shift lasts 7 h (spring) and 9 h (fall) of real time.
    ({"sat": "22:00-06:00"}, SPRING, 7.0, 7.0),
    ({"sat": "22:00-06:00"}, FALL, 9.0, 9.0),
    # The end in the gap: wall closes at the gap's end (03:00 CEST), 4 h after
    # 22:00 CET; biz reads 02:30 as 03:30 CEST, 4.5 h.
    ({"sat": "22:00-02:30"}, SPRING, 4.0, 4.5),
    # The end in the fold: wall is open while the clock reads before 02:30, on both
    # passes (22:00 CEST to the first 02:30, 4.5 h, and the second 02:00-02:30,
    # 0.5 h); biz stops at the first 02:30.
    ({"sat": "22:00-02:30"}, FALL, 5.0, 4.5),
    # The start in the gap: wall opens at 03:00 CEST (3 h to 06:00); biz at 03:30.
    ({"sun": "02:30-06:00"}, SPRING, 3.0, 2.5),
    # The start in the fold: wall opens on the second 02:30 (3.5 h to 06:00 CET)
    # plus the first pass's 02:30-03:00 (0.5 h); biz from the first 02:30, 4.5 h.
    ({"sun": "02:30-06:00"}, FALL, 4.0, 4.5),
    # A window wholly inside the gap: the clock never reads it (0 h); biz opens
    # 03:15-03:45 CEST.
    ({"sun": "02:15-02:45"}, SPRING, 0.0, 0.5),
    # Whole days: 23 h and 25 h under both.
    ({"sun": "00:00-24:00"}, SPRING, 23.0, 23.0),
    ({"sun": "00:00-24:00"}, FALL, 25.0, 25.0),
]


@pytest.mark.parametrize(("hours", "day", "wall", "biz"), CASES)
def test_the_table_of_cases(hours: dict[str, str], day: date, wall: float, biz: float) -> None:
    assert _measure(hours, day, "wall") == wall
    assert _measure(hours, day, "biz") == biz


def _real_hours(start: datetime, end: datetime) -> float:
    # (Subtracting datetimes of one zone gives the wall-clock difference: use instants.)
    return (end.timestamp() - start.timestamp()) / 3600


def test_which_convention_measures_a_night_shift_as_long_as_it_lasts() -> None:
    # 22:00 to 06:00 across either change: aware datetimes give the real length,
    # and both conventions measure it.
    for day in (SPRING, FALL):
        eve = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=BERLIN)
        real = _real_hours(eve.replace(hour=22), (eve + timedelta(days=1)).replace(hour=6))
        assert _measure({"sat": "22:00-06:00"}, day, "wall") == real
        assert _measure({"sat": "22:00-06:00"}, day, "biz") == real
    # A shift that ends at 02:30 on the spring night ends when the clock first
    # reads 02:30 or later, 03:00 CEST: 4 h of real time. The wall convention
    # measures that; biz counts 03:00-03:30, when the clock reads outside the shift.
    start = datetime(2024, 3, 30, 22, tzinfo=BERLIN)
    leaves = datetime(2024, 3, 31, 1, 0, tzinfo=UTC)  # the first instant reading >= 02:30
    assert leaves.astimezone(BERLIN).strftime("%H:%M") == "03:00"
    assert _measure({"sat": "22:00-02:30"}, SPRING, "wall") == _real_hours(start, leaves)
    assert _measure({"sat": "22:00-02:30"}, SPRING, "biz") != _real_hours(start, leaves)
    # On the fall night the clock first reads 02:30 at 00:30 UTC: a shift that ends
    # then lasts 4.5 h, which biz measures; the wall convention adds the second
    # pass of 02:00-02:30 (the clock reads inside the window again).
    start = datetime(2024, 10, 26, 22, tzinfo=BERLIN)
    leaves = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert _measure({"sat": "22:00-02:30"}, FALL, "biz") == _real_hours(start, leaves)
    assert _measure({"sat": "22:00-02:30"}, FALL, "wall") == _real_hours(start, leaves) + 0.5


# --- the biz convention against its own minute-walking oracle ------------------------------


def _biz_instant(day: date, minute: int, zone: ZoneInfo) -> float:
    """A wall time read as biz reads it: first pass of a fold; in a gap, an hour later."""
    while True:
        wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
        local = wall.replace(tzinfo=zone, fold=0)
        back = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back == wall:  # the time occurs (fold=0 is the first pass)
            return local.timestamp()
        minute += 60


def _biz_flags(oracle: Oracle, base: float, count: int) -> np.ndarray:
    """Open flags of whole minutes: the union of each window's [start, end) instants."""
    flags = np.zeros(count, dtype=bool)
    first = datetime.fromtimestamp(base, oracle.zone).date() - timedelta(days=2)
    for k in range(count // 1440 + 4):
        day = first + timedelta(days=k)
        for s, e in oracle.windows_of(day):
            a, b = _biz_instant(day, s, oracle.zone), _biz_instant(day, e, oracle.zone)
            lo = max(0, int(np.ceil((a - base) / 60.0)))
            hi = min(count, int(np.ceil((b - base) / 60.0)))
            if hi > lo:
                flags[lo:hi] = True
    return flags


@settings(max_examples=40, deadline=None)
@given(calendars(), st.lists(st.tuples(minutes, minutes), min_size=1, max_size=12))
def test_biz_agrees_with_its_minute_walking_oracle(
    setup: Any, pairs: list[tuple[int, int]]
) -> None:
    definition, _, oracle, anchor = setup
    try:
        calendar = BusinessCalendar(
            definition["zone"], definition["hours"], definition["holidays"], dst_convention="biz"
        )
    except CalendarError:
        return
    base = anchor.timestamp()
    flags = _biz_flags(oracle, base, SPAN_MINUTES)
    assert_matches_flags(calendar, flags, base, pairs)


@settings(max_examples=30, deadline=None)
@given(calendars(), st.lists(st.tuples(minutes, minutes), min_size=1, max_size=12))
def test_the_conventions_agree_away_from_dst_changes(
    setup: Any, pairs: list[tuple[int, int]]
) -> None:
    definition, wall, _, anchor = setup
    if anchor.month != 6:  # the quiet week of the anchors
        anchor = datetime(2026, 6, 10, tzinfo=UTC)
    try:
        biz = BusinessCalendar(
            definition["zone"], definition["hours"], definition["holidays"], dst_convention="biz"
        )
    except CalendarError:
        return
    starts = np.array([anchor.timestamp() + 60.0 * a for a, _ in pairs])
    ends = np.array([anchor.timestamp() + 60.0 * b for _, b in pairs])
    assert np.array_equal(biz.business_seconds(starts, ends), wall.business_seconds(starts, ends))


def test_the_option_is_checked_kept_and_compared() -> None:
    with pytest.raises(CalendarError, match="dst_convention"):
        BusinessCalendar("UTC", dst_convention="zammad")
    biz = BusinessCalendar("Europe/Berlin", dst_convention="biz")
    assert biz != BusinessCalendar("Europe/Berlin")
    assert "dst_convention='biz'" in repr(biz)
    import pickle

    assert pickle.loads(pickle.dumps(biz)).dst_convention == "biz"
