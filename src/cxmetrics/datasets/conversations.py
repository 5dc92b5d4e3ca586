"""The generated conversations: messages, transfers, extra messages and phone calls.

Each step draws from the generator's one random generator, in the order
:func:`cxmetrics.datasets.generate` calls them (the same seed gives the same
data): the alternating customer and agent messages with their solves, the
transfers to another group, the automated acks, bot messages and internal notes,
the calls of phone tickets; then :func:`_interactions` puts them all into one
event table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.datasets.columns import _event_table, _names, _segment_cumsum
from cxmetrics.datasets.shapes import (
    AGENT_NAMES,
    AUTHOR,
    GROUPS,
    PRIORITY_SPEED,
    REPLY_MINUTES,
    BoolArray,
    FloatArray,
    IntArray,
)
from cxmetrics.datasets.tables import CallTable, CustomerTable
from cxmetrics.tables.ticket_batch import CREATED_BY, Categorical, EventTable


@dataclass
class _Tickets:
    """What is drawn for each ticket itself: when, from whom, how and for whom."""

    created: FloatArray
    ids: npt.NDArray[np.object_]
    customer: IntArray  # row in the customer table
    channel: IntArray
    priority: IntArray
    created_by: IntArray
    group: IntArray  # first assigned
    agent: IntArray  # first assigned, ten per group

    @property
    def n(self) -> int:
        return int(self.created.size)


@dataclass
class _Conversation:
    """The public messages of every ticket, alternating customer and agent, and its solves."""

    resolved: BoolArray
    reopened: BoolArray
    ticket_of: IntArray  # ticket of each message
    offsets: IntArray  # each ticket's first message, then the end
    at: FloatArray
    author: npt.NDArray[np.int8]
    system_opened: BoolArray  # the system's automated first message
    last: IntArray  # each ticket's last message
    solve_index: IntArray  # the message that the (first) solve follows
    solve_at: FloatArray
    final_solve_at: FloatArray


@dataclass
class _Turns:
    """Per message, its place in its conversation and whether it is the agent's turn."""

    position: IntArray
    is_agent_turn: BoolArray


def _conversation(rng: np.random.Generator, tickets: _Tickets) -> tuple[_Conversation, _Turns]:
    """Draw the alternating customer and agent messages and the solves."""
    n, created, created_by = tickets.n, tickets.created, tickets.created_by
    rounds = np.minimum(rng.geometric(0.55, size=n), 6)
    # A few tickets are never solved (besides those the window's end cuts off):
    # half of them wait on the customer (pending), half on the team (open).
    resolved = rng.random(n) < 0.96
    ends_on_customer = ~resolved & (rng.random(n) < 0.5)
    # A reopen adds a customer message after the solve and one more agent reply.
    reopened = resolved & (rng.random(n) < 0.1)
    agent_started = (created_by != 0).astype(np.int64)
    # Conversations alternate, so who wrote first and who wrote last fix the
    # parity of the length: 2 × rounds when a customer opens and an agent ends.
    n_public = (
        2 * rounds
        - agent_started
        + np.where(ends_on_customer, 2 * agent_started - 1, 0)
        + 2 * reopened.astype(np.int64)
    )
    speed = np.asarray(PRIORITY_SPEED)[tickets.priority]
    reply_mean = np.asarray(REPLY_MINUTES)[tickets.channel] * 60.0 / speed
    ticket_of = np.repeat(np.arange(n), n_public)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(n_public, out=offsets[1:])
    position = np.arange(ticket_of.size) - offsets[ticket_of]
    agent_first = created_by[ticket_of] != 0
    is_agent_turn = (position % 2 == 1) ^ agent_first
    del agent_first
    gap = np.where(
        is_agent_turn,
        rng.exponential(1.0, size=ticket_of.size) * reply_mean[ticket_of],
        rng.exponential(2.5 * 3600.0, size=ticket_of.size),
    )
    gap[position == 0] = 0.0
    at = np.round(created[ticket_of] + _segment_cumsum(gap, offsets))
    del gap
    author = np.where(is_agent_turn, AUTHOR["agent"], AUTHOR["customer"]).astype(np.int8)
    # Tickets the system opens (alerts, forms) start with its automated message.
    system_opened = (position == 0) & (created_by[ticket_of] == CREATED_BY.index("system"))
    author[system_opened] = AUTHOR["system"]
    last = offsets[1:] - 1
    # The solve follows the last agent reply of a resolved ticket (before a reopen).
    solve_index = np.where(reopened, last - 2, last)
    solve_at = at[solve_index] + np.round(rng.uniform(0, 900, size=n))
    final_solve_at = np.where(reopened, at[last] + np.round(rng.uniform(0, 900, size=n)), solve_at)
    if reopened.any():
        # The reopening customer message must follow the first solve.
        after = offsets[1:][reopened] - 2
        bump = np.maximum(solve_at[reopened] + 60.0 - at[after], 0.0)
        at[after] += bump
        at[after + 1] += bump
        final_solve_at[reopened] = at[after + 1] + np.round(
            rng.uniform(0, 900, size=int(reopened.sum()))
        )
    conversation = _Conversation(
        resolved, reopened, ticket_of, offsets, at, author, system_opened, last, solve_index,
        solve_at, final_solve_at,
    )  # fmt: skip
    return conversation, _Turns(position, is_agent_turn)


@dataclass
class _Transfers:
    """The 15 % of tickets moved to another group's agent after the first reply."""

    first_agent_at: FloatArray  # the first agent message (or the last message)
    new_group: IntArray
    new_agent: IntArray
    move_at: FloatArray
    moved: BoolArray


def _transfers(
    rng: np.random.Generator, tickets: _Tickets, conversation: _Conversation, window_end: float
) -> _Transfers:
    """Draw the transfers; those after the export (``window_end``) have not happened."""
    n = tickets.n
    first_agent_row = conversation.offsets[:-1] + (tickets.created_by == 0).astype(np.int64)
    first_agent_at = conversation.at[np.minimum(first_agent_row, conversation.last)]
    new_group = (tickets.group + rng.integers(1, len(GROUPS), size=n)) % len(GROUPS)
    new_agent = new_group * 10 + rng.integers(0, 10, size=n)
    move_at = first_agent_at + np.round(rng.uniform(60.0, 7200.0, size=n))
    moved = (rng.random(n) < 0.15) & (move_at <= window_end)
    return _Transfers(first_agent_at, new_group, new_agent, move_at, moved)


@dataclass
class _Extras:
    """Messages besides the conversation, in parts: one array per kind of message."""

    ticket: list[IntArray] = field(default_factory=list)
    at: list[FloatArray] = field(default_factory=list)
    author: list[npt.NDArray[np.int8]] = field(default_factory=list)
    public: list[BoolArray] = field(default_factory=list)
    automated: list[BoolArray] = field(default_factory=list)

    def add(
        self, ticket: IntArray, at: FloatArray, author: str, public: bool, automated: bool
    ) -> None:
        self.ticket.append(ticket)
        self.at.append(at)
        self.author.append(np.full(ticket.size, AUTHOR[author], dtype=np.int8))
        self.public.append(np.full(ticket.size, public, dtype=bool))
        self.automated.append(np.full(ticket.size, automated, dtype=bool))


def _extra_messages(
    rng: np.random.Generator, tickets: _Tickets, conversation: _Conversation
) -> _Extras:
    """Draw the automated acks of email and web, the chat bots and the internal notes."""
    n, created, channel = tickets.n, tickets.created, tickets.channel
    extras = _Extras()
    acked = np.flatnonzero(np.isin(channel, (0, 1)) & (tickets.created_by == 0))
    extras.add(acked, created[acked] + 1.0, "system", public=True, automated=True)
    botted = np.flatnonzero((channel == 2) & (rng.random(n) < 0.4))
    extras.add(botted, created[botted] + 2.0, "bot", public=True, automated=False)
    noted = np.flatnonzero(rng.random(n) < 0.15)
    halfway = 0.5 * (conversation.at[conversation.last[noted]] - created[noted])
    extras.add(
        noted, np.round(created[noted] + halfway) + 1.0, "agent", public=False, automated=False
    )
    return extras


def _phone_calls(
    rng: np.random.Generator, tickets: _Tickets, customers: CustomerTable
) -> tuple[IntArray, CallTable]:
    """Draw the call of each phone ticket; returns the phone tickets and their calls."""
    phone = np.flatnonzero(tickets.channel == 3)
    m = phone.size
    abandoned = rng.random(m) < 0.08
    wait = np.round(rng.exponential(45.0, size=m))
    talk = np.where(abandoned, 0.0, np.round(rng.lognormal(np.log(240.0), 0.6, size=m)))
    hold = np.where(abandoned | (rng.random(m) < 0.7), 0.0, np.round(rng.exponential(40.0, size=m)))
    wrap = np.where(abandoned, 0.0, np.round(rng.exponential(35.0, size=m)))
    transferred = ~abandoned & (rng.random(m) < 0.1)
    # Any: numpy's stubs have no np.where of an array and None.
    answering: Any = np.array(AGENT_NAMES, dtype=object)[tickets.agent[phone]]
    calls = CallTable(
        id=_names("C", phone),
        at=tickets.created[phone],
        ticket_id=tickets.ids[phone],
        customer_id=customers.id[tickets.customer[phone]],
        agent_id=np.asarray(np.where(abandoned, None, answering), dtype=object),
        queue=np.array(GROUPS, dtype=object)[tickets.group[phone]],  # the group first assigned
        wait=wait,
        talk=talk,
        hold=hold,
        wrap=wrap,
        abandoned=abandoned,
        transferred=transferred,
    )
    return phone, calls


def _interactions(
    tickets: _Tickets,
    conversation: _Conversation,
    transfers: _Transfers,
    extras: _Extras,
    phone: IntArray,
    calls: CallTable,
    window_end: float,
) -> EventTable:
    """Every message and call as one interactions table, without those after the export."""
    # A million tickets make 4.5 M rows here: row-sized temporaries are freed as
    # soon as they are used, which keeps the peak well under 2 GiB.
    agent, moved = tickets.agent, transfers.moved
    m = phone.size
    message_ticket = np.concatenate([conversation.ticket_of, *extras.ticket])
    message_at = np.concatenate([conversation.at, *extras.at])
    authors = np.concatenate([conversation.author, *extras.author])
    # Whoever holds the ticket writes: the new agent once it has been transferred.
    writer = np.where(
        moved[message_ticket] & (message_at >= transfers.move_at[message_ticket]),
        transfers.new_agent[message_ticket],
        agent[message_ticket],
    ).astype(np.int32)
    writer[authors != AUTHOR["agent"]] = -1
    agent_of_row = np.concatenate(
        [writer, np.where(calls.abandoned, -1, agent[phone]).astype(np.int32)]
    )
    del writer
    n_messages, total = message_ticket.size, message_ticket.size + m

    def calls_only(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        column = np.zeros(total, dtype=values.dtype)
        column[n_messages:] = values
        return column

    n_public = conversation.ticket_of.size
    return _event_table(
        np.concatenate([message_ticket, phone]),
        np.concatenate([message_at, tickets.created[phone]]),
        {
            "kind": calls_only(np.ones(m, np.int8)),
            "author": np.concatenate([authors, np.full(m, AUTHOR["agent"], np.int8)]),
            "public": np.concatenate([np.ones(n_public, bool), *extras.public, np.ones(m, bool)]),
            "automated": np.concatenate(
                [conversation.system_opened, *extras.automated, np.zeros(m, bool)]
            ),
            "agent_id": Categorical(agent_of_row, AGENT_NAMES),
            "wait": calls_only(calls.wait),
            "talk": calls_only(calls.talk),
            "hold": calls_only(calls.hold),
            "wrap": calls_only(calls.wrap),
            "abandoned": calls_only(calls.abandoned),
            "transferred": calls_only(calls.transferred),
            "direction": np.zeros(total, np.int8),
        },
        tickets.n,
        end=window_end,
    )
