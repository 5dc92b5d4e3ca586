"""Time in each status, group or assignee: a long table, one row per ticket and value.

Asked for in dbt_zendesk's and Chatwoot's trackers and offered by neither. A
ticket's history is cut into segments, each with one value: for ``status`` the
status segments (``new`` from creation to the first change); for ``group`` and
``assignee`` the assignment history, the value carried forward over an assignment
that names only the other field, and no value (``None``: unassigned) from
creation to the first assignment. Segments of equal value are summed per ticket.

The last segment is still running: a status segment ends at ``as_of``. Time with
a group or an assignee stops at the ticket's resolution (its latest solve) when it
is solved or closed now, else at ``as_of``. Without ``as_of`` a running segment's
seconds are NaN.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import DEFAULT
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.ticket import TICKET_STATUSES
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tables.ticket_batch import Categorical, TicketBatch
from cxmetrics.tickets.batch_table import build_ticket_table
from cxmetrics.tickets.clocks import bind_calendar, elapsed
from cxmetrics.tickets.lookups import first_of_runs
from cxmetrics.tickets.status import status_segments
from cxmetrics.tickets.table import ColumnTable

__all__ = ["time_in"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
By = Literal["status", "group", "assignee"]
_FIELDS = {"group": "group", "assignee": "agent_id"}


def time_in(
    tickets: Any,
    *,
    by: By = "status",
    calendar: Any = None,
    as_of: datetime | None = None,
) -> ColumnTable:
    """How long each ticket spent in each status, with each group or with each assignee.

    Parameters
    ----------
    tickets : list of Ticket, TicketBatch or DataFrame
    by : {"status", "group", "assignee"}, default="status"
    calendar : BusinessCalendar, optional
        Adds ``seconds_business``: the same spans in business time.
    as_of : datetime, optional
        Where the running segment of each ticket ends (see the module notes);
        without it that segment's seconds are NaN. Spans after ``as_of`` are cut off.

    Returns
    -------
    ColumnTable
        One row per ticket and value, tickets in input order and values in order of
        first appearance: ``ticket`` (row index), ``id``, ``value`` (a status, a group
        or an agent id; ``None`` for unassigned time), ``seconds`` and, with a
        calendar, ``seconds_business``.

    Raises
    ------
    InvalidParameterError
        For an unknown ``by`` or a naive ``as_of``.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import Assignment, StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> at = lambda minutes: t0 + timedelta(minutes=minutes)
    >>> ticket = Ticket(id="A", created_at=t0,
    ...     status_changes=[StatusChange(at=at(10), status="open"),
    ...                     StatusChange(at=at(40), status="pending"),
    ...                     StatusChange(at=at(70), status="open"),
    ...                     StatusChange(at=at(90), status="solved")],
    ...     assignments=[Assignment(at=at(5), group="tier1"), Assignment(at=at(50), group="tier2")])
    >>> t = time_in([ticket], as_of=at(120))
    >>> list(zip(t["value"].tolist(), t["seconds"].tolist()))
    [('new', 600.0), ('open', 3000.0), ('pending', 1800.0), ('solved', 1800.0)]
    >>> t = time_in([ticket], by="group")
    >>> list(zip(t["value"].tolist(), t["seconds"].tolist()))
    [(None, 300.0), ('tier1', 2700.0), ('tier2', 2400.0)]
    """
    if by not in ("status", "group", "assignee"):
        raise InvalidParameterError(f"by must be 'status', 'group' or 'assignee', got {by!r}")
    if as_of is not None and (not isinstance(as_of, datetime) or as_of.tzinfo is None):
        raise InvalidParameterError(
            f"as_of must be a timezone-aware datetime, got {as_of!r} "
            "(add tzinfo, e.g. datetime(..., tzinfo=timezone.utc))"
        )
    batch = as_ticket_batch(tickets)
    limit = np.inf if as_of is None else as_of.timestamp()
    if by == "status":
        ticket, codes, start, end, names = _status_spans(batch)
        cap = np.full(ticket.size, limit)
    else:
        ticket, codes, start, end, names = _assignment_spans(batch, _FIELDS[by])
        resolved_at = build_ticket_table(batch, None, DEFAULT)["resolved_at"]
        cap = np.fmin(resolved_at[ticket], limit)  # fmin: an unresolved ticket's NaN gives way
    # Cut at the cap; a segment still running without as_of ends at +inf, read as NaN.
    start = np.fmin(start, cap)
    end = np.fmin(np.where(np.isnan(end), cap, end), cap)
    end = np.where(np.isinf(end), np.nan, end)
    return _summed(batch, calendar, ticket, codes, start, end, names)


def _status_spans(
    batch: TicketBatch,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, tuple[str, ...]]:
    segments = status_segments(batch)
    return segments.ticket, segments.status, segments.start, segments.end, TICKET_STATUSES


def _assignment_spans(
    batch: TicketBatch, field: str
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, tuple[str, ...]]:
    """Segments from the assignment history: a head (creation to the first row) and one per row."""
    n = len(batch)
    table = batch.assignments
    own: Categorical = getattr(batch, field)
    if len(table) == 0:  # no history: the ticket's own value, from its creation
        return (
            np.arange(n, dtype=np.int64),
            own.codes.astype(np.int64),
            batch.created_at,
            np.full(n, np.nan),
            own.categories,
        )
    column: Categorical = table[field]
    # One set of names for the history and the tickets' own values (a ticket
    # without history keeps its own value, from its creation).
    names = tuple(sorted(set(column.categories) | set(own.categories)))
    codes = _carried_forward(table.ticket, _recoded(column, names))
    own_codes = _recoded(own, names)
    no_history = np.diff(table.offsets) == 0
    heads = table.offsets[:-1] + np.arange(n)  # layout as status_segments: head, then rows
    rows = np.arange(len(table)) + table.ticket + 1
    size = n + len(table)
    ticket, value = np.empty(size, np.int64), np.empty(size, np.int64)
    start = np.empty(size)
    ticket[heads], ticket[rows] = np.arange(n), table.ticket
    start[heads], start[rows] = batch.created_at, table.at
    value[heads] = np.where(no_history, own_codes, -1)
    value[rows] = codes
    end = np.empty(size)
    end[:-1] = start[1:]
    end[heads - 1] = np.nan  # a ticket's last segment runs on
    end[-1] = np.nan
    return ticket, value, start, end, names


def _recoded(column: Categorical, names: tuple[str, ...]) -> IntArray:
    """The codes of ``column`` as indices into ``names`` (a superset of its categories)."""
    index = {name: code for code, name in enumerate(names)}
    mapping = np.array([*(index[c] for c in column.categories), -1], dtype=np.int64)
    result: IntArray = mapping[column.codes]
    return result


def _carried_forward(ticket: IntArray, codes: IntArray) -> IntArray:
    """Each row's code, or the latest known code of the same ticket before it (-1 if none)."""
    rows = np.arange(codes.size)
    known = np.where(codes >= 0, rows, -1)
    # A run's own first row is its floor: an earlier ticket's rows are never carried in.
    floor = np.maximum.accumulate(np.where(first_of_runs(ticket), rows, 0))
    latest = np.maximum.accumulate(known)
    result: IntArray = np.where(latest >= floor, codes[np.maximum(latest, 0)], -1)
    return result


def _summed(
    batch: TicketBatch,
    calendar: Any,
    ticket: IntArray,
    codes: IntArray,
    start: FloatArray,
    end: FloatArray,
    names: tuple[str, ...],
) -> ColumnTable:
    """Sum the segments per (ticket, value), in order of first appearance."""
    width = len(names) + 1
    key = ticket * width + (codes + 1)
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # rows as they first appear: ticket-sorted
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    slot = rank[inverse]
    columns: dict[str, Any] = {}
    out_ticket = (unique[order] // width).astype(np.int64)
    columns["ticket"] = out_ticket
    columns["id"] = batch.ids[out_ticket]
    columns["value"] = np.array([*names, None], dtype=object)[unique[order] % width - 1]
    columns["seconds"] = np.bincount(slot, weights=end - start, minlength=order.size)
    if calendar is not None:
        business = elapsed(bind_calendar(calendar, batch), start, end, ticket)
        columns["seconds_business"] = np.bincount(slot, weights=business, minlength=order.size)
    return ColumnTable(columns)
