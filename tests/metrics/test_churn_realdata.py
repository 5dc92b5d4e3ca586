"""Real data: IBM's Telco customer churn table (../shared/data), 7,043 customers.

The table is a snapshot without dates: ``tenure`` (whole months with the company)
and ``Churn`` ("Yes": left within the last month). The test-side loader places
the snapshot at an arbitrary instant ``END`` and the churn period is the month
before it:

* ``since`` = ``END`` − ``tenure`` calendar months, so a tenure of 0 (11
  customers, none churned) means joining during the month: they are *new*
  customers ``N``, not in ``S``;
* churned customers leave mid-month (``until`` = ``START`` + 14 days);
* ``segment`` = ``Contract``; ``revenue`` = ``MonthlyCharges``.

The widely quoted 26.54 % (1,869 / 7,043) divides by everybody seen in the
month, i.e. ``denominator="start_plus_new"``; the default ("active at the
start") divides by the 7,032 customers present on day one.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from cxmetrics import Customer
from cxmetrics.metrics.churn import churn_rate
from cxmetrics.metrics.retention import retention_rate
from cxmetrics.metrics.revenue_churn import revenue_churn_rate

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.realdata

FILE = Path("ibm_telco_customer_churn") / "Telco-Customer-Churn.csv"
END = datetime(2024, 1, 1, tzinfo=timezone.utc)
START = datetime(2023, 12, 1, tzinfo=timezone.utc)


def months_before(instant: datetime, months: int) -> datetime:
    index = instant.year * 12 + instant.month - 1 - months
    return instant.replace(year=index // 12, month=index % 12 + 1)


@pytest.fixture(scope="module")
def table(shared_data: Path) -> Any:
    frame = pd.read_csv(shared_data / FILE)
    assert len(frame) == 7_043
    return frame


@pytest.fixture(scope="module")
def customers(table: Any) -> list[Customer]:
    left = START + timedelta(days=14)
    return [
        Customer(
            id=row.customerID,
            since=months_before(END, int(row.tenure)),
            until=left if row.Churn == "Yes" else None,
            segment=row.Contract,
            revenue=float(row.MonthlyCharges),
        )
        for row in table.itertuples(index=False)
    ]


def test_overall_churn_is_26_54_percent(table: Any, customers: list[Customer]) -> None:
    churned = table["Churn"].eq("Yes")
    value = churn_rate(customers, window=(START, END), denominator="start_plus_new")
    assert value == pytest.approx(churned.mean(), rel=1e-12)
    assert round(100 * value, 2) == 26.54
    # Active at the start excludes the 11 customers with tenure 0.
    at_start = table["tenure"] > 0
    assert churn_rate(customers, window=(START, END)) == pytest.approx(
        churned.sum() / at_start.sum(), rel=1e-12
    )
    assert at_start.sum() == 7_032


def test_churn_by_contract_type(table: Any, customers: list[Customer]) -> None:
    expected = table["Churn"].eq("Yes").groupby(table["Contract"]).mean().to_dict()
    got = churn_rate(customers, window=(START, END), denominator="start_plus_new", by_segment=True)
    assert got == pytest.approx(expected, rel=1e-12)
    # The published figures: 1,655 / 3,875, 166 / 1,473 and 48 / 1,695.
    assert {k: round(100 * v, 2) for k, v in got.items()} == {
        "Month-to-month": 42.71,
        "One year": 11.27,
        "Two year": 2.83,
    }
    # Per segment, the default divides by the customers present on day one.
    present = table[table["tenure"] > 0]
    by_start = present["Churn"].eq("Yes").groupby(present["Contract"]).mean().to_dict()
    assert churn_rate(customers, window=(START, END), by_segment=True) == pytest.approx(
        by_start, rel=1e-12
    )


def test_retention_and_revenue_churn(table: Any, customers: list[Customer]) -> None:
    churned = table["Churn"].eq("Yes")
    new = table["tenure"].eq(0)
    start_count = int((~new).sum())
    # CRR = (E - N) / S: E the customers still there, N the tenure-0 ones.
    assert retention_rate(customers, window=(START, END)) == pytest.approx(
        (int((~churned).sum()) - int(new.sum())) / start_count, rel=1e-12
    )
    assert retention_rate(customers, window=(START, END), method="cohort") == pytest.approx(
        1 - churn_rate(customers, window=(START, END)), rel=1e-12
    )
    # Gross revenue churn: monthly charges of the leavers / charges of the customers at start.
    charges = table["MonthlyCharges"]
    expected = charges[churned & ~new].sum() / charges[~new].sum()
    assert revenue_churn_rate(customers, window=(START, END)) == pytest.approx(expected, rel=1e-9)
    # Without upgrades or downgrades in the data, net equals gross.
    assert revenue_churn_rate(customers, window=(START, END), kind="net") == pytest.approx(
        expected, rel=1e-9
    )


def test_table_columns_match_records(table: Any, customers: list[Customer]) -> None:
    # The analyst's path: the table's columns straight in, no Customer objects.
    churned = table["Churn"].eq("Yes")
    columns = {
        "id": table["customerID"],
        "since": [months_before(END, int(t)) for t in table["tenure"]],
        "until": [START + timedelta(days=14) if c else None for c in churned],
        "segment": table["Contract"],
        "revenue": table["MonthlyCharges"],
    }
    for denominator in ("start", "start_plus_new"):
        assert churn_rate(
            columns, window=(START, END), denominator=denominator, by_segment=True
        ) == (churn_rate(customers, window=(START, END), denominator=denominator, by_segment=True))
    assert revenue_churn_rate(columns, window=(START, END)) == revenue_churn_rate(
        customers, window=(START, END)
    )
