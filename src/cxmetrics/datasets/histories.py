"""The generated ticket histories: status changes, assignments, priority changes, tags.

The status history follows the conversation of
:mod:`cxmetrics.datasets.conversations`; the assignments its first reply and
transfers. Priority raises and tags are drawn here, in the order
:func:`cxmetrics.datasets.generate` calls these steps.
"""

from __future__ import annotations

import numpy as np

from cxmetrics.datasets.columns import _event_table
from cxmetrics.datasets.conversations import _Conversation, _Tickets, _Transfers, _Turns
from cxmetrics.datasets.shapes import (
    AGENT_NAMES,
    CLOSE_AFTER,
    GROUPS,
    STATUS,
    TAGS,
    BoolArray,
    IntArray,
)
from cxmetrics.models.ticket import PRIORITIES
from cxmetrics.tables.ticket_batch import Categorical, EventTable


def _awaiting_and_follow_ups(
    conversation: _Conversation, turns: _Turns
) -> tuple[BoolArray, BoolArray]:
    """The agent replies that await the customer, and the customers' follow-ups."""
    follow_up = (~turns.is_agent_turn) & (turns.position > 0)
    awaiting = turns.is_agent_turn.copy()
    awaiting[conversation.solve_index[conversation.resolved]] = False
    if conversation.reopened.any():
        awaiting[conversation.last[conversation.reopened]] = False
    return awaiting, follow_up


def _status_history(
    tickets: _Tickets,
    conversation: _Conversation,
    awaiting: BoolArray,
    follow_up: BoolArray,
    window_end: float,
) -> EventTable:
    """The status changes the conversation implies, without those after the export.

    New at creation; pending after each agent reply that awaits the customer; open
    at each customer follow-up; solved after the final reply; closed 4 days on.
    """
    n, created = tickets.n, tickets.created
    ticket_of, at = conversation.ticket_of, conversation.at
    resolved, final_solve_at = conversation.resolved, conversation.final_solve_at
    status_ticket = [np.arange(n), ticket_of[awaiting], ticket_of[follow_up]]
    status_at = [created, at[awaiting], at[follow_up]]
    status_code = [
        np.full(n, STATUS["new"]),
        np.full(int(awaiting.sum()), STATUS["pending"]),
        np.full(int(follow_up.sum()), STATUS["open"]),
    ]
    solved_now = np.flatnonzero(resolved)
    status_ticket.append(solved_now)
    status_at.append(conversation.solve_at[solved_now])
    status_code.append(np.full(solved_now.size, STATUS["solved"]))
    again = np.flatnonzero(conversation.reopened)
    status_ticket.append(again)
    status_at.append(final_solve_at[again])
    status_code.append(np.full(again.size, STATUS["solved"]))
    closing = np.flatnonzero(resolved & (final_solve_at + CLOSE_AFTER < window_end))
    status_ticket.append(closing)
    status_at.append(final_solve_at[closing] + CLOSE_AFTER)
    status_code.append(np.full(closing.size, STATUS["closed"]))
    return _event_table(
        np.concatenate(status_ticket).astype(np.int64),
        np.concatenate(status_at),
        {"status": np.concatenate(status_code).astype(np.int8)},
        n,
        end=window_end,
    )


def _assignments(tickets: _Tickets, transfers: _Transfers, window_end: float) -> EventTable:
    """The first assignment (by the first reply) and the transfers."""
    n, created = tickets.n, tickets.created
    moved_ix = np.flatnonzero(transfers.moved)
    first_at = np.minimum(np.minimum(transfers.first_agent_at, created + 30.0), window_end)
    agents = np.concatenate([tickets.agent, transfers.new_agent[moved_ix]])
    groups = np.concatenate([tickets.group, transfers.new_group[moved_ix]])
    return _event_table(
        np.concatenate([np.arange(n), moved_ix]).astype(np.int64),
        np.concatenate([first_at, transfers.move_at[moved_ix]]),
        {
            "agent_id": Categorical(agents.astype(np.int32), AGENT_NAMES),
            "group": Categorical(groups.astype(np.int32), GROUPS),
        },
        n,
    )


def _priority_history(
    rng: np.random.Generator, tickets: _Tickets, window_end: float
) -> tuple[EventTable, IntArray]:
    """Draw the priority raises (one level, for 5 %); returns the history and final priority."""
    n, created, priority = tickets.n, tickets.created, tickets.priority
    raise_at = created + np.round(rng.uniform(600.0, 6 * 3600.0, size=n))
    raised = np.flatnonzero(
        (rng.random(n) < 0.05) & (priority < len(PRIORITIES) - 1) & (raise_at <= window_end)
    )
    raise_at = raise_at[raised]
    priority_changes = _event_table(
        np.concatenate([np.arange(n), raised]).astype(np.int64),
        np.concatenate([created, raise_at]),
        {"priority": np.concatenate([priority, priority[raised] + 1]).astype(np.int8)},
        n,
    )
    final_priority = priority.copy()
    final_priority[raised] += 1
    return priority_changes, final_priority


def _tags(rng: np.random.Generator, tickets: _Tickets) -> EventTable:
    """Draw each ticket's tags, each with its own share of the tickets."""
    n = tickets.n
    tag_draw = rng.random((n, len(TAGS))) < np.array([0.12, 0.08, 0.06, 0.05, 0.05, 0.03])
    tag_ticket, tag_code = np.nonzero(tag_draw)
    return _event_table(
        tag_ticket.astype(np.int64),
        tickets.created[tag_ticket],
        {"tag": Categorical(tag_code.astype(np.int32), TAGS)},
        n,
    )
