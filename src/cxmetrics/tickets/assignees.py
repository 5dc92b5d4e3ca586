"""Assignees: who a ticket was assigned to first and last, how many, and when.

dbt_zendesk's assignee columns (``int_zendesk__ticket_historical_assignee`` and
``int_zendesk__ticket_resolution_times_calendar``) over the assignment history:
an assignment naming an agent is an assignment to that agent; one naming only a
group leaves the agent as it was. A ticket without any assignment history falls
back to its own ``agent_id`` (assigned, at an unknown instant).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tickets.clocks import business_clock, clock_origin
from cxmetrics.tickets.lookups import distinct_per_ticket, first_per_ticket

__all__ = ["assignee_column_names", "assignee_columns"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _decoded(codes: npt.NDArray[Any], categories: tuple[str, ...]) -> npt.NDArray[np.object_]:
    lookup = np.array([*categories, None], dtype=object)
    result: npt.NDArray[np.object_] = lookup[codes]  # code -1 reads the trailing None
    return result


_SPANS = ("unassigned", "first_assignment_to_resolution", "last_assignment_to_resolution")


def assignee_column_names(business: bool) -> tuple[str, ...]:
    """The columns of :func:`assignee_columns`, in order, with a calendar when ``business``.

    Examples
    --------
    >>> assignee_column_names(True)[-3:]
    ('unassigned_business', 'first_assignment_to_resolution_business', 'last_assignment_to_resolution_business')
    """
    names = ("first_assignee", "last_assignee", "first_assigned_at", "last_assigned_at")
    business_spans = tuple(f"{name}_business" for name in _SPANS) if business else ()
    return (*names, "unique_assignees", *_SPANS, *business_spans)


def assignee_columns(batch: TicketBatch, resolved_at: FloatArray, calendar: Any) -> dict[str, Any]:
    """Per ticket: the first and last assignee, the distinct assignees, and the spans between.

    Columns: ``first_assignee``, ``last_assignee`` (agent ids), ``first_assigned_at``,
    ``last_assigned_at``, ``unique_assignees``, ``unassigned`` (creation to the first
    assignment to an agent; NaN when never assigned), ``first_assignment_to_resolution``
    and ``last_assignment_to_resolution`` (to ``resolved_at``, the latest solve of a
    resolved ticket); with a calendar also each duration's ``<name>_business``.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import Assignment, Ticket
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, assignments=[
    ...     Assignment(at=t0 + timedelta(minutes=5), agent_id="ann"),
    ...     Assignment(at=t0 + timedelta(minutes=9), group="tier2"),
    ...     Assignment(at=t0 + timedelta(minutes=20), agent_id="bob")])])
    >>> cols = assignee_columns(batch, batch.created_at + 3600.0, None)
    >>> cols["first_assignee"].tolist(), cols["last_assignee"].tolist(), cols["unique_assignees"].tolist()
    (['ann'], ['bob'], [2])
    >>> cols["unassigned"].tolist(), cols["last_assignment_to_resolution"].tolist()
    ([300.0], [2400.0])
    """
    n = len(batch)
    table = batch.assignments
    no_history = np.diff(table.offsets) == 0
    own = _decoded(batch.agent_id.codes, batch.agent_id.categories)
    if len(table):
        agent = table["agent_id"]
        codes = agent.codes
        named = codes >= 0
        first_row = first_per_ticket(table, named, n)
        last_row = np.full(n, -1, dtype=np.int64)
        rows = np.flatnonzero(named)
        last_row[table.ticket[rows]] = rows  # later rows overwrite: the latest assignment
        at = np.concatenate([table.at, [np.nan]])
        names = np.concatenate([_decoded(codes, agent.categories), [None]])
        unique = distinct_per_ticket(table.ticket, codes, n)
    else:
        first_row = last_row = np.full(n, -1, dtype=np.int64)
        at, names = np.array([np.nan]), np.array([None], dtype=object)
        unique = np.zeros(n, dtype=np.int64)
    first_at, last_at = at[first_row], at[last_row]
    columns: dict[str, Any] = {
        "first_assignee": np.where(no_history, own, names[first_row]),
        "last_assignee": np.where(no_history, own, names[last_row]),
        "first_assigned_at": first_at,
        "last_assigned_at": last_at,
        "unique_assignees": np.where(no_history, batch.agent_id.codes >= 0, unique).astype(
            np.int64
        ),
    }
    spans = {
        "unassigned": (batch.created_at, first_at),
        "first_assignment_to_resolution": (first_at, resolved_at),
        "last_assignment_to_resolution": (last_at, resolved_at),
    }
    for name, (start, end) in spans.items():
        columns[name] = end - start
    if calendar is not None:
        # Read the business clock once per instant (four per ticket), then subtract.
        origin = clock_origin(batch)
        instants = np.concatenate([batch.created_at, first_at, last_at, resolved_at])
        clock = dict(
            zip(
                ("created", "first", "last", "resolved"),
                np.split(business_clock(calendar, instants, origin, np.tile(np.arange(n), 4)), 4),
                strict=True,
            )
        )
        business = {
            "unassigned": clock["first"] - clock["created"],
            "first_assignment_to_resolution": clock["resolved"] - clock["first"],
            "last_assignment_to_resolution": clock["resolved"] - clock["last"],
        }
        for name, seconds in business.items():
            columns[f"{name}_business"] = seconds
    return columns
