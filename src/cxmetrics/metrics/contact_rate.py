"""Contact rate: tickets per order or per customer, and the share of customers who contact.

Two figures go by "contact rate" and are easily mixed up:

* tickets per *contacting* customer (:func:`tickets_per_contacting_customer`, and
  :func:`contact_rate` without ``orders``): always at least 1, it says how often a
  customer who writes in writes in;
* the share of *all* customers who contact (:func:`customer_contact_share`): at
  most 1, it needs the size of the customer base, which tickets do not carry.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from cxmetrics.core.arrays import distinct
from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import CodedCountsState
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.registry import register
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = [
    "ContactRate",
    "contact_rate",
    "customer_contact_share",
    "tickets_per_contacting_customer",
]


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
    """Tickets per order (when ``orders`` is given) or per distinct contacting customer.

    Tickets without a customer are counted in the numerator but add no customer.
    Without ``orders`` the figure is :func:`tickets_per_contacting_customer` (at
    least 1), not the share of customers who contact: for that, see
    :func:`customer_contact_share`.

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
class ContactRate(Metric[CodedCountsState, ContactParams]):
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
    state_type = CodedCountsState
    Params = ContactParams

    @staticmethod
    def _update(items: Any, params: Any) -> CodedCountsState:
        customers = as_ticket_batch(items).customer_id
        codes = customers.codes
        known = codes >= 0
        # Codes into the batch's customer ids: a report cuts one batch into hundreds
        # of groups, whose tallies then merge in integer arithmetic.
        return CodedCountsState.of(
            customers.categories, codes[known], unkeyed=int(codes.size - np.count_nonzero(known))
        )

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        tickets = state.total  # tickets without a customer count, but add no customer
        denominator = params.orders if params.orders is not None else state.keys
        value = safe_ratio(tickets, denominator, params.zero_division, "contact_rate")
        return MetricResult(
            value,
            tickets,
            "count",
            None,
            params.confidence,
            {"tickets": tickets, "denominator": denominator},
        )


def _contacting(tickets: Any) -> int:
    """The number of distinct customers who opened ``tickets``."""
    codes = as_ticket_batch(tickets).customer_id.codes
    return int(distinct(codes[codes >= 0]).size)


def tickets_per_contacting_customer(tickets: Any, *, zero_division: ZeroDivision = "warn") -> float:
    """Tickets per customer who opened at least one: at least 1 whenever defined.

    The same figure as :func:`contact_rate` without ``orders``, named for what it is.
    Tickets without a customer are counted but add no customer.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=i, created_at=t0, customer_id=c) for i, c in enumerate("aab")]
    >>> tickets_per_contacting_customer(tickets)
    1.5
    """
    return contact_rate(tickets, zero_division=zero_division)


def customer_contact_share(
    tickets: Any, *, customers: int, zero_division: ZeroDivision = "warn"
) -> float:
    r"""Share of the customer base that opened at least one ticket, in [0, 1].

    .. math:: \frac{|\{\text{customers with a ticket}\}|}{\text{customers}}

    Parameters
    ----------
    tickets : tickets
        The tickets of the period (``Ticket`` records, a batch or a DataFrame).
    customers : int
        The customers who could have contacted: the active customer base of the
        period (e.g. ``cxmetrics.customer_tally`` or your billing system).
    zero_division : {"warn", "raise"} or float, default="warn"

    Raises
    ------
    InvalidParameterError
        When ``customers`` is negative or fewer than the customers seen in the tickets.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=i, created_at=t0, customer_id=c) for i, c in enumerate("aab")]
    >>> customer_contact_share(tickets, customers=20)
    0.1
    """
    contacting = _contacting(tickets)
    if customers < contacting:
        raise InvalidParameterError(
            f"customers={customers} is fewer than the {contacting} customers who opened "
            "tickets; pass the size of the whole customer base"
        )
    return safe_ratio(contacting, customers, zero_division, "customer_contact_share")
