"""Reply masks: which interactions count as replies to the customer, and which ask.

The rules come from :class:`~cxmetrics.definitions.Definitions` (bots, internal
notes, automated messages, calls); customer messages are the questions that
replies answer, and a ticket opened by an agent starts with an opening reply that
answers nobody.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import Definitions
from cxmetrics.tables.ticket_batch import (
    AUTHORS,
    CREATED_BY,
    KIND_CALL,
    KIND_MESSAGE,
    EventTable,
    TicketBatch,
)
from cxmetrics.tickets.lookups import first_of_runs

__all__ = ["customer_mask", "opening_replies", "reply_mask"]

BoolArray = npt.NDArray[np.bool_]

_AGENT, _CUSTOMER, _BOT = AUTHORS.index("agent"), AUTHORS.index("customer"), AUTHORS.index("bot")


def reply_mask(interactions: EventTable, definitions: Definitions) -> BoolArray:
    """Which interactions are replies to the customer under ``definitions``.

    Public, human, non-automated agent messages always count; bot messages,
    internal notes, automated messages and answered calls count when the
    definitions say so. Abandoned calls never count.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Message, Ticket
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, interactions=[
    ...     Message(at=t0, author="agent"), Message(at=t0, author="bot"),
    ...     Message(at=t0, author="agent", public=False)])])
    >>> reply_mask(batch.interactions, Definitions()).tolist()
    [True, False, False]
    >>> reply_mask(batch.interactions, Definitions(count_bots=True)).tolist()
    [True, True, False]
    """
    if len(interactions) == 0:
        return np.zeros(0, dtype=bool)
    kind, author = interactions["kind"], interactions["author"]
    public, automated = interactions["public"], interactions["automated"]
    message = kind == KIND_MESSAGE
    agent = message & (author == _AGENT)
    mask = agent & public & ~automated
    if definitions.count_internal_notes:
        mask |= agent & ~public & ~automated
    if definitions.count_automated:
        mask |= agent & public & automated
    if definitions.count_bots:
        mask |= message & (author == _BOT) & public
    if definitions.count_calls:
        mask |= (kind == KIND_CALL) & ~interactions["abandoned"]
    result: BoolArray = mask
    return result


def customer_mask(interactions: EventTable) -> BoolArray:
    """Messages written by the customer (public or not).

    Examples
    --------
    >>> customer_mask(EventTable.empty(2)).tolist()
    []
    """
    if len(interactions) == 0:
        return np.zeros(0, dtype=bool)
    result: BoolArray = (interactions["kind"] == KIND_MESSAGE) & (
        interactions["author"] == _CUSTOMER
    )
    return result


def opening_replies(batch: TicketBatch, replies: BoolArray, asks: BoolArray) -> BoolArray:
    """Replies that open a ticket created by an agent or the system.

    The ticket's first reply-or-customer message is a reply: the agent's own opening
    message, which answers nobody (Zendesk moves first reply time to the next one).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Message, Ticket
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> msgs = [Message(at=t0, author="agent"), Message(at=t0, author="customer"),
    ...         Message(at=t0, author="agent")]
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, created_by="agent", interactions=msgs)])
    >>> ix = batch.interactions
    >>> opening_replies(batch, reply_mask(ix, Definitions()), customer_mask(ix)).tolist()
    [True, False, False]
    """
    ix = batch.interactions
    out = np.zeros(len(ix), dtype=bool)
    rows = np.flatnonzero(replies | asks)
    if rows.size == 0:
        return out
    firsts = rows[first_of_runs(ix.ticket[rows])]
    agent_opened = batch.created_by[ix.ticket[firsts]] != CREATED_BY.index("customer")
    out[firsts[agent_opened & replies[firsts]]] = True
    return out
