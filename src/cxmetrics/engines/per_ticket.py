"""Per-ticket tables on Dask and Spark: :func:`ticket_metrics` and :func:`evaluate_sla`.

The metrics fold partitions into states; these two functions return a table with a
row per ticket (per SLA target instance), so here every partition becomes rows of
a distributed table instead. The tickets and their history tables are co-located
with the engines' ``co_locate`` shuffle, each partition is read by the ordinary
reader, measured by the in-process function, and exported as its ``to_pandas()``
(Dask, via ``map_partitions``) or Arrow form (Spark, via ``mapInArrow``). Nothing
is collected to the driver but the row count of each input partition, for the
``ticket`` column of the SLA outcomes (counted when ``evaluate_sla`` is called:
one pass over the tickets table; the rest runs when the result is computed).

The schema is known before anything runs: it is the schema of the in-process
function's table over no tickets, with every column computed (dbt_zendesk's
columns, which the in-process table defers to their first read, included), and
these types:

- instants (``*_at``): ``datetime64[ns, UTC]`` on Dask, ``timestamp[us, UTC]``
  (Spark's ``TimestampType``) on Spark;
- durations (``first_reply``, ``target``…): ``timedelta64[ns]`` on Dask,
  ``duration[us]`` (Spark's ``DayTimeIntervalType``) on Spark; durations the
  in-process export leaves as float seconds (``agent_work``, ``unsolved_age``…)
  stay float seconds;
- strings: pandas' default string dtype on Dask (the in-process export's
  categoricals become plain strings: each partition has its own categories),
  ``StringType`` on Spark; booleans, integers and floats unchanged.

Spark holds instants and durations to the microsecond, so a mean next-reply time
with a fractional microsecond is cut to the microsecond there.

Tickets are co-located by customer only when the definitions compare a customer's
tickets (``fcr_rule="repeat_contact"``); otherwise by ticket, which spreads a large
customer's tickets over the partitions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from functools import partial
from typing import Any

import numpy as np

from cxmetrics.core.dispatch import register_function
from cxmetrics.definitions import Definitions, as_definitions
from cxmetrics.engines.partition import ORDER, partition_input
from cxmetrics.engines.tables import TICKET_HISTORIES, DistributedTables, engine_of
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.sla._context import as_of_seconds
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.policy import SlaPolicy, SlaPolicySet, as_policy_set
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tickets.measure import ticket_metrics

__all__ = ["distributed_sla_outcomes", "distributed_ticket_metrics", "per_ticket_meta"]

CUSTOMER = "_cxmetrics_customer"
"""Where ``customer_id`` travels when the tickets are co-located by ticket."""

# Where each engine's row numbers keep the input partition (see the engines' co_locate).
_PARTITION_SHIFT = {"dask": 40, "spark": 33}

Measure = Callable[[Any], Any]
"""``measure(batch) -> ColumnTable``: the in-process function over one partition."""


def _measure_tickets(
    batch: Any, calendar: Any, definitions: Definitions, as_of: datetime | None
) -> Any:
    return ticket_metrics(batch, calendar, definitions, as_of=as_of)


def _measure_sla(
    batch: Any, policy: SlaPolicySet, as_of: datetime, definitions: Definitions
) -> Any:
    return evaluate_sla(batch, policy, as_of, definitions=definitions)


def per_ticket_meta(measure: Measure) -> Any:
    """The empty pandas frame whose columns and dtypes every partition's rows take.

    Parameters
    ----------
    measure : callable
        ``measure(batch)`` returns the in-process table of a batch of tickets.

    Returns
    -------
    pandas.DataFrame
        No rows; instants ``datetime64[ns, UTC]``, durations ``timedelta64[ns]``,
        strings the default string dtype.

    Examples
    --------
    >>> from cxmetrics.tickets import ticket_metrics
    >>> meta = per_ticket_meta(ticket_metrics)
    >>> str(meta["first_reply_at"].dtype), str(meta["first_reply"].dtype), len(meta)
    ('datetime64[ns, UTC]', 'timedelta64[ns]', 0)
    """
    import pandas as pd

    frame = measure(as_ticket_batch([])).to_pandas()
    text = pd.Series([], dtype="str").dtype
    dtypes: dict[str, Any] = {}
    for name, dtype in frame.dtypes.items():
        kind = getattr(dtype, "kind", "O")
        if kind == "M":
            dtypes[str(name)] = pd.DatetimeTZDtype("ns", "UTC")
        elif kind == "m":
            dtypes[str(name)] = np.dtype("timedelta64[ns]")
        elif kind in "biuf":
            dtypes[str(name)] = dtype
        else:  # categoricals, object and string columns
            dtypes[str(name)] = text
    return frame.astype(dtypes)


def _arrow_schema(meta: Any) -> Any:
    """The Arrow schema of the Spark rows: microsecond instants and durations, plain strings."""
    import pyarrow as pa

    fields = []
    for field in pa.Schema.from_pandas(meta, preserve_index=False):
        kind = field.type
        if pa.types.is_timestamp(kind):
            kind = pa.timestamp("us", tz="UTC")
        elif pa.types.is_duration(kind):
            kind = pa.duration("us")
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind))
    return pa.schema(fields)


def _tickets_of(name: str, tickets: Any) -> dict[str, Any]:
    """The distributed tickets table and its histories, by table name."""
    if isinstance(tickets, DistributedTables):
        if tickets.tickets is None:
            raise InvalidParameterError(
                f"{name} reads tickets; DistributedTables.tickets is missing "
                "(pass DistributedTables(tickets=..., interactions=..., ...))"
            )
        found = {"tickets": tickets.tickets}
        for name in TICKET_HISTORIES:
            if getattr(tickets, name) is not None:
                found[name] = getattr(tickets, name)
        return found
    return {"tickets": tickets}


def _global_rows(orders: Any, offsets: Any, shift: int) -> Any:
    """Each ticket's row in the whole input, from the engine's row numbers (batch order)."""
    ordered = np.sort(np.asarray(orders, dtype=np.int64))
    partition = ordered >> shift
    return np.asarray(offsets, dtype=np.int64)[partition] + (ordered & ((1 << shift) - 1))


class _Partition:
    """One co-located partition's tables -> the measured rows as a pandas frame.

    Picklable, so the engines ship it to their workers.
    """

    def __init__(
        self, names: tuple[str, ...], measure: Measure, meta: Any, rows: Any, shift: int
    ) -> None:
        self.names = names
        self.measure = measure
        self.meta = meta
        self.rows = rows  # row count before each input partition, or None
        self.shift = shift

    def frame(self, tables: dict[str, Any]) -> Any:
        tickets = tables["tickets"]
        if len(tickets) == 0:
            return self.meta.copy()
        columns = list(getattr(tickets, "column_names", None) or tickets.columns)
        if CUSTOMER in columns:
            renamed = ["customer_id" if name == CUSTOMER else name for name in columns]
            tickets = (
                tickets.rename_columns(renamed)
                if hasattr(tickets, "rename_columns")
                else tickets.rename(columns={CUSTOMER: "customer_id"})
            )
        orders = tickets[ORDER]
        orders = orders.to_numpy() if hasattr(orders, "to_numpy") else np.asarray(orders)
        batch = partition_input("tickets", {**tables, "tickets": tickets})
        frame = self.measure(batch).to_pandas().astype(self.meta.dtypes.to_dict())
        if self.rows is not None:  # the SLA outcomes' row of the ticket in the input
            rows = _global_rows(orders, self.rows, self.shift)
            frame["ticket"] = rows[frame["ticket"].to_numpy()]
        return frame

    def __call__(self, *frames: Any) -> Any:  # Dask: one pandas frame per table
        return self.frame(dict(zip(self.names, frames, strict=True)))


def _partition_sizes_dask(main: Any) -> Any:
    sizes = np.asarray(main.map_partitions(len).compute(), dtype=np.int64)
    return np.concatenate([[0], np.cumsum(sizes)[:-1]])


def _on_dask(tables: dict[str, Any], measure: Measure, across: bool, numbered: bool) -> Any:
    import dask.dataframe as dd

    from cxmetrics.engines.dask import co_locate

    if not across and "customer_id" in tables["tickets"].columns:
        tables = {**tables, "tickets": tables["tickets"].rename(columns={"customer_id": CUSTOMER})}
    rows = _partition_sizes_dask(tables["tickets"]) if numbered else None
    located = co_locate("tickets", tables)
    names = tuple(located)
    meta = per_ticket_meta(measure)
    work = _Partition(names, measure, meta, rows, _PARTITION_SHIFT["dask"])
    return dd.map_partitions(  # type: ignore[no-untyped-call]
        work, *(located[name] for name in names), meta=meta, align_dataframes=False
    )


def _partition_sizes_spark(main: Any) -> Any:
    """The row count before each partition of ``main``, counted in the JVM."""
    from pyspark.sql import functions as F

    sizes = np.zeros(int(main.rdd.getNumPartitions()), dtype=np.int64)
    for partition, count in main.groupBy(F.spark_partition_id()).count().collect():
        sizes[int(partition)] = int(count)
    return np.concatenate([[0], np.cumsum(sizes)[:-1]])


class _SparkPartition:
    """A ``mapInArrow`` function: a partition of co-located pieces -> measured Arrow batches."""

    def __init__(self, work: _Partition, schema: Any) -> None:
        self.work = work
        self.schema = schema

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        pieces: dict[str, list[Any]] = {}
        for batch in batches:
            for name, blob in zip(
                batch.column(1).to_pylist(), batch.column(2).to_pylist(), strict=True
            ):
                pieces.setdefault(name, []).append(pa.ipc.open_stream(blob).read_all())
        if "tickets" not in pieces:
            return
        tables = {name: pa.concat_tables(parts) for name, parts in pieces.items()}
        frame = self.work.frame(tables)
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False, safe=False)
        yield from table.to_batches()


def _on_spark(tables: dict[str, Any], measure: Measure, across: bool, numbered: bool) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    from cxmetrics.engines.spark import co_locate

    if not across and "customer_id" in tables["tickets"].columns:
        tables = {**tables, "tickets": tables["tickets"].withColumnRenamed("customer_id", CUSTOMER)}
    rows = _partition_sizes_spark(tables["tickets"]) if numbered else None
    meta = per_ticket_meta(measure)
    schema = _arrow_schema(meta)
    work = _Partition(("tickets",), measure, meta, rows, _PARTITION_SHIFT["spark"])
    with warnings.catch_warnings():
        # PySpark checks the pandas version for mapInArrow too; this path is Arrow only.
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
        )
        return co_locate("tickets", tables).mapInArrow(
            _SparkPartition(work, schema), from_arrow_schema(schema, prefer_timestamp_ntz=False)
        )


def _run(name: str, tickets: Any, measure: Measure, across: bool, numbered: bool) -> Any:
    tables = _tickets_of(name, tickets)
    if engine_of(tables["tickets"]) == "spark":
        return _on_spark(tables, measure, across, numbered)
    return _on_dask(tables, measure, across, numbered)


def distributed_ticket_metrics(
    tickets: Any,
    calendar: Any = None,
    definitions: Definitions | str = "default",
    *,
    as_of: datetime | None = None,
) -> Any:
    """:func:`cxmetrics.ticket_metrics` over Dask or Spark tickets: a distributed table.

    ``ticket_metrics`` calls this for a distributed input; the arguments are its own.

    Parameters
    ----------
    tickets : DistributedTables or dask / pyspark DataFrame
        The tickets (own-schema columns, as :mod:`cxmetrics.io` reads them) and
        their history tables; a bare DataFrame is tickets without histories.
    calendar : BusinessCalendar, optional
    definitions : Definitions or str, default="default"
    as_of : datetime, optional

    Returns
    -------
    dask.dataframe.DataFrame or pyspark.sql.DataFrame
        One row per ticket, in no particular order, with the columns of
        ``ticket_metrics(...).to_pandas()`` (every column computed; types as in
        the module notes). Nothing runs until the frame is computed.

    Raises
    ------
    InvalidParameterError
        A :class:`DistributedTables` without its tickets table.

    Examples
    --------
    >>> from cxmetrics import DistributedTables
    >>> distributed_ticket_metrics(DistributedTables())
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: ticket_metrics reads tickets; DistributedTables.tickets is missing (pass DistributedTables(tickets=..., interactions=..., ...))
    """
    rules = as_definitions(definitions)
    measure = partial(_measure_tickets, calendar=calendar, definitions=rules, as_of=as_of)
    across = rules.fcr_rule == "repeat_contact"
    return _run("ticket_metrics", tickets, measure, across, numbered=False)


def distributed_sla_outcomes(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy],
    as_of: datetime | None = None,
    *,
    definitions: Definitions | str = "default",
) -> Any:
    """:func:`cxmetrics.sla.evaluate_sla` over Dask or Spark tickets: a distributed table.

    ``evaluate_sla`` calls this for a distributed input; the arguments are its own.
    ``as_of=None`` is now, taken once on the driver so every partition judges
    at the same instant.

    Parameters
    ----------
    tickets : DistributedTables or dask / pyspark DataFrame
    policy : SlaPolicy, SlaPolicySet or sequence of SlaPolicy
    as_of : datetime, optional
    definitions : Definitions or str, default="default"

    Returns
    -------
    dask.dataframe.DataFrame or pyspark.sql.DataFrame
        One row per (ticket, target instance), with the columns of
        ``evaluate_sla(...).to_pandas()``; ``ticket`` is the ticket's row in the
        input tickets table, as in process.

    Raises
    ------
    InvalidParameterError
        A :class:`DistributedTables` without its tickets table, or a naive ``as_of``.

    Examples
    --------
    >>> from cxmetrics import DistributedTables
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget
    >>> policy = SlaPolicy("std", None, [SlaTarget("first_reply", "PT1H")])
    >>> distributed_sla_outcomes(DistributedTables(), policy)
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: evaluate_sla reads tickets; DistributedTables.tickets is missing (pass DistributedTables(tickets=..., interactions=..., ...))
    """
    as_of_seconds(as_of)  # a naive or non-datetime as_of is refused here, on the driver
    if as_of is None:
        as_of = datetime.now(timezone.utc)
    measure = partial(
        _measure_sla,
        policy=as_policy_set(policy),
        as_of=as_of,
        definitions=as_definitions(definitions),
    )
    return _run("evaluate_sla", tickets, measure, across=False, numbered=True)


register_function("ticket_metrics", distributed_ticket_metrics)
register_function("evaluate_sla", distributed_sla_outcomes)
