"""Distributed tables in the library's own schema, and which engine holds them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from cxmetrics.exceptions import InvalidParameterError

__all__ = ["KEYED", "TICKET_HISTORIES", "DistributedTables", "engine_of", "tables_for"]

Engine = Literal["dask", "spark"]

TICKET_HISTORIES = ("interactions", "status_changes", "priority_changes", "assignments", "tags")
"""The history tables that travel with the tickets, linked by ``ticket_id``."""

KEYED = ("tickets", "calls")
"""The tables whose metrics look across one customer's rows (repeat contacts, contact
rate): the engines co-locate them by ``customer_id`` (``id`` where missing)."""


def engine_of(value: Any) -> Engine | None:
    """``"dask"`` or ``"spark"`` for a DataFrame of that engine, else ``None``.

    Recognised by type, without importing either engine.

    Examples
    --------
    >>> engine_of([1, 2]) is None
    True
    """
    root = type(value).__module__.split(".")[0]
    if root in ("dask", "dask_expr") and hasattr(value, "to_delayed"):
        return "dask"
    if root == "pyspark" and hasattr(value, "mapInArrow"):
        return "spark"
    return None


@dataclass(frozen=True)
class DistributedTables:
    """The own-schema tables of one data set, as Dask or Spark DataFrames.

    A bare Dask or Spark DataFrame is enough for a metric that reads one table
    (surveys, calls, customers, or tickets without histories). Tickets with their
    histories need this bundle: the engine co-locates every ticket's history rows
    and every customer's tickets in one partition by a shuffle before folding.

    Parameters
    ----------
    tickets, interactions, status_changes, priority_changes, assignments, tags : DataFrame, optional
        Tickets and their history tables (columns as in :mod:`cxmetrics.io`).
    surveys, calls, customers : DataFrame, optional
        The other record tables.
    staff_surveys, qa_evaluations, callbacks : DataFrame, optional
        The staff's eNPS answers, QA evaluations (one column per criterion) and
        callback requests, read by ``enps``, ``qa_score``, ``callback_time`` and
        ``callbacks_kept``.

    Examples
    --------
    >>> DistributedTables().engine is None
    True
    """

    tickets: Any = None
    interactions: Any = None
    status_changes: Any = None
    priority_changes: Any = None
    assignments: Any = None
    tags: Any = None
    surveys: Any = None
    calls: Any = None
    customers: Any = None
    staff_surveys: Any = None
    qa_evaluations: Any = None
    callbacks: Any = None

    def __post_init__(self) -> None:
        engines = {
            f.name: engine_of(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        }
        for name, engine in engines.items():
            if engine is None:
                raise InvalidParameterError(
                    f"DistributedTables.{name} must be a Dask or Spark DataFrame, "
                    f"got {type(getattr(self, name)).__name__}"
                )
        if len(set(engines.values())) > 1:
            raise InvalidParameterError(
                "DistributedTables mixes engines: "
                + ", ".join(f"{name} is {engine}" for name, engine in engines.items())
            )

    @property
    def engine(self) -> Engine | None:
        """The engine holding the tables (``None`` when there are none)."""
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                return engine_of(value)
        return None


def tables_for(kind: str, items: Any) -> dict[str, Any]:
    """The distributed tables a metric reading ``kind`` needs, by table name.

    Examples
    --------
    >>> tables_for("surveys", DistributedTables())
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: this metric reads surveys; DistributedTables.surveys is missing
    """
    if not isinstance(items, DistributedTables):
        return {kind: items}
    main = getattr(items, kind, None)
    if main is None:
        raise InvalidParameterError(
            f"this metric reads {kind}; DistributedTables.{kind} is missing"
        )
    found = {kind: main}
    if kind == "tickets":
        found.update(
            {
                name: getattr(items, name)
                for name in TICKET_HISTORIES
                if getattr(items, name) is not None
            }
        )
    return found
