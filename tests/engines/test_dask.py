"""Every registered metric on Dask (a LocalCluster of two processes) equals the in-process one."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from cxmetrics import DistributedTables, fcr_rate, nps
from cxmetrics.datasets import SyntheticData

from .conftest import assert_all_equal, assert_report_equal, assert_same_result, metric_options

pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def tables(dask_client: Any, arrow_tables: dict[str, pa.Table]) -> DistributedTables:
    import dask.dataframe as dd

    return DistributedTables(
        **{
            name: dd.from_pandas(table.to_pandas(), npartitions=3).persist()
            for name, table in arrow_tables.items()
        }
    )


def test_every_metric_equals_in_process(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    # One pass per table read: every registered metric, each family's input co-located once.
    assert_all_equal(generated, tables)


@pytest.mark.parametrize(
    "name", ["fcr", "resolution_time", "repeat_contact_fcr", "csat", "churn_rate"]
)
def test_update_routes_to_the_engine(
    name: str, generated: SyntheticData, tables: DistributedTables
) -> None:
    assert_same_result(name, generated, tables)


def test_one_liners_take_a_bare_dask_frame(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    assert nps(tables.surveys) == nps(generated.surveys)
    # Tickets alone (a flat export): no histories, the milestones columns only.
    assert fcr_rate(tables.tickets) == fcr_rate(tables.tickets.compute())


def test_sla_compliance_rate_on_dask(generated: SyntheticData, tables: DistributedTables) -> None:
    from cxmetrics import sla_compliance_rate

    options = metric_options("sla_compliance", generated)
    expected = sla_compliance_rate(generated.tickets, options["policy"], as_of=options["as_of"])
    assert sla_compliance_rate(tables, options["policy"], as_of=options["as_of"]) == expected


def test_report_equals_in_process(generated: SyntheticData, tables: DistributedTables) -> None:
    assert_report_equal(generated, tables)
