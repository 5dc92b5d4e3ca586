"""Measuring tickets: :func:`ticket_metrics`, and :func:`measured` to reuse a measurement.

The entry points of the ticket kernel. :func:`ticket_metrics` reads the
definitions, builds the batch, and measures it (through the shared-measures cache
when a :func:`~cxmetrics.tickets.cache.shared_measures` block is open);
:func:`measured` lets a metric accept either tickets or a table measured earlier.
"""

from __future__ import annotations

from typing import Any

from cxmetrics.definitions import Definitions
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tickets.batch_table import build_ticket_table
from cxmetrics.tickets.cache import shared_table
from cxmetrics.tickets.table import TicketTable

__all__ = ["measured", "ticket_metrics"]


def ticket_metrics(
    tickets: Any,
    calendar: Any = None,
    definitions: Definitions | str = "default",
) -> TicketTable:
    """Measure every ticket: reply, resolution and wait times, counts, stations, FCR.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    calendar : BusinessCalendar, optional
        When given, every duration is also measured in business seconds of this
        calendar, in a ``<name>_business`` column beside the calendar-time one.
    definitions : Definitions or str, default="default"
        The rules, or a preset name (default, zendesk, freshdesk, intercom, zammad,
        chatwoot).

    Returns
    -------
    TicketTable
        One row per ticket, in input order. Durations are float seconds; NaN marks
        a measure that is not defined (yet) for the ticket: no reply, not resolved,
        excluded by a rule. Columns:

        - ``id``, ``created_at`` (epoch seconds), ``channel``, ``priority``,
          ``status``, ``created_by``, ``customer_id``, ``agent_id``, ``group``;
        - ``resolved`` (solved or closed now);
        - instants ``first_reply_at``, ``first_resolved_at``, ``resolved_at``
          (the latest solve, NaN when unresolved now);
        - durations ``first_reply``, ``first_resolution``, ``full_resolution``,
          ``requester_wait`` (new + open + on-hold), ``agent_wait`` (pending),
          ``on_hold`` (the waits: only for resolved tickets with a status history), ``next_reply_mean``
          and ``next_reply_max`` (over the exchanges after the first);
        - counts ``replies`` (public agent replies under the definitions),
          ``customer_messages``, ``next_replies``, ``solves``, ``reopens``,
          ``assignee_stations``, ``group_stations``;
        - ``fcr`` (resolved on first contact under ``definitions.fcr_rule``) and
          ``first_reply_excluded`` (left out of first reply time by
          ``agent_created="exclude"``).

        Every reply exchange (each next-reply time) is in ``table.exchanges`` and
        every solve in ``table.solves``.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import Message, StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id="A", created_at=t0, interactions=[
    ...     Message(at=t0, author="customer"),
    ...     Message(at=t0 + timedelta(minutes=30), author="agent"),
    ...     Message(at=t0 + timedelta(hours=2), author="customer"),
    ...     Message(at=t0 + timedelta(hours=3), author="agent")],
    ...     status_changes=[StatusChange(at=t0 + timedelta(hours=3), status="solved")])
    >>> table = ticket_metrics([ticket])
    >>> table["first_reply"].tolist(), table["full_resolution"].tolist(), table["replies"].tolist()
    ([1800.0], [10800.0], [2])
    >>> table.exchanges["seconds"].tolist()    # 30 min, then 1 h after the follow-up
    [1800.0, 3600.0]
    >>> table.to_pandas()[["id", "next_reply_mean", "fcr"]].to_dict("records")
    [{'id': 'A', 'next_reply_mean': Timedelta('0 days 01:00:00'), 'fcr': False}]
    """
    rules = _as_definitions(definitions)
    batch = as_ticket_batch(tickets)
    table = shared_table(batch, calendar, rules)
    return table if table is not None else build_ticket_table(batch, calendar, rules)


def measured(tickets: Any, calendar: Any, definitions: Definitions | str) -> TicketTable:
    """The per-ticket table of ``tickets``: reused when ``tickets`` is one already.

    A :class:`TicketTable` is reused when it was measured under the same
    definitions and, when ``calendar`` is given, the same calendar; anything else
    is measured with :func:`ticket_metrics`.

    Raises
    ------
    ValueError
        When a table measured under other definitions or another calendar is given.

    Examples
    --------
    >>> table = ticket_metrics([], None, "zendesk")
    >>> measured(table, None, "zendesk") is table
    True
    >>> measured(table, None, "default") is table    # the same rules under another name
    True
    >>> measured(table, None, "chatwoot")
    Traceback (most recent call last):
    ...
    ValueError: this TicketTable was measured under the 'zendesk' definitions, not 'chatwoot'; measure the tickets again or pass the tickets
    """
    if not isinstance(tickets, TicketTable):
        return ticket_metrics(tickets, calendar, definitions)
    rules = _as_definitions(definitions)
    # Compare the rules, not the labels: a custom copy of a preset is the same rules.
    if tickets.definitions.model_copy(update={"name": rules.name}) != rules:
        raise ValueError(
            f"this TicketTable was measured under the {tickets.definitions.name!r} "
            f"definitions, not {rules.name!r}; measure the tickets again or pass the tickets"
        )
    if calendar is not None and tickets.calendar != calendar:
        raise ValueError(
            "this TicketTable was measured "
            + ("in calendar time" if tickets.calendar is None else "with another calendar")
            + f", not with {calendar!r}; measure the tickets again or pass the tickets"
        )
    return tickets


def _as_definitions(definitions: Definitions | str) -> Definitions:
    if isinstance(definitions, Definitions):
        return definitions
    if isinstance(definitions, str):
        return Definitions.preset(definitions)
    raise TypeError(
        f"definitions must be a Definitions or a preset name, got {type(definitions).__name__}"
    )
