"""ticket_metrics, evaluate_sla and sla_compliance_rate on Dask equal the in-process ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from cxmetrics import DistributedTables, sla_compliance_rate, ticket_metrics
from cxmetrics.datasets import SyntheticData
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io import to_ticket_batch
from cxmetrics.sla import evaluate_sla, sla_at_risk, sla_compliance

from .per_ticket_cases import (
    TICKET_CASES,
    as_of,
    assert_refuses_tables_without_tickets,
    assert_same_compliance,
    assert_same_table,
    sla_policy,
)

pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def tables(dask_client: Any, arrow_tables: dict[str, pa.Table]) -> DistributedTables:
    import dask.dataframe as dd

    names = ("tickets", "interactions", "status_changes", "priority_changes", "assignments", "tags")
    return DistributedTables(
        **{
            name: dd.from_pandas(arrow_tables[name].to_pandas(), npartitions=3).persist()
            for name in names
        }
    )


@pytest.mark.parametrize(("calendar", "definitions"), TICKET_CASES)
def test_ticket_metrics_equals_in_process(
    calendar: Any, definitions: Any, generated: SyntheticData, tables: DistributedTables
) -> None:
    import dask.dataframe as dd

    frame = ticket_metrics(tables, calendar, definitions, as_of=as_of(generated))
    assert isinstance(frame, dd.DataFrame)
    got = frame.compute()
    assert list(got.dtypes) == list(frame.dtypes)  # the meta is what the partitions hold
    want = ticket_metrics(generated.tickets, calendar, definitions, as_of=as_of(generated))
    assert_same_table(got, want.to_pandas(), ["id"])


def test_evaluate_sla_equals_in_process(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    frame = evaluate_sla(tables, sla_policy(), as_of(generated))
    got = frame.compute()
    assert list(got.dtypes) == list(frame.dtypes)
    want = evaluate_sla(generated.tickets, sla_policy(), as_of(generated)).to_pandas()
    assert set(want["status"]) >= {"achieved", "breached", "paused"}
    assert_same_table(got, want, ["ticket_id", "metric", "instance", "status"])


def test_sla_compliance_rate_equals_in_process(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    assert_same_compliance(generated, tables)


def test_compliance_as_of_now_is_one_instant(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    # The data set ended long ago: now, every target instance is settled either way.
    want = sla_compliance(generated.tickets, sla_policy(), by="metric")
    got = sla_compliance(tables, sla_policy(), by="metric")
    assert got.to_dict() == want.to_dict()
    assert sla_compliance_rate(tables, sla_policy()) == sla_compliance_rate(
        generated.tickets, sla_policy()
    )


def test_live_sla_views_refuse_an_engine_frame(tables: DistributedTables) -> None:
    with pytest.raises(InvalidParameterError, match="does not take a Dask or Spark DataFrame"):
        sla_at_risk(tables, sla_policy(), within=timedelta(hours=1))


def test_partitions_without_tickets_give_no_rows(
    dask_client: Any, generated: SyntheticData, arrow_tables: dict[str, pa.Table]
) -> None:
    import dask.dataframe as dd
    import pyarrow.compute as pc

    # Five tickets shuffled into five buckets: some partitions hold none.
    tickets = arrow_tables["tickets"].slice(0, 5)
    few = {"tickets": tickets}
    for name in ("interactions", "status_changes"):
        table = arrow_tables[name]
        few[name] = table.filter(pc.is_in(table["ticket_id"], tickets["id"]))
    frames = {name: dd.from_pandas(t.to_pandas(), npartitions=5) for name, t in few.items()}
    outcomes = evaluate_sla(DistributedTables(**frames), sla_policy(), as_of(generated))
    sizes = outcomes.map_partitions(len).compute().tolist()
    assert 0 in sizes and sum(sizes) > 0
    batch = to_ticket_batch(
        few["tickets"].to_pandas(),
        interactions=few["interactions"].to_pandas(),
        status_changes=few["status_changes"].to_pandas(),
    )
    want = evaluate_sla(batch, sla_policy(), as_of(generated)).to_pandas()
    assert_same_table(outcomes.compute(), want, ["ticket_id", "metric", "instance", "status"])


def test_a_bare_tickets_frame_is_tickets_without_histories(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    flat = tables.tickets.compute()
    got = ticket_metrics(tables.tickets).compute()
    assert_same_table(got, ticket_metrics(flat).to_pandas(), ["id"])


def test_tables_without_tickets_are_refused(tables: DistributedTables) -> None:
    assert_refuses_tables_without_tickets(tables)


def test_a_naive_as_of_is_refused_before_anything_runs(tables: DistributedTables) -> None:
    naive = datetime(2024, 3, 1)
    with pytest.raises(InvalidParameterError, match="naive"):
        evaluate_sla(tables, sla_policy(), naive)
    with pytest.raises(InvalidParameterError, match="timezone-aware"):
        ticket_metrics(tables, as_of=naive)


def test_in_process_readers_of_the_table_refuse_an_engine_frame(tables: DistributedTables) -> None:
    # They read ticket_metrics' table in process: a clear error, not a collected column.
    from cxmetrics.metrics.solved import solved_per_period
    from cxmetrics.tickets.measure import measured

    with pytest.raises(InvalidParameterError, match="solved_per_period does not take a Dask"):
        solved_per_period(tables.tickets)
    with pytest.raises(InvalidParameterError, match="measured does not take a Dask"):
        measured(tables.tickets, None, "default")
