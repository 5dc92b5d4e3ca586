"""Naive times localised by the table loaders, and offsets they read, against zoneinfo.

The oracle is Python's own ``datetime(..., tzinfo=ZoneInfo(zone))`` built row by row
(``fold=0``: a wall time repeated by a fold is its first occurrence, one skipped by a
gap takes the offset before the gap, as docs/io/dataframes.md says).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cxmetrics import RecordValidationError, first_response_time
from cxmetrics.io import to_ticket_batch
from cxmetrics.models.ticket import StatusChange
from cxmetrics.tables.timestamps import localize

pa = pytest.importorskip("pyarrow")

# Quarter-hour offsets with DST (Chatham), a 30-minute DST (Lord Howe), an ordinary
# DST zone, and a +05:45 zone that once moved by 15 minutes (Kathmandu, 1986).
ZONES = ("Pacific/Chatham", "Australia/Lord_Howe", "America/New_York", "Asia/Kathmandu")
EPOCH = datetime(1970, 1, 1)


def _wall_seconds(walls: list[datetime]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Naive wall-clock datetimes as the seconds ``localize`` takes."""
    return np.array([(w - EPOCH) / timedelta(seconds=1) for w in walls])


def _oracle(walls: list[datetime], zone: str) -> list[float]:
    """UTC epoch seconds of each wall time in ``zone``, one zoneinfo call per row."""
    tz = ZoneInfo(zone)
    return [w.replace(tzinfo=tz, fold=0).timestamp() for w in walls]


_walls = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1))


@functools.cache
def _changes(zone: str, year: int) -> list[datetime]:
    """Naive wall times one to two hours before each change of ``zone``'s offset in ``year``.

    Found by stepping through the year's UTC hours with zoneinfo: offsets never
    change twice within an hour, so each change lies in the hour before the first
    hourly instant that shows it.
    """
    tz = ZoneInfo(zone)
    start = datetime(year, 1, 1, tzinfo=timezone.utc)
    before = start.astimezone(tz).utcoffset()
    found = []
    for hour in range(1, 24 * 366 + 1):
        instant = start + timedelta(hours=hour)
        offset = instant.astimezone(tz).utcoffset()
        if offset != before:
            found.append((instant - timedelta(hours=2)).astimezone(tz).replace(tzinfo=None))
            before = offset
    return found


@st.composite
def _near_a_change(draw: st.DrawFn, zone: str) -> datetime:
    """A wall time within a few hours of a change of the zone's offset, when its year has one."""
    year = draw(st.integers(1900, 2199))
    changes = _changes(zone, year)
    if not changes:
        return draw(_walls)
    base = draw(st.sampled_from(changes))
    seconds = draw(st.integers(0, 5 * 3600))
    return base + timedelta(seconds=seconds, microseconds=draw(st.sampled_from([0, 500_000])))


@given(st.data())
def test_localize_agrees_with_zoneinfo(data: st.DataObject) -> None:
    zone = data.draw(st.sampled_from(ZONES))
    walls = data.draw(st.lists(st.one_of(_walls, _near_a_change(zone)), min_size=1, max_size=40))
    got = localize(_wall_seconds(walls), zone)
    np.testing.assert_allclose(got, _oracle(walls, zone), rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    ("zone", "year"),
    [
        ("Pacific/Chatham", 2024),
        ("Australia/Lord_Howe", 2024),
        ("America/New_York", 2024),
        ("Asia/Kathmandu", 1986),
    ],
)
def test_localize_a_whole_year_every_quarter_hour(zone: str, year: int) -> None:
    # Every quarter hour of the year, and one second and half a second around each:
    # every step of the offset is met exactly where it happens.
    start = datetime(year - 1, 12, 31)
    walls = [
        start + timedelta(minutes=15 * k, seconds=shift)
        for k in range(4 * 24 * 368)
        for shift in (-1.0, 0.0, 0.5)
    ]
    got = localize(_wall_seconds(walls), zone)
    np.testing.assert_array_equal(got, _oracle(walls, zone))


def test_localize_keeps_missing_and_rejects_unknown_zones() -> None:
    got = localize(np.array([np.nan, 0.0]), "Pacific/Chatham")
    assert np.isnan(got[0])
    assert got[1] == -(12 * 3600 + 45 * 60)  # 1970-01-01 00:00 at +12:45
    with pytest.raises(ValueError, match="IANA"):
        localize(np.array([0.0]), "Mars/Olympus")


def _first_reply(created: str, reply: str, zone: str | None) -> timedelta:
    tickets = pa.table({"id": ["1"], "created_at": [created]})
    messages = pa.table({"ticket_id": ["1"], "at": [reply], "author": ["agent"]})
    batch = to_ticket_batch(tickets, messages=messages, timezone=zone)
    value = first_response_time(batch)
    assert isinstance(value, timedelta)
    return value


def test_chatham_times_after_each_change_of_offset() -> None:
    # 2024-09-29: 02:45 +12:45 jumps to 03:45 +13:45. 02:00 is 13:15Z the day before,
    # 03:50 is 14:05Z: 50 minutes elapsed (an hour of wall clock never happened).
    assert _first_reply("2024-09-29T02:00:00", "2024-09-29T03:50:00", "Pacific/Chatham") == (
        timedelta(minutes=50)
    )
    # 2024-04-07: 03:45 +13:45 falls back to 02:45 +12:45. 03:00 (first pass) is
    # 13:15Z, 03:50 (only after the fold) is 15:05Z: 110 minutes.
    assert _first_reply("2024-04-07T03:00:00", "2024-04-07T03:50:00", "Pacific/Chatham") == (
        timedelta(minutes=110)
    )


def test_hour_only_offsets_are_offsets() -> None:
    # 09:00 in Paris (winter, +01:00) is 08:00Z; 09:30+01 is 08:30Z: 30 minutes.
    assert _first_reply("2024-03-04T09:00:00", "2024-03-04T09:30:00+01", "Europe/Paris") == (
        timedelta(minutes=30)
    )
    # Without timezone= the value is not naive: it has an offset.
    assert _first_reply("2024-03-04T08:00:00Z", "2024-03-04T06:30:00-02", None) == timedelta(
        minutes=30
    )


OFFSETS = [
    ("+01", 3600),
    ("+0100", 3600),
    ("+01:00", 3600),
    ("-05:45", -(5 * 3600 + 45 * 60)),
    ("+23:59", 23 * 3600 + 59 * 60),
    ("-23", -23 * 3600),
    ("Z", 0),
    ("+24:00", None),
    ("+25:00", None),
    ("-25", None),
    ("+01:60", None),
    ("+1", None),
    ("+01:00Z", None),
    ("+01:00+01:00", None),
]


@pytest.mark.parametrize(("suffix", "offset"), OFFSETS)
def test_tables_read_offsets_as_the_record_models_do(suffix: str, offset: int | None) -> None:
    text = f"2024-03-04T12:00:00{suffix}"
    tickets = pa.table({"id": ["1"], "created_at": [text]})
    if offset is None:
        with pytest.raises(ValidationError):
            StatusChange(at=text, status="open")
        with pytest.raises(RecordValidationError) as caught:
            to_ticket_batch(tickets)
        assert [(e["field"], e["type"]) for e in caught.value.errors] == [
            ("created_at", "datetime_parsing")
        ]
        return
    expected = datetime(2024, 3, 4, 12, tzinfo=timezone.utc) - timedelta(seconds=offset)
    assert StatusChange(at=text, status="open").at == expected
    for zone in (None, "Asia/Tokyo"):  # an explicit offset is never localised again
        batch = to_ticket_batch(tickets, timezone=zone)
        assert batch.created_at.tolist() == [expected.timestamp()]
