"""Contact rate: tickets per order or per customer."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import CountsState
from cxmetrics.registry import register
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = ["ContactRate", "contact_rate"]


class ContactParams(MetricParams):
    """Parameters of :class:`ContactRate`: ``orders`` to divide by, else customers."""

    orders: int | None = None


def contact_rate(
    tickets: Any,
    *,
    orders: int | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
) -> float:
    """Tickets per order (when ``orders`` is given) or per distinct customer.

    Tickets without a customer are counted in the numerator but add no customer.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=i, created_at=t0, customer_id=c) for i, c in enumerate("aab")]
    >>> contact_rate(tickets), contact_rate(tickets, orders=30)
    (1.5, 0.1)
    """
    metric = ContactRate(orders=orders, zero_division=zero_division, confidence=confidence)
    metric.update(tickets)
    return float(metric.compute().value)


@register
class ContactRate(Metric[CountsState, ContactParams]):
    """Contact rate, mergeable (tickets per customer kept by customer); see :func:`contact_rate`.

    Examples
    --------
    >>> ContactRate(orders=1000).params.orders
    1000
    """

    name: ClassVar[str] = "contact_rate"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    state_type = CountsState
    Params = ContactParams

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        batch = as_ticket_batch(items)
        codes = batch.customer_id.codes
        # Only the customers present: a subset of tickets keeps all the categories.
        used, counts = np.unique(codes[codes >= 0], return_counts=True)
        names = batch.customer_id.categories
        tally = list(zip([names[i] for i in used.tolist()], counts.tolist(), strict=True))
        anonymous = int(np.count_nonzero(codes < 0))
        if anonymous:
            tally.append(("\x00anonymous", anonymous))  # counted, but not a customer
        # Built directly (ids are distinct strings, counts positive): a report
        # keeps one entry per customer and group, often a million in all.
        return CountsState(tuple(sorted(tally)))

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        keys, counts = zip(*state.counts, strict=True) if state.counts else ((), ())
        tickets = sum(counts)
        customers = len(keys) - ("\x00anonymous" in keys)
        denominator = params.orders if params.orders is not None else customers
        value = safe_ratio(tickets, denominator, params.zero_division, "contact_rate")
        return MetricResult(
            value,
            tickets,
            "count",
            None,
            params.confidence,
            {"tickets": tickets, "denominator": denominator},
        )
