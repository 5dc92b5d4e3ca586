"""Contact volume per interval and by weekday x hour: hand examples and pandas oracle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given

from cxmetrics import Call
from cxmetrics.metrics.contact_volume import (
    WEEKDAYS,
    contact_volume,
    volume_by_hour_and_weekday,
)

from tests.metrics.cc_strategies import T0, call_lists


def test_hand_computed_intervals() -> None:
    calls = [
        Call(at=T0 + timedelta(minutes=1), talk=9),
        Call(at=T0 + timedelta(minutes=14), wait=3, abandoned=True),
        Call(at=T0 + timedelta(minutes=50), talk=9),
        Call(at=T0 + timedelta(minutes=20), talk=9, direction="outbound"),
    ]
    table = contact_volume(calls, interval=timedelta(minutes=15))
    assert table.column("start_at") == [T0 + timedelta(minutes=15 * i) for i in range(4)]
    assert table.column("offered") == [2, 0, 0, 1]
    assert table.column("answered") == [1, 0, 0, 1]
    assert table.column("abandoned") == [1, 0, 0, 0]
    assert contact_volume(calls, interval=3600).column("offered") == [3]
    assert len(contact_volume([])) == 0


def test_local_time_alignment() -> None:
    # 08:01 UTC is 03:01 in New York (EST): the hour bucket starts 03:00 local.
    table = contact_volume(
        [Call(at=T0 + timedelta(minutes=1), talk=1)], 3600, timezone="America/New_York"
    )
    start = table.column("start_at")[0]
    assert (start.hour, start.utcoffset()) == (3, timedelta(hours=-5))


@given(call_lists)
def test_weekday_hour_matches_pandas(calls: list[Call]) -> None:
    pd = pytest.importorskip("pandas")
    table = volume_by_hour_and_weekday(calls, timezone="Europe/Paris")
    assert len(table) == 168
    inbound = [c for c in calls if c.direction == "inbound"]
    stamps = pd.Series([c.at for c in inbound], dtype="datetime64[ns, UTC]").dt.tz_convert(
        "Europe/Paris"
    )
    expected = {(WEEKDAYS[d], h): 0 for d in range(7) for h in range(24)}
    for stamp in stamps:
        expected[(WEEKDAYS[stamp.weekday()], stamp.hour)] += 1
    got = {(w, h): n for w, h, n, _, _ in table.rows}
    assert got == expected
    assert sum(table.column("contacts")) == len(inbound)
    grid = table.to_pandas()["contacts"].unstack()
    assert grid.shape == (7, 24)


@given(call_lists)
def test_intervals_match_oracle(calls: list[Call]) -> None:
    table = contact_volume(calls, interval=1800)
    inbound = [c for c in calls if c.direction == "inbound"]
    for start, offered, answered, abandoned in table.rows:
        inside = [c for c in inbound if start <= c.at < start + timedelta(minutes=30)]
        assert offered == len(inside) == answered + abandoned
        assert abandoned == sum(c.abandoned for c in inside)
    assert sum(table.column("offered")) == len(inbound)


def test_the_old_start_column_name_still_reads_with_a_warning() -> None:
    from cxmetrics.exceptions import CXMetricsDeprecationWarning

    table = contact_volume([Call(at=T0, talk=9)], 900)
    with pytest.warns(CXMetricsDeprecationWarning, match="'start' column is now called 'start_at'"):
        assert table.column("start") == table.column("start_at") == [T0]
