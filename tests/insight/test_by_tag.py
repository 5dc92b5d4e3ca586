"""A metric per tag equals the metric over the tickets carrying the tag."""

from __future__ import annotations

import math

import pytest

from cxmetrics import resolution_time
from cxmetrics.datasets import load_sample
from cxmetrics.exceptions import CXMetricsError
from cxmetrics.insight import metric_by_tag


@pytest.fixture(scope="module")
def tickets() -> list:
    return load_sample().tickets[:600]


def test_each_tag_equals_the_metric_of_its_tickets(tickets: list) -> None:
    table = metric_by_tag(tickets, metric="resolution_time", params={"statistic": "median"},
                          untagged=True)  # fmt: skip
    for tag, value, n, *_ in table.rows:
        chosen = [t for t in tickets if (tag in t.tags if tag != "(untagged)" else not t.tags)]
        expected = resolution_time(chosen, statistic="median")
        assert value == expected, tag
        assert n > 0


def test_by_tag_and_week(tickets: list) -> None:
    table = metric_by_tag(tickets, metric="fcr", tags=["complaint"], period="week",
                          timezone="Europe/Amsterdam")  # fmt: skip
    assert table.columns[:2] == ("tag", "period")
    total = sum(n for _, _, _, n, *_ in table.rows)
    assert total == fcr_rate_n(tickets)


def fcr_rate_n(tickets: list) -> int:
    from cxmetrics import FCR

    metric = FCR()
    metric.update([t for t in tickets if "complaint" in t.tags])
    return metric.compute().n


def test_unknown_tag_gives_no_value_and_wrong_kind_raises(tickets: list) -> None:
    table = metric_by_tag(tickets, metric="fcr", tags=["no such tag"])
    assert table.column("n") == [0] and math.isnan(table.column("value")[0])
    with pytest.raises(CXMetricsError, match="surveys"):
        metric_by_tag(tickets, metric="csat")
