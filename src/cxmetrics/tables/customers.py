"""Customers as columns: the one table the churn and retention metrics read.

Built from :class:`~cxmetrics.Customer` records, from a dict of columns, or from a
pandas / polars / Arrow table (validated on its columns by
:func:`cxmetrics.io.to_customer_table`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.customer import Customer

__all__ = ["CustomerColumns", "customers_from_records"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CustomerColumns:
    """Customers as columns: epoch seconds (``until`` is ``inf`` while active)."""

    since: FloatArray
    until: FloatArray
    segment: npt.NDArray[np.object_]  # "" when the customer has no segment
    revenue: FloatArray  # nan when unknown
    change_owner: npt.NDArray[np.int64]  # revenue changes, flattened
    change_at: FloatArray
    change_revenue: FloatArray
    ids: npt.NDArray[np.object_] | None = None  # the customer ids (None: not given)

    def revenue_at(self, at: float) -> FloatArray:
        """Revenue of every customer in force at epoch second ``at``."""
        revenue: FloatArray = self.revenue.copy()
        applied = self.change_at <= at
        # Changes are sorted by owner then time: the last applied one per owner wins.
        owners, times, values = (
            self.change_owner[applied],
            self.change_at[applied],
            self.change_revenue[applied],
        )
        order = np.lexsort((times, owners))
        owners, values = owners[order], values[order]
        last = np.r_[owners[1:] != owners[:-1], True] if owners.size else owners.astype(bool)
        revenue[owners[last]] = values[last]
        return revenue


def customers_from_records(customers: Iterable[Any], *, owner: str) -> CustomerColumns:
    """Return ``Customer`` records as :class:`CustomerColumns`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> c = Customer(id="a", since=datetime(1970, 1, 2, tzinfo=timezone.utc))
    >>> customers_from_records([c], owner="churn_rate").since.tolist()
    [86400.0]
    """
    rows: list[Customer] = []
    for position, item in enumerate(customers):
        if not isinstance(item, Customer):
            raise InvalidParameterError(
                f"{owner} expects Customer items; item {position} is {type(item).__name__}"
            )
        rows.append(item)
    n = len(rows)
    segments = np.empty(n, dtype=object)
    segments[:] = ["" if c.segment is None else c.segment for c in rows]
    changes = [
        (i, ch.at.timestamp(), ch.revenue) for i, c in enumerate(rows) for ch in c.revenue_changes
    ]
    return CustomerColumns(
        since=np.fromiter((c.since.timestamp() for c in rows), np.float64, n),
        until=np.fromiter(
            (math.inf if c.until is None else c.until.timestamp() for c in rows), np.float64, n
        ),
        segment=segments,
        revenue=np.fromiter(
            (math.nan if c.revenue is None else c.revenue for c in rows), np.float64, n
        ),
        change_owner=np.array([c[0] for c in changes], dtype=np.int64),
        change_at=np.array([c[1] for c in changes], dtype=np.float64),
        change_revenue=np.array([c[2] for c in changes], dtype=np.float64),
        ids=np.array([str(c.id) for c in rows], dtype=object),
    )
