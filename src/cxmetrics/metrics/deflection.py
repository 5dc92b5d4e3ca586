"""Self-service deflection: help-center sessions that did not become tickets.

Two figures:

* the **self-service ratio** (Zendesk's "self-service score"): self-service
  sessions per ticket, a volume ratio that needs no link between the two;
* the **deflection rate**: the share of self-service sessions of identified
  customers that were *not* followed by a ticket from the same customer within
  ``within`` (24 hours by default), the session-level definition Intercom and
  Freshdesk describe. Anonymous sessions cannot be followed and are left out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from cxmetrics.core.base import ZeroDivision, safe_ratio
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = ["deflection_rate", "self_service_ratio"]


def _sessions(sessions: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(customer ids as objects, start instants as epoch seconds)`` of the sessions."""
    customers, starts = [], []
    for position, item in enumerate(sessions):
        get = item.get if isinstance(item, dict) else lambda name, i=item: getattr(i, name, None)
        at = get("at")
        if at is None or getattr(at, "tzinfo", None) is None:
            raise InvalidParameterError(
                f"self-service session {position}: 'at' must be a timezone-aware datetime"
            )
        customer = get("customer_id")
        customers.append(None if customer is None else str(customer))
        starts.append(at.timestamp())
    column = np.empty(len(customers), dtype=object)
    column[:] = customers
    return column, np.asarray(starts, dtype=np.float64)


def self_service_ratio(
    sessions: Any, tickets: Any, *, zero_division: ZeroDivision = "warn"
) -> float:
    """Self-service sessions per ticket over the same window.

    Parameters
    ----------
    sessions : iterable of mappings or objects with ``at`` (and ``customer_id``)
        Help-center or bot sessions.
    tickets : tickets
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> self_service_ratio([{"at": t0}] * 12, [Ticket(id=i, created_at=t0) for i in range(3)])
    4.0
    """
    _, starts = _sessions(sessions)
    return safe_ratio(starts.size, len(as_ticket_batch(tickets)), zero_division,
                      "self_service_ratio")  # fmt: skip


def deflection_rate(
    sessions: Any,
    tickets: Any,
    *,
    within: timedelta = timedelta(hours=24),
    zero_division: ZeroDivision = "warn",
) -> float:
    """Share of identified self-service sessions not followed by a ticket within ``within``.

    A session of customer *c* at *t* is deflected unless *c* created a ticket in
    ``[t, t + within]``.

    Parameters
    ----------
    sessions : iterable of mappings or objects with ``at`` and ``customer_id``
    tickets : tickets
        With ``customer_id`` and ``created_at``.
    within : timedelta, default=24 hours
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> sessions = [{"at": t0, "customer_id": c} for c in ("a", "b", "c", None)]
    >>> tickets = [Ticket(id=1, created_at=t0 + timedelta(hours=2), customer_id="a"),
    ...            Ticket(id=2, created_at=t0 + timedelta(days=3), customer_id="b")]
    >>> deflection_rate(sessions, tickets)
    0.6666666666666666
    """
    if within < timedelta(0):
        raise InvalidParameterError("within must be a duration of zero or more")
    customers, starts = _sessions(sessions)
    known = np.array([c is not None for c in customers.tolist()], dtype=bool)
    customers, starts = customers[known], starts[known]
    batch = as_ticket_batch(tickets)
    names = batch.customer_id.categories
    code_of = {name: i for i, name in enumerate(names)}
    session_code = np.fromiter((code_of.get(c, -1) for c in customers.tolist()), np.int64,
                               customers.size)  # fmt: skip
    ticket_code = batch.customer_id.codes.astype(np.int64)
    has_customer = ticket_code >= 0
    # One sorted key per (customer, instant): customers far apart on one line.
    origin = min(float(np.min(starts, initial=np.inf)), float(np.min(batch.created_at, initial=np.inf)))  # fmt: skip
    span = 2.0 * (max(float(np.max(starts, initial=0.0)), float(np.max(batch.created_at, initial=0.0))) - origin + within.total_seconds() + 1.0)  # fmt: skip
    ticket_keys = np.sort(
        ticket_code[has_customer] * span + (batch.created_at[has_customer] - origin)
    )
    session_keys = session_code * span + (starts - origin)
    nxt = np.searchsorted(ticket_keys, session_keys, side="left")
    gap = np.full(session_keys.size, np.inf)
    found = nxt < ticket_keys.size
    gap[found] = ticket_keys[nxt[found]] - session_keys[found]
    followed = (session_code >= 0) & (gap <= within.total_seconds())
    return safe_ratio(int((~followed).sum()), int(customers.size), zero_division,
                      "deflection_rate")  # fmt: skip
