"""Subsets of a measurement: the rows of some tickets, cut from a table measured on all.

Per-ticket measures depend on the ticket alone (except the repeat-contact FCR
rule), so a report's segments can be cut from one measurement of the whole batch
instead of being measured again. The exchanges and solves are ticket-sorted: a
ticket's events are one slice, found through offsets per ticket.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import rows_of_tickets
from cxmetrics.tickets.table import ColumnTable, TakenColumns, TicketTable

__all__ = ["event_offsets", "select_measures"]

IntArray = npt.NDArray[np.int64]


def event_offsets(table: TicketTable) -> tuple[IntArray, IntArray]:
    """Row offsets per ticket of the exchanges and of the solves (both ticket-sorted).

    Examples
    --------
    >>> from cxmetrics.tickets import ticket_metrics
    >>> exchanges, solves = event_offsets(ticket_metrics([]))
    >>> exchanges.tolist(), solves.tolist()
    ([0], [0])
    """
    n = len(table)
    return tuple(  # type: ignore[return-value]
        np.searchsorted(
            np.asarray(events.raw("ticket"), dtype=np.int64), np.arange(n + 1), side="left"
        )
        for events in (table.exchanges, table.solves)
    )


def select_measures(
    table: TicketTable,
    positions: IntArray,
    offsets: tuple[IntArray, IntArray] | None = None,
) -> TicketTable:
    """The rows ``positions`` of a measurement, its exchanges and solves renumbered.

    ``offsets`` (from the exchanges' and solves' ticket-sorted rows) make the cost
    proportional to the rows selected, not to the whole measurement.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> from cxmetrics.tickets import ticket_metrics
    >>> batch = generate(30, seed=2).tickets
    >>> whole = ticket_metrics(batch)
    >>> part = select_measures(whole, np.array([3, 7]))
    >>> part["id"].tolist() == whole["id"][[3, 7]].tolist()
    True
    """
    positions = np.asarray(positions, dtype=np.int64)
    if offsets is None:
        offsets = event_offsets(table)

    # Columns are cut when a metric reads them: most read two or three of forty.
    columns = TakenColumns(table.columns, positions)
    events = []
    for event_table, starts in zip((table.exchanges, table.solves), offsets, strict=True):
        rows, _, ticket = rows_of_tickets(starts, positions)
        renumbered = {"ticket": ticket}
        events.append(ColumnTable(TakenColumns(event_table.columns, rows, renumbered)))
    return TicketTable(
        columns,
        exchanges=events[0],
        solves=events[1],
        definitions=table.definitions,
        business=table.business,
    )
