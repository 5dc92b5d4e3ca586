"""Comments and touches: who wrote on each ticket, in public or not, and how many replies solved it.

The counts of dbt_zendesk's ``int_zendesk__comment_metrics`` over the
interaction history (messages only; calls are not comments): public and internal
comments, agent and customer comments, the distinct agents who wrote (dbt's
``count_ticket_handoffs``), and the one-, two- and multi-touch resolution flags
read off the reply count under the definitions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.ticket_batch import AUTHORS, KIND_MESSAGE, EventTable
from cxmetrics.tickets.lookups import distinct_per_ticket

__all__ = ["COMMENT_COLUMNS", "TOUCH_COLUMNS", "comment_counts", "touch_flags"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_AGENT, _CUSTOMER = AUTHORS.index("agent"), AUTHORS.index("customer")

#: The columns of :func:`comment_counts` and of :func:`touch_flags`, in order.
COMMENT_COLUMNS = (
    "public_comments",
    "internal_comments",
    "agent_comments",
    "customer_comments",
    "handoffs",
)
TOUCH_COLUMNS = ("one_touch", "two_touch", "multi_touch")


def _count(ticket: IntArray, mask: BoolArray, n: int) -> IntArray:
    result: IntArray = np.bincount(ticket[mask], minlength=n).astype(np.int64, copy=False)
    return result


def comment_counts(interactions: EventTable, n: int) -> dict[str, IntArray]:
    """Per ticket: comments by visibility and by author, and the distinct agents who wrote.

    Columns ``public_comments``, ``internal_comments``, ``agent_comments``,
    ``customer_comments`` and ``handoffs`` (distinct agents who wrote a message).

    Every message is a comment (bots' and the system's too, as in Zendesk's
    comment count); calls are not. An agent message without an ``agent_id``
    counts as a comment but not towards the handoffs.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Call, Message, Ticket
    >>> from cxmetrics.tables.inputs import as_ticket_batch
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = as_ticket_batch([Ticket(id=1, created_at=t0, interactions=[
    ...     Message(at=t0, author="customer"), Message(at=t0, author="agent", agent_id="a"),
    ...     Message(at=t0, author="agent", agent_id="b", public=False), Call(at=t0)])])
    >>> {k: v.tolist() for k, v in comment_counts(batch.interactions, 1).items()}
    {'public_comments': [2], 'internal_comments': [1], 'agent_comments': [2], 'customer_comments': [1], 'handoffs': [2]}
    """
    if len(interactions) == 0:
        zeros = np.zeros(n, dtype=np.int64)
        names = ("public", "internal", "agent", "customer")
        return {**{f"{name}_comments": zeros for name in names}, "handoffs": zeros}
    ticket = interactions.ticket
    message = interactions["kind"] == KIND_MESSAGE
    public = message & interactions["public"]
    agent = message & (interactions["author"] == _AGENT)
    agent_codes = np.where(agent, interactions["agent_id"].codes, -1)
    return {
        "public_comments": _count(ticket, public, n),
        "internal_comments": _count(ticket, message & ~public, n),
        "agent_comments": _count(ticket, agent, n),
        "customer_comments": _count(ticket, message & (interactions["author"] == _CUSTOMER), n),
        "handoffs": distinct_per_ticket(ticket, agent_codes, n),
    }


def touch_flags(replies: IntArray, resolved: BoolArray) -> dict[str, BoolArray]:
    """Resolved tickets by their number of public agent replies: one, two, three or more.

    dbt_zendesk's ``is_one_touch_resolution`` / ``is_two_touch_resolution`` /
    ``is_multi_touch_resolution``, read off the reply count under the
    definitions. A resolved ticket without a reply is none of the three (dbt
    counts it as multi-touch when it has other comments).

    Examples
    --------
    >>> flags = touch_flags(np.array([1, 2, 3, 0, 2]), np.array([True] * 4 + [False]))
    >>> {k: v.tolist() for k, v in flags.items()}
    {'one_touch': [True, False, False, False, False], 'two_touch': [False, True, False, False, False], 'multi_touch': [False, False, True, False, False]}
    """
    return {
        "one_touch": resolved & (replies == 1),
        "two_touch": resolved & (replies == 2),
        "multi_touch": resolved & (replies > 2),
    }
