"""Per-ticket lookups and reductions over ticket-sorted rows.

The event histories are sorted by ticket and time (compressed sparse rows), so
"the first reply of each ticket" is a first-occurrence lookup and a per-ticket
mean or maximum is one ``bincount`` or ``reduceat``. No Python loop runs per ticket.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import EventTable

__all__ = [
    "distinct_per_ticket",
    "first_of_runs",
    "first_per_ticket",
    "mean_max_per_ticket",
    "nth_per_ticket",
    "total_per_ticket",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def first_per_ticket(table: EventTable, mask: BoolArray, n: int) -> IntArray:
    """Row index of the first row of each ticket where ``mask`` holds (-1 if none).

    Examples
    --------
    >>> t = EventTable.build(np.array([0, 0, 1]), np.array([1.0, 2.0, 3.0]), {}, 3)
    >>> first_per_ticket(t, np.array([False, True, True]), 3).tolist()
    [1, 2, -1]
    """
    return nth_per_ticket(table, mask, n, 0)


def nth_per_ticket(table: EventTable, mask: BoolArray, n: int, k: int) -> IntArray:
    """Row index of the ``k``-th (0-based) row of each ticket where ``mask`` holds, or -1.

    Examples
    --------
    >>> t = EventTable.build(np.array([0, 0, 0]), np.array([1.0, 2.0, 3.0]), {}, 1)
    >>> nth_per_ticket(t, np.array([True, False, True]), 1, 1).tolist()
    [2]
    """
    rows = np.flatnonzero(mask)
    out = np.full(n, -1, dtype=np.int64)
    if rows.size == 0:
        return out
    tickets = table.ticket[rows]
    starts = np.flatnonzero(np.concatenate([[True], tickets[1:] != tickets[:-1]]))
    counts = np.diff(np.concatenate([starts, [rows.size]]))
    has = counts > k
    out[tickets[starts[has]]] = rows[starts[has] + k]
    return out


def first_of_runs(ticket: IntArray) -> BoolArray:
    """True at the first row of each ticket in a ticket-sorted index.

    Examples
    --------
    >>> first_of_runs(np.array([0, 0, 2, 2, 2, 3])).tolist()
    [True, False, True, False, False, True]
    """
    if ticket.size == 0:
        return np.zeros(0, dtype=bool)
    return np.concatenate([[True], ticket[1:] != ticket[:-1]])


def distinct_per_ticket(ticket: IntArray, codes: npt.NDArray[Any], n: int) -> IntArray:
    """Number of distinct known codes (``>= 0``) per ticket.

    Examples
    --------
    >>> distinct_per_ticket(np.array([0, 0, 0, 1]), np.array([3, 3, 1, -1]), 2).tolist()
    [2, 0]
    """
    known = codes >= 0
    if not known.any():
        return np.zeros(n, dtype=np.int64)
    width = int(codes.max()) + 1
    # A sort and a comparison of neighbours: np.unique hashes, which is slower here.
    pairs = np.sort(ticket[known].astype(np.int64) * width + codes[known])
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    result: IntArray = np.bincount(pairs // width, minlength=n).astype(np.int64, copy=False)
    return result


def mean_max_per_ticket(
    ticket: IntArray, values: FloatArray, n: int
) -> tuple[FloatArray, FloatArray]:
    """Per ticket, the mean and the maximum of ``values`` (NaN for a ticket without any).

    ``ticket`` must be sorted.

    Examples
    --------
    >>> mean, maximum = mean_max_per_ticket(np.array([0, 0, 2]), np.array([1.0, 3.0, 5.0]), 3)
    >>> mean.tolist(), maximum.tolist()
    ([2.0, nan, 5.0], [3.0, nan, 5.0])
    """
    counts = np.bincount(ticket, minlength=n)
    totals = np.bincount(ticket, weights=values, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
    maximum = np.full(n, -np.inf)
    if ticket.size:
        starts = np.flatnonzero(first_of_runs(ticket))
        maximum[ticket[starts]] = np.maximum.reduceat(values, starts)
    maximum = np.where(counts > 0, maximum, np.nan)
    return mean, maximum


def total_per_ticket(ticket: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Per ticket, the sum of ``values`` (NaN for a ticket without any).

    Examples
    --------
    >>> total_per_ticket(np.array([0, 0, 2]), np.array([1.0, 3.0, 5.0]), 3).tolist()
    [4.0, nan, 5.0]
    """
    counts = np.bincount(ticket, minlength=n)
    totals = np.bincount(ticket, weights=values, minlength=n)
    result: FloatArray = np.where(counts > 0, totals, np.nan)
    return result
