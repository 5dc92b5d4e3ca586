"""One generated data set as own-schema tables, and one engine session per test run."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyarrow as pa
import pytest

from cxmetrics import (
    BusinessCalendar,
    DistributedTables,
    SlaPolicy,
    SlaTarget,
    UndefinedMetricWarning,
    available_metrics,
    get_metric,
)
from cxmetrics.datasets import SyntheticData, generate
from cxmetrics.tables.schema import batch_to_tables

# Modest on purpose: every registered metric runs on each engine.
TICKETS = 800


@pytest.fixture(scope="session")
def generated() -> SyntheticData:
    return generate(TICKETS, seed=11)


@pytest.fixture(scope="session")
def arrow_tables(generated: SyntheticData) -> dict[str, pa.Table]:
    """Every own-schema table of the data set, as Arrow tables in row order."""
    tables = {
        name: pa.table(columns) for name, columns in batch_to_tables(generated.tickets).items()
    }
    for name in ("surveys", "calls", "customers"):
        columns = dict(getattr(generated, name).to_table().columns)
        columns.pop("revenue_changes", None)
        tables[name] = pa.table(columns)
    return tables


def metric_options(name: str, data: SyntheticData) -> dict[str, Any]:
    """Parameters a metric needs to run on the generated data (none for most)."""
    window = {"window": (data.start, data.end)}
    policy = SlaPolicy(
        "standard",
        BusinessCalendar.always_open(),
        [
            SlaTarget(metric="first_reply", within=timedelta(hours=4)),
            SlaTarget(metric="resolution", within=timedelta(days=1)),
        ],
    )
    return {
        "backlog": {"as_of": data.end},
        "customer_lifetime": {"as_of": data.end},
        "churn_rate": window,
        "retention_rate": window,
        "revenue_churn_rate": window,
        "sla_compliance": {"policy": policy, "as_of": data.end},
        "answered_within": {"within": timedelta(hours=4)},
    }.get(name, {})


def in_process(name: str, data: SyntheticData) -> Any:
    """The metric over the generated data in this process (the reference)."""
    cls = get_metric(name)
    metric = cls(**metric_options(name, data))
    metric.update(getattr(data, cls.input_kind))
    return metric


# The input kinds the engines' tables carry (staff surveys and QA evaluations are
# records-only inputs for now).
ENGINE_KINDS = ("tickets", "surveys", "calls", "customers")


def metric_names() -> list[str]:
    import cxmetrics.sla  # noqa: F401  (registers sla_compliance)

    return [name for name in available_metrics() if get_metric(name).input_kind in ENGINE_KINDS]


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A LocalCluster of two worker processes, shared by every Dask test."""
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    # Task-based shuffles: less set-up per shuffle than p2p on a few thousand rows.
    dask.config.set({"dataframe.shuffle.method": "tasks"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local[2] SparkSession, shared by every Spark test."""
    sql = pytest.importorskip("pyspark.sql")
    # Python workers run this interpreter (not the first python3 on the PATH).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("cxmetrics-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def _assert_same(name: str, got_metric: Any, data: SyntheticData) -> None:
    from tests.metrics.contract import same_value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        got, want = got_metric.compute(), in_process(name, data).compute()
    assert got.n == want.n, name
    assert same_value(got.value, want.value), (name, got.value, want.value)
    assert same_value(dict(got.details), dict(want.details)), name


def assert_same_result(name: str, data: SyntheticData, tables: DistributedTables) -> None:
    """The metric's ``update`` on the distributed tables equals the in-process one."""
    metric = get_metric(name)(**metric_options(name, data))
    metric.update(tables)
    _assert_same(name, metric, data)


def assert_all_equal(data: SyntheticData, tables: DistributedTables) -> None:
    """Every registered metric, folded in one pass per table, equals the in-process one."""
    from cxmetrics.engines import update_all

    names = metric_names()
    metrics = [get_metric(name)(**metric_options(name, data)) for name in names]
    update_all(metrics, tables)
    for name, metric in zip(names, metrics, strict=True):
        _assert_same(name, metric, data)


REPORT_KINDS = ("tickets", "surveys", "calls", "customers")


def assert_report_equal(data: SyntheticData, tables: DistributedTables) -> None:
    """``report`` on the engine's tables equals the in-process report of the same rows.

    Week by channel, a business calendar, an SLA policy, p90 durations, the charts.
    """
    from cxmetrics.reporting import report

    from tests.reporting.equality import assert_same_report, settings_of

    options = settings_of(data)
    want = report(**{kind: getattr(data, kind) for kind in REPORT_KINDS}, **options, charts=True)
    got = report(tickets=tables, **options, charts=True)  # the bundle brings every table
    assert_same_report(got, want)
    assert got.insights.left_out  # stated, never silent
    # Surveys alone on the engine, the tickets in process: each folded where it is.
    want = report(tickets=data.tickets, surveys=data.surveys, **options)
    assert_same_report(report(tickets=data.tickets, surveys=tables.surveys, **options), want)
