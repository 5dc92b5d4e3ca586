"""Revenue changes in column form: a second table beside the customers."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import Customer, RecordValidationError, churn_rate, revenue_churn_rate
from cxmetrics.reporting import report
from cxmetrics.tables.record_frames import to_customer_table
from cxmetrics.tables.schema import Collected, records_to_table

from tests.io.helpers import BACKENDS, frame

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@st.composite
def customers(draw: st.DrawFn) -> list[Customer]:
    out = []
    for number in range(draw(st.integers(1, 8))):
        since = T0 + draw(st.integers(0, 120)) * DAY
        lifetime = draw(st.one_of(st.none(), st.integers(1, 200)))
        until = None if lifetime is None else since + lifetime * DAY
        span = 200 if lifetime is None else lifetime
        changes = [
            {"at": since + draw(st.integers(0, span)) * DAY, "revenue": draw(st.integers(0, 90))}
            for _ in range(draw(st.integers(0, 3)))
        ]
        out.append(
            Customer(
                id=f"u{number}",
                since=since,
                until=until,
                segment=draw(st.sampled_from(["basic", "pro"])),
                revenue=draw(st.integers(0, 90)),
                revenue_changes=changes,
            )
        )
    return out


def _tables(records: list[Customer], backend: str) -> tuple[Any, Any]:
    rows = [
        {"id": c.id, "since": c.since, "until": c.until, "segment": c.segment,
         "revenue": c.revenue}
        for c in records
    ]  # fmt: skip
    changes = [
        {"customer_id": c.id, "at": change.at, "revenue": change.revenue}
        for c in records
        for change in c.revenue_changes
    ]
    return frame(rows, backend), frame(changes, backend) if changes else None


@given(customers(), st.sampled_from(BACKENDS), st.sampled_from(["gross", "net"]))
def test_tables_with_revenue_changes_give_the_numbers_of_the_records(
    records: list[Customer], backend: str, kind: str
) -> None:
    pytest.importorskip(backend)
    table, changes = _tables(records, backend)
    converted = to_customer_table(table, revenue_changes=changes)
    start, end = T0 + 30 * DAY, T0 + 150 * DAY
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an undefined rate is nan on both sides
        expected = revenue_churn_rate(records, window=(start, end), kind=kind)  # type: ignore[call-overload]
        got = revenue_churn_rate(converted, window=(start, end), kind=kind)  # type: ignore[call-overload]
        assert got == pytest.approx(expected, nan_ok=True)
        assert churn_rate(converted, window=(start, end)) == pytest.approx(
            churn_rate(records, window=(start, end)), nan_ok=True
        )
    # Round trips: records → table → records, and the table read back.
    assert converted.to_records() == records
    assert records_to_table("customers", records).to_records() == records


def test_hand_example_gross_and_net() -> None:
    pa = pytest.importorskip("pyarrow")
    feb, may = T0 + 31 * DAY, T0 + 121 * DAY
    customers_table = pa.table(
        {"id": ["a", "b", "c"], "since": [T0] * 3, "until": [None, T0 + 105 * DAY, None],
         "revenue": [20.0, 50.0, 10.0]}
    )  # fmt: skip
    changes = pa.table(
        {"customer_id": ["b", "a"], "at": [T0 + 40 * DAY, T0 + 60 * DAY], "revenue": [30.0, 35.0]}
    )
    table = to_customer_table(customers_table, revenue_changes=changes)
    # At February 1st: 20 + 50 + 10 = 80. b contracts 50 → 30 (20), then leaves
    # with 30; a expands 20 → 35 (15). Gross (30 + 20) / 80, net (30 + 20 - 15) / 80.
    assert revenue_churn_rate(table, window=(feb, may)) == 50 / 80
    assert revenue_churn_rate(table, window=(feb, may), kind="net") == 35 / 80
    # Without the changes the table only knows b's leaving at 50.
    assert revenue_churn_rate(customers_table, window=(feb, may)) == 50 / 80
    assert revenue_churn_rate(customers_table, window=(feb, may), kind="net") == 50 / 80


def test_bad_changes_are_reported_by_row_and_spoil_their_customer() -> None:
    pa = pytest.importorskip("pyarrow")
    customers_table = pa.table(
        {"id": ["a", "b", "c"], "since": [T0] * 3, "until": [None, T0 + 10 * DAY, None]}
    )
    changes = pa.table(
        {
            "customer_id": ["a", "zz", "b", "c", None],
            "at": [T0 + DAY, T0 + DAY, T0 + 20 * DAY, T0 + DAY, T0 + DAY],
            "revenue": [5.0, 5.0, 5.0, -1.0, 5.0],
        }
    )
    with pytest.raises(RecordValidationError) as caught:
        to_customer_table(customers_table, revenue_changes=changes)
    found = [(e["position"], e["id"], e["type"]) for e in caught.value.errors]
    assert sorted(found, key=str) == sorted(
        [
            (1, "zz", "unknown_customer"),
            (4, None, "missing"),
            (3, "c", "greater_than_equal"),
            (2, "b", "revenue_change_outside_lifetime"),
        ],
        key=str,
    )
    collected = to_customer_table(customers_table, revenue_changes=changes, errors="collect")
    assert isinstance(collected, Collected)
    # b and c have a bad change: left out, as a Customer with it would be rejected.
    assert collected.data["id"].tolist() == ["a"]
    assert collected.data["revenue_changes"][0].tolist() == [[(T0 + DAY).timestamp(), 5.0]]


def test_changes_at_one_instant_keep_their_order_and_sort_by_time() -> None:
    pa = pytest.importorskip("pyarrow")
    table = to_customer_table(
        pa.table({"id": ["a"], "since": [T0], "revenue": [1.0]}),
        revenue_changes=pa.table(
            {"customer_id": ["a", "a", "a"], "at": [T0 + 2 * DAY, T0 + DAY, T0 + DAY],
             "revenue": [3.0, 7.0, 8.0]}
        ),
    )  # fmt: skip
    assert table["revenue_changes"][0][:, 1].tolist() == [7.0, 8.0, 3.0]
    assert Customer(id="a", since=T0, revenue=1, revenue_changes=[
        {"at": T0 + 2 * DAY, "revenue": 3}, {"at": T0 + DAY, "revenue": 7},
        {"at": T0 + DAY, "revenue": 8}]).revenue_changes == table.to_records()[0].revenue_changes  # fmt: skip


def test_the_report_reads_customer_records_with_changes_as_a_table() -> None:
    records = [
        Customer(id="a", since=T0, revenue=20, revenue_changes=[{"at": T0 + DAY, "revenue": 9}]),
        Customer(id="b", since=T0 + 3 * DAY, until=T0 + 9 * DAY, revenue=5),
    ]
    params = {"revenue_churn_rate": {"window": (T0 + 2 * DAY, T0 + 20 * DAY), "kind": "net"}}
    row = report(customers=records, metrics=["revenue_churn_rate"], params=params).rows[0]
    assert row.value == revenue_churn_rate(
        records, window=(T0 + 2 * DAY, T0 + 20 * DAY), kind="net"
    )
    assert not np.isnan(row.value)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_files_round_trip_customers_with_their_revenue_changes(tmp_path: Any, fmt: str) -> None:
    pytest.importorskip("pyarrow")
    from cxmetrics.io import files

    records = [
        Customer(id="a", since=T0, revenue=20, segment="pro",
                 revenue_changes=[{"at": T0 + DAY, "revenue": 9}, {"at": T0 + 5 * DAY, "revenue": 30}]),
        Customer(id="b", since=T0 + 3 * DAY, until=T0 + 9 * DAY, revenue=5),
    ]  # fmt: skip
    written = getattr(files, f"write_{fmt}")(tmp_path, customers=records)
    assert sorted(p.name.split(".")[0] for p in written) == ["customers", "revenue_changes"]
    data = getattr(files, f"read_{fmt}")(tmp_path)
    assert data.customers.to_records() == records


def test_bad_revenue_change_files_name_their_file(tmp_path: Any) -> None:
    pytest.importorskip("pyarrow")
    from cxmetrics.exceptions import InvalidParameterError
    from cxmetrics.io.files import read_files

    (tmp_path / "customers.csv").write_text("id,since\na,2024-01-01T00:00:00Z\n")
    changes = tmp_path / "revenue_changes.csv"
    changes.write_text(
        "customer_id,at,revenue\na,2024-02-01T00:00:00Z,5\nz,2024-02-01T00:00:00Z,5\n"
    )
    data = read_files(tmp_path, errors="collect")
    assert [(e["type"], e["file"]) for e in data.errors] == [("unknown_customer", str(changes))]
    assert data.customers["revenue_changes"][0].tolist() == [[(T0 + 31 * DAY).timestamp(), 5.0]]
    with pytest.raises(InvalidParameterError, match="revenue_changes table needs a customers"):
        read_files([changes])
