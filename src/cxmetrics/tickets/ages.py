"""Ages: how long an unsolved ticket has been open, and since its last update, at ``as_of``.

dbt_zendesk's ``unsolved_ticket_age_minutes`` and
``unsolved_ticket_age_since_update_minutes`` measure up to the time the model
runs; here the instant is explicit (``as_of``), so a table measured twice gives
the same answer. The last update is the latest event of any of the ticket's
histories (a message, call, status change, assignment or priority change), or its
creation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import EventTable, TicketBatch
from cxmetrics.tickets.clocks import bind_calendar, elapsed

__all__ = ["age_columns", "updated_at"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _last_instant(table: EventTable) -> FloatArray:
    """Each ticket's latest event instant (NaN without events): rows are time-sorted."""
    counts = np.diff(table.offsets)
    last = np.full(counts.size, np.nan)
    has = counts > 0
    last[has] = table.at[table.offsets[1:][has] - 1]
    return last


def updated_at(batch: TicketBatch) -> FloatArray:
    """Each ticket's last update: the latest event of any history, or its creation.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import Message, StatusChange, Ticket
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([
    ...     Ticket(id=1, created_at=t0, interactions=[Message(at=t0 + timedelta(hours=2), author="agent")],
    ...            status_changes=[StatusChange(at=t0 + timedelta(hours=1), status="open")]),
    ...     Ticket(id=2, created_at=t0)])
    >>> (updated_at(batch) - batch.created_at).tolist()
    [7200.0, 0.0]
    """
    latest = batch.created_at
    for table in (
        batch.interactions,
        batch.status_changes,
        batch.assignments,
        batch.priority_changes,
    ):
        latest = np.fmax(latest, _last_instant(table))
    return latest


def age_columns(
    batch: TicketBatch, resolved: BoolArray, as_of: float, calendar: Any
) -> dict[str, FloatArray]:
    """The last update, and the age of each unsolved ticket at ``as_of``.

    Columns: ``updated_at``, ``unsolved_age`` (from creation to ``as_of``) and
    ``unsolved_age_since_update`` (from the last update); with a calendar also
    each age's ``<name>_business``.

    Solved and closed tickets read NaN. An instant after ``as_of`` gives a negative
    age: the caller chose an ``as_of`` before the data ends.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Ticket
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0), Ticket(id=2, created_at=t0, status="solved")])
    >>> age_columns(batch, np.array([False, True]), t0.timestamp() + 60, None)["unsolved_age"].tolist()
    [60.0, nan]
    """
    updated = updated_at(batch)
    calendar = bind_calendar(calendar, batch)  # a CalendarRule: each ticket's own
    owners = np.arange(len(batch))
    now = np.full(len(batch), as_of)
    starts = {"unsolved_age": batch.created_at, "unsolved_age_since_update": updated}
    columns: dict[str, FloatArray] = {"updated_at": updated}
    for name, start in starts.items():
        columns[name] = np.where(resolved, np.nan, now - start)
        if calendar is not None:
            columns[f"{name}_business"] = np.where(
                resolved, np.nan, elapsed(calendar, start, now, owners)
            )
    return columns
