"""Stations: how many agents or groups handled each ticket, from its assignment history.

A station is a run of equal, known values in the history: A → B → A is three
stations, two transfers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import EventTable
from cxmetrics.tickets.lookups import first_of_runs

__all__ = ["stations"]

IntArray = npt.NDArray[np.int64]


def stations(table: EventTable, column: str, current: Any, n: int) -> IntArray:
    """Number of stations per ticket: runs of equal, known values in an assignment history.

    A → B → A is three stations (two transfers). Rows without a value (an
    assignment naming only a group has no agent) are skipped. A ticket without any
    assignment has one station when ``current`` (the ticket's own column) is set.

    Examples
    --------
    >>> from cxmetrics.tables.ticket_batch import Categorical
    >>> t = EventTable.build(np.zeros(4, np.int64), np.arange(4.0),
    ...                      {"agent_id": Categorical.from_values(["a", None, "b", "a"])}, 1)
    >>> stations(t, "agent_id", Categorical.from_values([None]), 1).tolist()
    [3]
    """
    fallback: IntArray = (current.codes >= 0).astype(np.int64, copy=False)
    if len(table) == 0:
        return fallback
    codes = table[column].codes
    known = np.flatnonzero(codes >= 0)
    ticket, value = table.ticket[known], codes[known]
    change = first_of_runs(ticket) | np.concatenate([[True], value[1:] != value[:-1]])
    counts: IntArray = np.bincount(ticket[change], minlength=n).astype(np.int64, copy=False)
    no_history = np.diff(table.offsets) == 0
    result: IntArray = np.where(no_history, fallback, counts)
    return result
