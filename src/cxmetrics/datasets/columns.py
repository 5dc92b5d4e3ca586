"""Column helpers of the synthetic generator: ids, per-ticket sums, sorted event tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.datasets.shapes import FloatArray
from cxmetrics.tables.ticket_batch import Categorical, EventTable


def _names(
    prefix: str, numbers: int | npt.NDArray[np.int64], width: int = 7
) -> npt.NDArray[np.object_]:
    """Identifiers ``prefix`` + zero-padded number (``T0000042``) for ``range(numbers)`` or an array."""
    values = np.arange(numbers) if isinstance(numbers, int) else numbers
    if values.size == 0:
        return np.empty(0, dtype=object)
    padded = np.char.zfill(values.astype(f"U{width}"), width)
    return np.char.add(prefix, padded).astype(object)


def _segment_cumsum(values: FloatArray, offsets: npt.NDArray[np.int64]) -> FloatArray:
    """Cumulative sums that restart at each segment start (``offsets[:-1]``)."""
    total = np.cumsum(values)
    starts = offsets[:-1]
    counts = np.diff(offsets)
    before = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0.0)
    restarted: FloatArray = total - np.repeat(before[counts > 0], counts[counts > 0])
    return restarted


def _event_table(
    ticket: npt.NDArray[np.int64],
    at: FloatArray,
    columns: dict[str, Any],
    n_tickets: int,
    end: float = np.inf,
) -> EventTable:
    """An :class:`EventTable` sorted by (ticket, at), without the rows after ``end``.

    The rows after ``end`` have not happened yet when the data is exported:
    dropping them leaves a true prefix of each history (late tickets unanswered,
    unsolved), which is still a valid history.

    Every instant here is a whole second, so one int64 key sorts both columns at
    once; the rows come in long sorted runs (conversations are generated in
    order), which a stable sort merges in near-linear time, several times faster
    than the general ``lexsort`` of :meth:`EventTable.build`.
    """
    if at.size == 0 or n_tickets >= 2**29 or not np.array_equal(at, np.floor(at)):
        keep = at <= end
        return EventTable.build(
            ticket[keep],
            at[keep],
            {
                name: col.take(np.flatnonzero(keep)) if isinstance(col, Categorical) else col[keep]
                for name, col in columns.items()
            },
            n_tickets,
        )
    key = (ticket << 34) | (at - at.min()).astype(np.int64)  # 2**34 s is 500 years
    order = np.argsort(key, kind="stable")
    del key
    if end < np.inf:
        order = order[at[order] <= end]  # one gather both sorts and drops
    ticket = ticket[order]
    counts = np.bincount(ticket, minlength=n_tickets)
    offsets = np.zeros(n_tickets + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    # Pop each unsorted column as it is gathered, so only one is doubled at a time
    # (the caller passes a fresh dict and keeps no reference to its arrays).
    sorted_columns = {}
    for name in list(columns):
        col = columns.pop(name)
        sorted_columns[name] = col.take(order) if isinstance(col, Categorical) else col[order]
        del col
    return EventTable(offsets, ticket, at[order], sorted_columns)
