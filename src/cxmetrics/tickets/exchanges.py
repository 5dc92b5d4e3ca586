"""Reply exchanges: each reply paired with the oldest customer message it answers.

The exchanges are the next-reply times of a ticket: a run of customer messages
collapses to its oldest, a reply that follows another reply answers nothing, and a
ticket that waits from its creation has its first exchange measured from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import EventTable
from cxmetrics.tickets.lookups import first_of_runs

__all__ = ["ReplyExchanges", "reply_exchanges"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class ReplyExchanges:
    """One row per customer→agent exchange: a reply and the oldest message it answers.

    Attributes
    ----------
    ticket : int64 array
        Ticket index of the exchange (sorted).
    asked_at, replied_at : float64 arrays
        The oldest unanswered customer message (or the ticket's creation, for its
        first exchange) and the reply, in epoch seconds.
    asked_row, replied_row : int64 arrays
        Interaction rows of the two; ``asked_row`` is -1 when the exchange starts
        at the ticket's creation.
    first : bool array
        The ticket's first exchange.
    """

    ticket: IntArray
    asked_at: FloatArray
    replied_at: FloatArray
    asked_row: IntArray
    replied_row: IntArray
    first: BoolArray

    def __len__(self) -> int:
        return int(self.ticket.size)


def reply_exchanges(
    interactions: EventTable,
    replies: BoolArray,
    asks: BoolArray,
    opened_at: FloatArray | None = None,
) -> ReplyExchanges:
    """Pair every reply with the oldest customer message left unanswered before it.

    A run of customer messages collapses to its first (oldest) one; a reply that
    follows another reply with no customer message between them answers nothing.
    Where ``opened_at[ticket]`` is finite the ticket starts out waiting at that
    instant (a ticket opened by the customer waits from its creation), so its first
    exchange is measured from there.

    Examples
    --------
    >>> kinds = {"kind": np.zeros(5, np.int8), "author": np.array([0, 0, 1, 1, 0], np.int8)}
    >>> ix = EventTable.build(np.zeros(5, np.int64), np.array([5., 10., 30., 40., 50.]), kinds, 1)
    >>> replies, asks = kinds["author"] == 1, kinds["author"] == 0
    >>> ex = reply_exchanges(ix, replies, asks)
    >>> ex.asked_at.tolist(), ex.replied_at.tolist(), ex.first.tolist()
    ([5.0], [30.0], [True])
    >>> reply_exchanges(ix, replies, asks, opened_at=np.array([0.0])).asked_at.tolist()
    [0.0]
    """
    rows = np.flatnonzero(asks | replies)
    if rows.size == 0:
        empty_i = np.empty(0, dtype=np.int64)
        return ReplyExchanges(
            empty_i, np.empty(0), np.empty(0), empty_i, empty_i, np.empty(0, dtype=bool)
        )
    ticket = interactions.ticket[rows]
    is_reply = replies[rows]
    position = np.arange(rows.size)
    new_ticket = first_of_runs(ticket)
    waiting_from_start = (
        new_ticket & np.isfinite(opened_at[ticket])
        if opened_at is not None
        else np.zeros(rows.size, dtype=bool)
    )
    # An opener starts a run of unanswered customer messages: a customer message
    # right after a reply (or at the ticket's start), or the ticket's start itself
    # when the ticket waits from its creation.
    after_reply = np.concatenate([[False], is_reply[:-1]]) & ~new_ticket
    opener = (~is_reply & (new_ticket | after_reply)) | waiting_from_start
    last_opener = np.maximum.accumulate(np.where(opener, position, -1))
    previous_reply = np.concatenate(
        [[-1], np.maximum.accumulate(np.where(is_reply, position, -1))[:-1]]
    )
    ticket_start = np.maximum.accumulate(np.where(new_ticket, position, -1))
    # A reply answers when an opener of its ticket follows the previous reply (an
    # opener at the reply itself is the ticket's creation).
    answers = is_reply & (last_opener >= ticket_start) & (last_opener > previous_reply)
    reply_positions = np.flatnonzero(answers)
    opener_positions = last_opener[reply_positions]
    from_start = waiting_from_start[opener_positions]
    exchange_ticket = ticket[reply_positions]
    asked_row = np.where(from_start, -1, rows[opener_positions])
    asked_at = np.where(
        from_start,
        opened_at[exchange_ticket] if opened_at is not None else np.nan,
        interactions.at[rows[opener_positions]],
    )
    return ReplyExchanges(
        exchange_ticket,
        asked_at,
        interactions.at[rows[reply_positions]],
        asked_row.astype(np.int64, copy=False),
        rows[reply_positions].astype(np.int64, copy=False),
        first_of_runs(exchange_ticket),
    )
