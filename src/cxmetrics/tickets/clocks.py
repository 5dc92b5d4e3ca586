"""Clocks: durations in calendar or business time, read once per instant.

Business time is read off a *business clock*: ``clock(t) = business seconds from a
fixed origin to t``, so every duration ``end - start`` in business time is
``clock(end) - clock(start)`` (business time is additive). The clock is read once
per instant, not once per pair, which is what keeps a million tickets fast.
Without a calendar the clock is elapsed time since the origin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.calendars.rules import CalendarRule
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.ticket import PRIORITIES
from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = [
    "TicketCalendars",
    "bind_calendar",
    "business_clock",
    "clock_origin",
    "clock_where",
    "elapsed",
    "ticket_calendars",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def elapsed(
    calendar: Any, starts: FloatArray, ends: FloatArray, owners: IntArray | None = None
) -> FloatArray:
    """Seconds from ``starts`` to ``ends``: business seconds with a calendar, else elapsed.

    NaN in either array gives NaN; the result is signed (negative when an end
    precedes its start). With per-ticket calendars (:class:`TicketCalendars`),
    ``owners`` gives the ticket of every pair.

    Examples
    --------
    >>> elapsed(None, np.array([0.0, np.nan]), np.array([90.0, 5.0])).tolist()
    [90.0, nan]
    """
    if calendar is None:
        return ends - starts
    if isinstance(calendar, TicketCalendars):
        if owners is None:
            raise TypeError("per-ticket calendars need the ticket of every pair (owners)")
        return calendar.between(starts, ends, owners)
    result: FloatArray = calendar.business_seconds(starts, ends)
    return result


def business_clock(
    calendar: Any, instants: FloatArray, origin: float, owners: IntArray | None = None
) -> FloatArray:
    """Read a clock at every instant: business seconds since ``origin`` (elapsed without calendar).

    ``clock(end) - clock(start)`` is the (business) duration from start to end, so a
    kernel that needs many durations between few instants reads the clock once per
    instant. NaN instants read NaN.

    Examples
    --------
    >>> business_clock(None, np.array([100.0, 160.0, np.nan]), 100.0).tolist()
    [0.0, 60.0, nan]
    """
    if calendar is None:
        result: FloatArray = instants - origin
        return result
    if instants.size == 0:
        return np.empty(0)
    if isinstance(calendar, TicketCalendars):
        if owners is None:
            raise TypeError("per-ticket calendars need the ticket of every instant (owners)")
        return calendar.read(instants, owners, origin)
    # A one-element origin broadcasts: the calendar looks it up once, not once per instant.
    return elapsed(calendar, np.array([origin]), instants)


def clock_origin(batch: TicketBatch) -> float:
    """The origin of a batch's clock: its earliest creation (0.0 when there is none).

    Examples
    --------
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> clock_origin(as_ticket_batch([]))
    0.0
    """
    finite = batch.created_at[np.isfinite(batch.created_at)]
    return float(finite.min()) if finite.size else 0.0


def clock_where(calendar: Any, origin: float, mask: BoolArray, instants: FloatArray) -> FloatArray:
    """Clock readings of ``instants`` where ``mask`` holds (NaN elsewhere), read only there.

    Examples
    --------
    >>> clock_where(None, 10.0, np.array([True, False]), np.array([25.0, 40.0])).tolist()
    [15.0, nan]
    """
    out = np.full(instants.size, np.nan)
    if mask.any():
        owners = np.flatnonzero(mask) if isinstance(calendar, TicketCalendars) else None
        out[mask] = business_clock(calendar, instants[mask], origin, owners)
    return out


def ticket_calendars(
    rule: CalendarRule, batch: TicketBatch, rows: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int64]:
    """Each ticket's calendar under ``rule``: an index into ``rule.calendars`` (-1: calendar time).

    One lookup per distinct field value, then a gather over the tickets (only
    those at ``rows`` when given).

    Raises
    ------
    InvalidParameterError
        When a ticket's value has no calendar in the rule and the rule has no default.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import BusinessCalendar, Ticket
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id="a", created_at=t0, group="emea"),
    ...                          Ticket(id="b", created_at=t0, group="amer"),
    ...                          Ticket(id="c", created_at=t0)])
    >>> rule = CalendarRule(by="group", calendars={"emea": BusinessCalendar("Europe/Paris"),
    ...                     "amer": None}, default=BusinessCalendar())
    >>> ticket_calendars(rule, batch).tolist()
    [0, -1, 1]
    """
    if rule.by == "priority":
        labels: list[str | None] = [*PRIORITIES, None]
        codes = batch.priority.astype(np.int64)
        codes = np.where(codes < 0, len(PRIORITIES), codes)
    else:
        column = getattr(batch, rule.by)
        labels = [*column.categories, None]
        codes = np.where(column.codes < 0, len(column.categories), column.codes).astype(np.int64)
    if rows is not None:
        codes = codes[rows]
    choice = rule.choose(labels)[codes]
    if (choice == -2).any():
        bad = np.flatnonzero(choice == -2)
        values = sorted({str(labels[c]) for c in codes[bad]})
        owners = bad if rows is None else rows[bad]
        ids = ", ".join(map(str, batch.ids[owners[:5]]))
        raise InvalidParameterError(
            f"ticket(s) {ids} have {rule.by} {', '.join(values)} with no calendar in the "
            "CalendarRule and the rule has no default; add them or give default="
        )
    return choice


class TicketCalendars:
    """A :class:`CalendarRule` bound to a batch: its calendars and each ticket's choice.

    Each instant is read on the clock of the ticket it belongs to, so every
    duration within a ticket is measured on that ticket's calendar.
    """

    def __init__(self, calendars: tuple[Any, ...], choice: IntArray) -> None:
        self.calendars = calendars
        self.choice = choice

    def read(self, instants: FloatArray, owners: IntArray, origin: float) -> FloatArray:
        """Clock readings of ``instants``, each on its owner ticket's calendar."""
        out: FloatArray = instants - origin  # calendar time (choice -1)
        if not self.choice.size:
            return out
        which = self.choice[owners]
        for k, calendar in enumerate(self.calendars):
            rows = np.flatnonzero(which == k)
            if rows.size:
                out[rows] = elapsed(calendar, np.array([origin]), instants[rows])
        return out

    def between(self, starts: FloatArray, ends: FloatArray, owners: IntArray) -> FloatArray:
        """Seconds from ``starts`` to ``ends``, each pair on its owner ticket's calendar."""
        out: FloatArray = ends - starts  # calendar time (choice -1)
        which = self.choice[owners]
        for k, calendar in enumerate(self.calendars):
            rows = np.flatnonzero(which == k)
            if rows.size:
                out[rows] = elapsed(calendar, starts[rows], ends[rows])
        return out


def bind_calendar(calendar: Any, batch: TicketBatch) -> Any:
    """``calendar`` itself, or a :class:`CalendarRule` bound to ``batch``'s tickets."""
    if isinstance(calendar, CalendarRule):
        return TicketCalendars(calendar.calendars, ticket_calendars(calendar, batch))
    return calendar
