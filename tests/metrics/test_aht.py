"""AHT: contract, hand-computed values, interval attribution, oracle."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given
from pydantic import ValidationError

from cxmetrics import Call, InvalidParameterError, RecordValidationError, Ticket
from cxmetrics.metrics.aht import AHT, aht, aht_by_interval

from tests.metrics.cc_strategies import T0, call_lists
from tests.metrics.contract import MetricContract


class TestAHT(MetricContract):
    metric_cls = AHT
    function = aht
    items = call_lists


class TestAHTPerContactInbound(MetricContract):
    metric_cls = AHT
    function = aht
    items = call_lists
    params = {"per": "contact", "direction": "inbound", "channel": "phone"}

    def _split(self, items, cuts):  # legs of one contact stay in one partition
        parts = len(cuts) + 1
        return [[c for c in items if hash(c.id) % parts == p] for p in range(parts)]


def _calls() -> list[Call]:
    return [
        Call(at=T0, id="x", talk=200, hold=30, wrap=40, transferred=True),
        Call(at=T0, id="x", talk=100, wrap=20),
        Call(at=T0, talk=60, direction="outbound"),
        Call(at=T0, wait=50, abandoned=True),
        Call(at=T0, talk=300, channel="chat"),
    ]


def test_hand_computed_components() -> None:
    result = (m := AHT()).update(_calls()) or m.compute()
    # (270 + 120 + 60 + 300) / 4 handled contacts
    assert result.value == timedelta(seconds=187.5)
    assert result.n == 4
    assert result.details["talk"] == timedelta(seconds=165)
    assert result.details["hold"] == timedelta(seconds=7.5)
    assert result.details["wrap"] == timedelta(seconds=15)
    assert result.interval[0] <= result.value <= result.interval[1]


def test_filters_and_per_contact() -> None:
    calls = _calls()
    assert aht(calls, channel="phone") == timedelta(seconds=150)  # (270 + 120 + 60) / 3
    assert aht(calls, direction="inbound") == timedelta(seconds=230)  # (270 + 120 + 300) / 3
    # The two legs of contact "x" are one contact of 390 s.
    assert aht(calls, per="contact") == timedelta(seconds=(390 + 60 + 300) / 3)


def test_tickets_contribute_their_calls() -> None:
    ticket = Ticket(id="t", created_at=T0, interactions=[Call(at=T0, talk=90)])
    assert aht([ticket, Call(at=T0, talk=30)]) == timedelta(seconds=60)


def test_column_input_equals_records() -> None:
    calls = _calls()
    columns = {
        "at": [c.at for c in calls],
        "talk": np.array([c.talk.total_seconds() for c in calls]),
        "hold": [c.hold for c in calls],
        "wrap": np.array([c.wrap.total_seconds() for c in calls]),
        "wait": np.array([c.wait.total_seconds() for c in calls]),
        "abandoned": [c.abandoned for c in calls],
        "id": [c.id for c in calls],
    }
    assert aht(columns) == aht(calls)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("talk", -5.0, r"calls row 1 \(id='b'\): calls.talk: duration of -5 s is negative"),
        ("talk", math.nan, r"calls row 1 \(id='b'\): calls.talk: Field required"),
    ],
)
def test_bad_columns_name_the_row(column: str, value: float, message: str) -> None:
    columns = {"at": [T0, T0], "id": ["a", "b"], column: np.array([1.0, value])}
    with pytest.raises(ValueError, match=message):
        aht(columns)


def test_columns_answered_and_abandoned_named() -> None:
    columns = {"at": [T0], "id": ["z"], "talk": [5.0], "abandoned": [True]}
    with pytest.raises(
        ValueError, match=r"calls row 0 \(id='z'\): calls: .*both abandoned and answered"
    ):
        aht(columns)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"wait": -5}, r"contact 'k7': wait duration of -5 s is negative"),
        ({"wrap": timedelta(seconds=-2)}, r"contact 'k7': wrap duration of -2 s is negative"),
        ({"talk": None}, r"contact 'k7': talk missing \(None\)"),
        ({"abandoned": True, "hold": 3}, r"contact 'k7': a contact cannot be both abandoned"),
    ],
)
def test_bad_records_name_the_contact(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Call(at=T0, id="k7", **fields)  # type: ignore[arg-type]


def test_bad_column_lists_every_bad_row() -> None:
    columns = {"at": [T0] * 7, "id": list("abcdefg"), "wait": np.full(7, -1.0)}
    with pytest.raises(RecordValidationError, match=r"7 invalid call rows out of 7") as caught:
        aht(columns)
    assert [p["id"] for p in caught.value.errors] == list("abcdefg")
    assert {p["field"] for p in caught.value.errors} == {"calls.wait"}


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_pandas_aware_column_in_any_unit(unit: str) -> None:
    pd = pytest.importorskip("pandas")
    at = pd.Series([T0, T0 + timedelta(minutes=45)]).astype(f"datetime64[{unit}, UTC]")
    table = aht_by_interval(
        {"at": at, "talk": [60.0, 120.0]}, interval=3600, attribute_by="arrival"
    )
    assert table.column("start_at") == [T0]
    assert table.column("aht") == [timedelta(seconds=90)]


def test_pandas_missing_instant_is_named() -> None:
    pd = pytest.importorskip("pandas")
    at = pd.Series([T0, None, T0]).astype("datetime64[us, UTC]")
    with pytest.raises(ValueError, match=r"calls row 1: calls.at: Field required"):
        aht({"at": at})


def test_naive_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="naive"):
        aht({"at": np.array(["2024-01-01T00:00"], dtype="datetime64[s]")})


def test_wrong_item_type() -> None:
    with pytest.raises(TypeError, match="aht expects Call or Ticket items; item 0 is int"):
        aht([3])


def test_bad_parameter_message() -> None:
    with pytest.raises(InvalidParameterError, match="The 'per' parameter of AHT must be"):
        aht([], per="call")  # type: ignore[arg-type]


def test_by_interval_attributes_to_wrap_end() -> None:
    start = T0.replace(minute=20)
    calls = [
        Call(at=start, wait=60, talk=840, wrap=120),  # wrap ends 08:37 -> 08:30 interval
        Call(at=start, talk=60),  # ends 08:21 -> 08:00
        Call(at=start, abandoned=True, wait=30),
    ]
    table = aht_by_interval(calls)
    assert table.column("start_at") == [T0, T0.replace(minute=30)]
    assert table.column("handled") == [1, 1]
    assert table.column("aht") == [timedelta(seconds=60), timedelta(seconds=960)]
    by_arrival = aht_by_interval(calls, attribute_by="arrival", interval=timedelta(hours=1))
    assert by_arrival.column("aht") == [timedelta(seconds=510)]
    local = aht_by_interval(calls, timezone="Asia/Kolkata", interval=3600)
    # 08:21 and 08:37 UTC are 13:51 and 14:07 in Kolkata (+05:30).
    assert [s.utcoffset() for s in local.column("start_at")] == [timedelta(hours=5, minutes=30)] * 2
    assert local.column("start_at") == [T0 - timedelta(minutes=30), T0 + timedelta(minutes=30)]


def test_by_interval_rejects_uneven_interval() -> None:
    with pytest.raises(ValueError, match="dividing a day evenly"):
        aht_by_interval([], interval=timedelta(minutes=7))


@given(call_lists)
def test_by_interval_is_consistent_with_one_shot(calls: list[Call]) -> None:
    table = aht_by_interval(calls)
    handled = [c for c in calls if not c.abandoned]
    assert sum(table.column("handled")) == len(handled)
    total = sum(
        (a * n for a, n in zip(table.column("aht"), table.column("handled"), strict=True)),
        timedelta(),
    )
    expected = sum((c.handle_time for c in handled), timedelta())
    assert abs((total - expected).total_seconds()) < 1e-3
    pd = pytest.importorskip("pandas")
    assert isinstance(table.to_pandas(), pd.DataFrame)


def test_by_interval_far_apart_contacts() -> None:
    # Ten years of 15-minute intervals between two contacts: buckets are sorted, not counted.
    later = T0 + timedelta(days=3650)
    table = aht_by_interval(
        [Call(at=later, talk=30), Call(at=T0, talk=90), Call(at=T0, talk=30)],
        interval=900,
        attribute_by="arrival",
    )
    assert table.column("start_at") == [T0, later]
    assert table.column("aht") == [timedelta(seconds=60), timedelta(seconds=30)]


@pytest.mark.parametrize("library", ["polars", "pyarrow"])
def test_polars_and_arrow_tables(library: str) -> None:
    module = pytest.importorskip(library)
    pytest.importorskip("narwhals")
    data = {
        "at": [T0, T0 + timedelta(minutes=10)],
        "id": ["a", "b"],
        "wait": [5.0, 40.0],
        "talk": [60.0, 30.0],
        "wrap": [timedelta(seconds=30), timedelta(0)],
    }
    table = module.DataFrame(data) if library == "polars" else module.table(data)
    assert aht(table) == timedelta(seconds=60)
    assert aht_by_interval(table, interval=3600).column("handled") == [2]
    data["talk"] = [60.0, None]
    table = module.DataFrame(data) if library == "polars" else module.table(data)
    with pytest.raises(ValueError, match=r"calls row 1 \(id='b'\): calls.talk: Field required"):
        aht(table)
