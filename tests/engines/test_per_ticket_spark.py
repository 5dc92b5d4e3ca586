"""ticket_metrics, evaluate_sla and sla_compliance_rate on Spark equal the in-process ones."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from cxmetrics import DistributedTables, ticket_metrics
from cxmetrics.datasets import SyntheticData
from cxmetrics.sla import evaluate_sla

from .per_ticket_cases import (
    TICKET_CASES,
    as_of,
    assert_refuses_tables_without_tickets,
    assert_same_compliance,
    assert_same_table,
    sla_policy,
)

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


@pytest.fixture(scope="module")
def tables(spark: Any, arrow_tables: dict[str, pa.Table]) -> DistributedTables:
    names = ("tickets", "interactions", "status_changes", "priority_changes", "assignments", "tags")
    return DistributedTables(
        **{name: spark.createDataFrame(arrow_tables[name]).cache() for name in names}
    )


def collected(frame: Any) -> Any:
    """The rows of a Spark DataFrame as pandas, through Arrow (instants in UTC)."""
    return frame.toArrow().to_pandas()


# The Dask tests run every case; here the transport and the schema matter: a calendar
# rule (business columns) and the repeat-contact rule (co-location by customer).
@pytest.mark.parametrize(("calendar", "definitions"), TICKET_CASES[2:])
def test_ticket_metrics_equals_in_process(
    calendar: Any, definitions: Any, generated: SyntheticData, tables: DistributedTables
) -> None:
    from pyspark.sql import DataFrame

    frame = ticket_metrics(tables, calendar, definitions, as_of=as_of(generated))
    assert isinstance(frame, DataFrame)
    want = ticket_metrics(generated.tickets, calendar, definitions, as_of=as_of(generated))
    assert_same_table(collected(frame), want.to_pandas(), ["id"])


def test_evaluate_sla_equals_in_process(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    frame = evaluate_sla(tables, sla_policy(), as_of(generated))
    want = evaluate_sla(generated.tickets, sla_policy(), as_of(generated)).to_pandas()
    assert_same_table(collected(frame), want, ["ticket_id", "metric", "instance", "status"])


def test_a_bare_tickets_frame_is_tickets_without_histories(
    arrow_tables: dict[str, pa.Table], tables: DistributedTables
) -> None:
    want = ticket_metrics(arrow_tables["tickets"]).to_pandas()
    assert_same_table(collected(ticket_metrics(tables.tickets)), want, ["id"])


def test_sla_compliance_rate_equals_in_process(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    assert_same_compliance(generated, tables)


def test_tables_without_tickets_are_refused(tables: DistributedTables) -> None:
    assert_refuses_tables_without_tickets(tables)
