"""Reply events of SLA evaluation: customer messages and agent replies, cut at ``as_of``.

What counts as a reply follows the ticket metrics' definitions; a flat export's
``first_reply_at`` stands for one agent reply.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import Definitions
from cxmetrics.tables.ticket_batch import AUTHORS, CREATED_BY, KIND_MESSAGE, TicketBatch
from cxmetrics.tickets.replies import reply_mask

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


CUSTOMER = AUTHORS.index("customer")
AGENT = AUTHORS.index("agent")
CREATED_BY_CUSTOMER = CREATED_BY.index("customer")


def _reply_masks(
    batch: TicketBatch, as_of: float, definitions: Definitions
) -> tuple[BoolArray, BoolArray]:
    """Interaction rows that are customer messages and agent replies, cut at ``as_of``.

    A reply is what the ticket metrics count as one under ``definitions`` (the same
    :func:`~cxmetrics.tickets.replies.reply_mask`): by default a public, human,
    non-automated agent message or an answered call.
    """
    table = batch.interactions
    author, kind = table["author"], table["kind"]
    known = table.at <= as_of
    customer = (kind == KIND_MESSAGE) & (author == CUSTOMER) & table["public"] & known
    agent = reply_mask(table, definitions) & known
    return customer, agent


def _flat_replies(batch: TicketBatch, as_of: float) -> IntArray:
    """Tickets of a flat export whose ``first_reply_at`` is one agent reply by ``as_of``."""
    flat = (batch.interactions.counts == 0) & np.isfinite(batch.first_reply_at)
    flat &= batch.first_reply_at <= as_of
    return np.flatnonzero(flat)


def _reply_events(
    batch: TicketBatch, as_of: float, definitions: Definitions
) -> tuple[IntArray, FloatArray, BoolArray]:
    """Customer messages and agent replies: (ticket, at, is_agent), cut at ``as_of``."""
    table = batch.interactions
    if len(table):
        customer, agent = _reply_masks(batch, as_of, definitions)
        keep = customer | agent
        ticket, at, is_agent = table.ticket[keep], table.at[keep], agent[keep]
    else:
        ticket = np.empty(0, np.int64)
        at = np.empty(0, np.float64)
        is_agent = np.empty(0, bool)
    # A flat export gives only first_reply_at: one agent reply at that instant.
    flat_ix = _flat_replies(batch, as_of)
    return (
        np.concatenate([ticket, flat_ix]),
        np.concatenate([at, batch.first_reply_at[flat_ix]]),
        np.concatenate([is_agent, np.ones(flat_ix.size, bool)]),
    )
