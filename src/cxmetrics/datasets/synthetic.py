"""A deterministic generator of realistic synthetic support data.

Everything is drawn with numpy from one seeded generator and built as columns, so a
million tickets with their histories take seconds and never exist as a million
Python objects. The shapes follow what the real data sets show (see
``docs/datasets.md``): arrivals peak on weekday working hours in the team's
timezone, chat is answered in minutes and email in hours, a tenth of solved tickets
reopen, phone tickets carry a call whose handle time is log-normal, and survey
answers get worse the longer the customer waited for a first reply.

:func:`generate` runs the steps in a fixed order, each drawing from the one seeded
generator: customers and arrivals (:mod:`~cxmetrics.datasets.population`), the
tickets' own fields, the conversations, transfers, extra messages and calls
(:mod:`~cxmetrics.datasets.conversations`), the histories
(:mod:`~cxmetrics.datasets.histories`), then the survey answers
(:mod:`~cxmetrics.datasets.surveys`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from cxmetrics.datasets.columns import _names
from cxmetrics.datasets.conversations import (
    _conversation,
    _extra_messages,
    _interactions,
    _phone_calls,
    _Tickets,
    _transfers,
)
from cxmetrics.datasets.histories import (
    _assignments,
    _awaiting_and_follow_ups,
    _priority_history,
    _status_history,
    _tags,
)
from cxmetrics.datasets.population import _arrival_times, _customers, _ticket_customers
from cxmetrics.datasets.shapes import (
    AGENT_NAMES,
    CHANNEL_SHARE,
    CHANNELS,
    GROUPS,
    PLANS,
    PRIORITY_SHARE,
    FloatArray,
)
from cxmetrics.datasets.surveys import _survey_sends, _surveys
from cxmetrics.datasets.tables import CustomerTable, SyntheticData
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.ticket import PRIORITIES
from cxmetrics.tables.ticket_batch import CREATED_BY, Categorical, TicketBatch

__all__ = ["generate"]


def generate(
    n_tickets: int = 1000,
    *,
    seed: int = 0,
    start: datetime = datetime(2024, 1, 1, tzinfo=timezone.utc),
    weeks: int | None = None,
    timezone: str = "Europe/Amsterdam",
    n_customers: int | None = None,
) -> SyntheticData:
    """Generate a realistic synthetic support data set.

    Tickets arrive by a weekday × hour-of-day load in the team's ``timezone``,
    from customers active at the time; each carries its conversation (customer,
    agent, bot and system messages, internal notes, a call on phone tickets), its
    status, assignment and priority history and its tags. The result is what an
    export taken at the end of the window holds: nothing after it, and the last
    days' tickets still open. ``docs/datasets.md`` lists every distribution.

    Parameters
    ----------
    n_tickets : int, default=1000
        Number of tickets (up to millions: the generator is vectorised).
    seed : int, default=0
        Seed of the random generator; the same arguments give the same data.
    start : datetime, default=2024-01-01 UTC
        Start of the window the tickets are created in (timezone-aware).
    weeks : int, optional
        Length of the window; by default about 250 tickets a day, from 4 weeks to
        2 years.
    timezone : str, default="Europe/Amsterdam"
        The team's timezone, which shapes the daily and weekly arrival pattern.
    n_customers : int, optional
        Number of customers; by default a third of the tickets.

    Returns
    -------
    SyntheticData
        The tickets as a :class:`~cxmetrics.tables.ticket_batch.TicketBatch`, the survey answers,
        calls and customers as columns; each converts to validated records.

    Raises
    ------
    InvalidParameterError
        When an argument has the wrong type or value (a naive ``start``, an unknown
        timezone, a negative size).

    See Also
    --------
    load_sample : a fixed data set made by this function, as records.

    Examples
    --------
    >>> data = generate(200, seed=1)
    >>> len(data.tickets), bool(data.tickets.interactions.offsets[-1] > 400)
    (200, True)
    >>> generate(200, seed=1).tickets.created_at.tolist() == data.tickets.created_at.tolist()
    True
    """
    _check_arguments(n_tickets, start, weeks, timezone, n_customers)
    rng = np.random.default_rng(seed)
    n = n_tickets
    if weeks is None:
        # About 250 tickets a day, between four weeks and two years.
        weeks = min(104, max(4, int(np.ceil(n / 250 / 7))))
    days = 7 * weeks
    end = start + timedelta(days=days)
    n_customers = max(1, n // 3) if n_customers is None else n_customers
    window_end = end.timestamp()  # the export is taken at the end of the window

    customers, plan, propensity = _customers(rng, n_customers, start, end)
    created = _arrival_times(rng, n, start, days, timezone)
    tickets = _ticket_draws(rng, created, customers, propensity)
    conversation, turns = _conversation(rng, tickets)
    transfers = _transfers(rng, tickets, conversation, window_end)
    extras = _extra_messages(rng, tickets, conversation)
    phone, calls = _phone_calls(rng, tickets, customers)
    interactions = _interactions(tickets, conversation, transfers, extras, phone, calls, window_end)
    del extras
    awaiting, follow_up = _awaiting_and_follow_ups(conversation, turns)
    del turns  # row-sized: freed before the status history is built
    status_changes = _status_history(tickets, conversation, awaiting, follow_up, window_end)
    del awaiting, follow_up
    assignments = _assignments(tickets, transfers, window_end)
    priority_changes, final_priority = _priority_history(rng, tickets, window_end)
    tags = _tags(rng, tickets)
    final_agent = np.where(transfers.moved, transfers.new_agent, tickets.agent)
    batch = TicketBatch(
        ids=tickets.ids,
        created_at=created,
        first_reply_at=np.full(n, np.nan),
        solved_at=np.full(n, np.nan),
        channel=Categorical(tickets.channel.astype(np.int32), CHANNELS),
        group=Categorical(
            np.where(transfers.moved, transfers.new_group, tickets.group).astype(np.int32), GROUPS
        ),
        segment=Categorical(plan[tickets.customer].astype(np.int32), PLANS),
        customer_id=Categorical(tickets.customer.astype(np.int32), tuple(customers.id)),
        agent_id=Categorical(final_agent.astype(np.int32), AGENT_NAMES),
        priority=final_priority.astype(np.int8),
        status=status_changes["status"][status_changes.offsets[1:] - 1].astype(np.int8),
        created_by=tickets.created_by.astype(np.int8),
        tags=tags,
        interactions=interactions,
        status_changes=status_changes,
        assignments=assignments,
        priority_changes=priority_changes,
    )
    surveys = _surveys(
        rng, batch, conversation.resolved, conversation.reopened, conversation.solve_at,
        conversation.at, conversation.offsets, tickets.created_by, final_agent, window_end,
        np.random.default_rng([seed, 18]),  # texts: a stream of their own (issue 18)
    )  # fmt: skip
    sends = _survey_sends(
        batch, conversation.resolved, conversation.solve_at, final_agent, surveys, window_end
    )
    return SyntheticData(
        batch, surveys, calls, customers, start, end, seed, timezone, survey_sends=sends
    )


def _ticket_draws(
    rng: np.random.Generator,
    created: FloatArray,
    customers: CustomerTable,
    propensity: FloatArray,
) -> _Tickets:
    """Draw each ticket's customer, channel, priority, creator, group and agent."""
    n = created.size
    ids = _names("T", n)
    customer = _ticket_customers(rng, created, customers, propensity)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)
    priority = rng.choice(len(PRIORITIES), size=n, p=PRIORITY_SHARE)
    created_by = rng.choice(len(CREATED_BY), size=n, p=(0.9, 0.07, 0.03))
    group = rng.choice(len(GROUPS), size=n)
    agent = group * 10 + rng.integers(0, 10, size=n)  # ten agents per group
    return _Tickets(created, ids, customer, channel, priority, created_by, group, agent)


def _check_arguments(
    n_tickets: int, start: datetime, weeks: int | None, zone: str, n_customers: int | None
) -> None:
    def invalid(name: str, must: str, got: object) -> InvalidParameterError:
        return InvalidParameterError(
            f"The {name!r} parameter of generate must be {must}. Got {got!r} instead."
        )

    if isinstance(n_tickets, bool) or not isinstance(n_tickets, (int, np.integer)):
        raise invalid("n_tickets", "an int", n_tickets)
    if n_tickets < 0:
        raise invalid("n_tickets", "zero or more", n_tickets)
    if not isinstance(start, datetime) or start.tzinfo is None:
        raise invalid(
            "start", "a timezone-aware datetime, e.g. datetime(2024, 1, 1, tzinfo=UTC)", start
        )
    if weeks is not None and (not isinstance(weeks, (int, np.integer)) or weeks < 1):
        raise invalid("weeks", "a positive int or None", weeks)
    if n_customers is not None and (
        not isinstance(n_customers, (int, np.integer)) or n_customers < 1
    ):
        raise invalid("n_customers", "a positive int or None", n_customers)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise invalid(
            "timezone", "an IANA timezone name such as 'Europe/Amsterdam'", zone
        ) from None
