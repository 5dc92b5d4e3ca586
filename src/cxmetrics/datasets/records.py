"""A :class:`~cxmetrics.tables.ticket_batch.TicketBatch` back to validated ticket records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np

from cxmetrics.models.interaction import Call, Message
from cxmetrics.models.ticket import (
    PRIORITIES,
    TICKET_STATUSES,
    Assignment,
    PriorityChange,
    StatusChange,
    Ticket,
)
from cxmetrics.tables.ticket_batch import AUTHORS, CREATED_BY, EventTable, TicketBatch

__all__ = ["batch_to_tickets"]


def batch_to_tickets(batch: TicketBatch) -> list[Ticket]:
    """Convert a :class:`TicketBatch` back to validated :class:`~cxmetrics.Ticket` objects.

    The inverse of :meth:`TicketBatch.from_tickets`, one Python object per event:
    meant for examples, tests and small exports, not for millions of tickets.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> tickets = batch_to_tickets(generate(50, seed=3).tickets)
    >>> len(tickets), TicketBatch.from_tickets(tickets).ids.tolist() == [t.id for t in tickets]
    (50, True)
    """
    ix = batch.interactions
    kinds, authors = ix["kind"], ix["author"]
    agents = ix["agent_id"].to_list()
    interactions: list[list[Message | Call]] = [[] for _ in range(len(batch))]
    for row in range(len(ix)):
        moment = _utc(ix.at[row])
        if kinds[row] == 0:
            event: Message | Call = Message(
                at=moment,
                author=AUTHORS[authors[row]],
                public=bool(ix["public"][row]),
                automated=bool(ix["automated"][row]),
                agent_id=agents[row],
            )
        else:
            event = Call(
                at=moment,
                agent_id=agents[row],
                wait=float(ix["wait"][row]),
                talk=float(ix["talk"][row]),
                hold=float(ix["hold"][row]),
                wrap=float(ix["wrap"][row]),
                abandoned=bool(ix["abandoned"][row]),
                transferred=bool(ix["transferred"][row]),
            )
        interactions[ix.ticket[row]].append(event)
    statuses = _per_ticket(
        batch.status_changes,
        lambda r: StatusChange(
            at=_utc(batch.status_changes.at[r]),
            status=TICKET_STATUSES[batch.status_changes["status"][r]],
        ),
        len(batch),
    )
    assignment_agents = batch.assignments["agent_id"].to_list() if len(batch.assignments) else []
    assignment_groups = batch.assignments["group"].to_list() if len(batch.assignments) else []
    assignments = _per_ticket(
        batch.assignments,
        lambda r: Assignment(
            at=_utc(batch.assignments.at[r]),
            agent_id=assignment_agents[r],
            group=assignment_groups[r],
        ),
        len(batch),
    )
    priorities = _per_ticket(
        batch.priority_changes,
        lambda r: PriorityChange(
            at=_utc(batch.priority_changes.at[r]),
            priority=PRIORITIES[batch.priority_changes["priority"][r]],
        ),
        len(batch),
    )
    tag_names = batch.tags["tag"].to_list() if len(batch.tags) else []
    tags = _per_ticket(batch.tags, lambda r: tag_names[r], len(batch))
    columns = {
        "channel": batch.channel.to_list(),
        "group": batch.group.to_list(),
        "segment": batch.segment.to_list(),
        "customer_id": batch.customer_id.to_list(),
        "agent_id": batch.agent_id.to_list(),
    }
    tickets = []
    for i in range(len(batch)):
        fields: dict[str, Any] = {
            "id": batch.ids[i],
            "created_at": _utc(batch.created_at[i]),
            "channel": columns["channel"][i],
            "priority": None if batch.priority[i] < 0 else PRIORITIES[batch.priority[i]],
            "status": TICKET_STATUSES[batch.status[i]],
            "customer_id": columns["customer_id"][i],
            "agent_id": columns["agent_id"][i],
            "group": columns["group"][i],
            "segment": columns["segment"][i],
            "tags": tuple(tags[i]),
            "created_by": CREATED_BY[batch.created_by[i]],
            "interactions": interactions[i],
            "status_changes": statuses[i],
            "assignments": assignments[i],
            "priority_changes": priorities[i],
        }
        if not np.isnan(batch.first_reply_at[i]):
            fields["first_reply_at"] = _utc(batch.first_reply_at[i])
        if not np.isnan(batch.solved_at[i]):
            fields["solved_at"] = _utc(batch.solved_at[i])
        tickets.append(Ticket(**fields))
    return tickets


def _per_ticket(table: EventTable, build: Any, n: int) -> Sequence[list[Any]]:
    grouped: list[list[Any]] = [[] for _ in range(n)]
    for row in range(len(table)):
        grouped[table.ticket[row]].append(build(row))
    return grouped


def _utc(seconds: Any) -> datetime:
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc)
