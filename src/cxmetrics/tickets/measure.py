"""Measuring tickets: :func:`ticket_metrics`, and :func:`measured` to reuse a measurement.

The entry points of the ticket kernel. :func:`ticket_metrics` reads the
definitions, builds the batch, and measures it (through the shared-measures cache
when a :func:`~cxmetrics.tickets.cache.shared_measures` block is open);
:func:`measured` lets a metric accept either tickets or a table measured earlier.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cxmetrics.core.dispatch import engine_function
from cxmetrics.definitions import Definitions
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tickets.ages import age_columns
from cxmetrics.tickets.batch_table import build_ticket_table
from cxmetrics.tickets.cache import shared_table
from cxmetrics.tickets.table import TicketTable

__all__ = ["measured", "ticket_metrics"]


def ticket_metrics(
    tickets: Any,
    calendar: Any = None,
    definitions: Definitions | str = "default",
    *,
    as_of: datetime | None = None,
) -> TicketTable:
    """Measure every ticket: reply, resolution and wait times, counts, stations, FCR.

    Parameters
    ----------
    tickets : list of Ticket, TicketBatch, DataFrame or DistributedTables
        Tickets in process, or on an engine: a Dask or Spark tickets DataFrame,
        or a :class:`~cxmetrics.engines.DistributedTables` of the tickets with
        their histories (see the notes).
    calendar : BusinessCalendar, optional
        When given, every duration is also measured in business seconds of this
        calendar, in a ``<name>_business`` column beside the calendar-time one.
    definitions : Definitions or str, default="default"
        The rules, or a preset name (default, zendesk, freshdesk, intercom, zammad,
        chatwoot).
    as_of : datetime, optional
        The evaluation instant of the ages: with it the table also has
        ``updated_at`` (the ticket's latest event), ``unsolved_age`` and
        ``unsolved_age_since_update`` (NaN for solved and closed tickets).

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
          ``agent_created="exclude"``);
        - dbt_zendesk's columns (``docs/metrics/tickets.md`` maps each to its
          dbt name): durations ``new_status``, ``open_status``, ``agent_work``
          (new + open), ``solve_time`` (every unresolved status),
          ``total_reply`` (every exchange, the first included), ``unassigned``,
          ``first_assignment_to_resolution``, ``last_assignment_to_resolution``;
          counts ``public_comments``, ``internal_comments``, ``agent_comments``,
          ``customer_comments``, ``handoffs`` (distinct agents who wrote),
          ``unique_assignees``; ``first_assignee``, ``last_assignee``,
          ``first_assigned_at``, ``last_assigned_at``; flags ``one_touch``,
          ``two_touch``, ``multi_touch`` (resolved with 1, 2, 3+ replies).

        Every reply exchange (each next-reply time) is in ``table.exchanges`` and
        every solve in ``table.solves``.

    Notes
    -----
    For a Dask or Spark input the result is a distributed DataFrame of the same
    rows (in no particular order), measured partition by partition on the
    workers: the columns of ``to_pandas()``, every one computed (the deferred
    dbt_zendesk columns included), with instants as UTC timestamps, durations as
    timedeltas (microseconds on Spark) and strings as plain strings. Its schema is
    known before it runs; nothing is collected. ``exchanges`` and ``solves`` are
    not produced there. See :mod:`cxmetrics.engines.per_ticket`.

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
    >>> table["total_reply"].tolist(), table["two_touch"].tolist(), table["agent_work"].tolist()
    ([5400.0], [True], [10800.0])
    >>> waiting = Ticket(id="B", created_at=t0, interactions=ticket.interactions[:3])
    >>> aged = ticket_metrics([waiting], as_of=t0 + timedelta(days=1))
    >>> aged["unsolved_age"].tolist(), aged["unsolved_age_since_update"].tolist()
    ([86400.0], [79200.0])
    """
    engine = engine_function("ticket_metrics", tickets)
    if engine is not None:
        return engine(tickets, calendar, definitions, as_of=as_of)  # type: ignore[no-any-return]
    rules = _as_definitions(definitions)
    batch = as_ticket_batch(tickets)
    table = shared_table(batch, calendar, rules)
    if table is None:
        table = build_ticket_table(batch, calendar, rules)
    return table if as_of is None else _with_ages(table, batch, as_of)


def _with_ages(table: TicketTable, batch: Any, as_of: datetime) -> TicketTable:
    """The table with the age columns at ``as_of`` added (the measurement is not changed)."""
    if not isinstance(as_of, datetime) or as_of.tzinfo is None:
        raise InvalidParameterError(
            f"as_of must be a timezone-aware datetime, got {as_of!r} "
            "(add tzinfo, e.g. datetime(..., tzinfo=timezone.utc))"
        )
    resolved = table["resolved"]
    ages = age_columns(batch, resolved, as_of.timestamp(), table.calendar)
    return TicketTable(
        table.extended_columns(ages),  # the deferred columns stay deferred
        exchanges=table.exchanges,
        solves=table.solves,
        definitions=table.definitions,
        business=table.business,
        batch=table.batch,
        calendar=table.calendar,
    )


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
        engine_function("measured", tickets)  # the engines fold metrics, not this
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
