"""The shared-measures cache: one measurement per batch inside a :func:`shared_measures` block.

A report runs many metrics on the same batches, and every one starts from
:func:`~cxmetrics.tickets.ticket_metrics`. Inside the block (a ``ContextVar``,
so threads and tasks each see their own), each (batch, calendar, definitions) is
measured once, and the subsets declared with :func:`measure_as_subset` are cut
from their parent's measurement instead of being measured again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import Definitions
from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tickets.batch_table import build_ticket_table
from cxmetrics.tickets.subsets import event_offsets, select_measures
from cxmetrics.tickets.table import TicketTable

__all__ = ["measure_as_subset", "shared_measures", "shared_table"]

IntArray = npt.NDArray[np.int64]


class _Shared:
    """Measurements shared inside :func:`shared_measures`, and the subsets' parents."""

    def __init__(self) -> None:
        self.tables: dict[tuple[int, int, Definitions], tuple[Any, Any, TicketTable]] = {}
        self.parents: dict[int, tuple[Any, TicketBatch, IntArray]] = {}
        self.offsets: dict[int, tuple[TicketTable, tuple[IntArray, IntArray]]] = {}
        # The first table measured of each (batch, definitions), whatever its calendar.
        self.first: dict[tuple[int, Definitions], TicketTable] = {}

    def measure(self, batch: TicketBatch, calendar: Any, rules: Definitions) -> TicketTable:
        key = (id(batch), id(calendar), rules)
        if calendar is None and key not in self.tables:
            # A table measured in business time holds the calendar-time columns too.
            measured = self.first.get((id(batch), rules))
            if measured is not None:
                return measured
        if key not in self.tables:
            origin = self.parents.get(id(batch))
            # Per-ticket measures depend on the ticket alone, except the repeat-contact
            # FCR rule, which looks at the customer's other tickets: that one is
            # measured on the subset itself, as a one-liner on the subset would.
            if origin is not None and rules.fcr_rule != "repeat_contact":
                parent = self.measure(origin[1], calendar, rules)
                if id(parent) not in self.offsets:
                    self.offsets[id(parent)] = (parent, event_offsets(parent))
                table = select_measures(parent, origin[2], self.offsets[id(parent)][1])
            else:
                table = build_ticket_table(batch, calendar, rules)
            self.tables[key] = (batch, calendar, table)
            self.first.setdefault((id(batch), rules), table)
        return self.tables[key][2]


_SHARED: ContextVar[_Shared | None] = ContextVar("cxmetrics_shared_measures", default=None)


def shared_table(batch: TicketBatch, calendar: Any, rules: Definitions) -> TicketTable | None:
    """The measurement of ``batch`` shared in the current block, or ``None`` outside one.

    Inside :func:`shared_measures` the batch is measured on the first request (or
    cut from its parent's measurement) and the same table is returned after that.

    Examples
    --------
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> batch = as_ticket_batch([])
    >>> shared_table(batch, None, Definitions()) is None
    True
    >>> with shared_measures():
    ...     shared_table(batch, None, Definitions()) is shared_table(batch, None, Definitions())
    True
    """
    shared = _SHARED.get()
    if shared is None:
        return None
    return shared.measure(batch, calendar, rules)


@contextmanager
def shared_measures() -> Iterator[None]:
    """Within this block, :func:`~cxmetrics.tickets.ticket_metrics` measures each batch only once.

    Metrics over tickets all start from :func:`~cxmetrics.tickets.ticket_metrics`;
    a report that runs many of them on the same batches shares one measurement per
    (batch, calendar, definitions) instead of repeating it per metric, and the
    subsets it registers with :func:`measure_as_subset` are cut from their parent's
    measurement instead of being measured again. A request in calendar time is
    served by a business-time table of the same batch when there is one: it
    holds the calendar-time columns too.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> from cxmetrics.tickets import ticket_metrics
    >>> batch = generate(20, seed=1).tickets
    >>> with shared_measures():
    ...     ticket_metrics(batch) is ticket_metrics(batch)
    True
    """
    token = _SHARED.set(_Shared())
    try:
        yield
    finally:
        _SHARED.reset(token)


def measure_as_subset(child: TicketBatch, parent: TicketBatch, positions: IntArray) -> None:
    """Declare ``child == parent.select(positions)`` inside :func:`shared_measures`.

    Outside the block this does nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from cxmetrics.datasets import generate
    >>> from cxmetrics.tickets import ticket_metrics
    >>> batch = generate(30, seed=2).tickets
    >>> rows = np.arange(5, 25)
    >>> part = batch.select(rows)
    >>> with shared_measures():
    ...     measure_as_subset(part, batch, rows)
    ...     cut = ticket_metrics(part)
    >>> alone = ticket_metrics(part)
    >>> all(np.array_equal(cut[c], alone[c], equal_nan=True) for c in ("first_reply", "reopens"))
    True
    """
    shared = _SHARED.get()
    if shared is not None:
        shared.parents[id(child)] = (child, parent, np.asarray(positions, dtype=np.int64))
