"""Every registered metric on Spark (local[2]) equals the in-process one."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from cxmetrics import DistributedTables, nps
from cxmetrics.datasets import SyntheticData

from .conftest import assert_all_equal, assert_report_equal, assert_same_result

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


@pytest.fixture(scope="module")
def tables(spark: Any, arrow_tables: dict[str, pa.Table]) -> DistributedTables:
    return DistributedTables(
        **{name: spark.createDataFrame(table).cache() for name, table in arrow_tables.items()}
    )


def test_every_metric_equals_in_process(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    # One pass per table read: every registered metric, each family's input co-located once.
    assert_all_equal(generated, tables)


@pytest.mark.parametrize("name", ["fcr", "repeat_contact_fcr", "csat"])
def test_update_routes_to_the_engine(
    name: str, generated: SyntheticData, tables: DistributedTables
) -> None:
    assert_same_result(name, generated, tables)


def test_one_liner_takes_a_bare_spark_frame(
    generated: SyntheticData, tables: DistributedTables
) -> None:
    assert nps(tables.surveys) == nps(generated.surveys)


def test_report_equals_in_process(generated: SyntheticData, tables: DistributedTables) -> None:
    assert_report_equal(generated, tables)
