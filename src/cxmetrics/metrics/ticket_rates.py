"""Ticket rates: first-contact resolution, reopens, transfers; interactions per ticket."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import field_validator

from cxmetrics.definitions import Definitions
from cxmetrics.metrics.base import Metric, MetricParams, MetricResult, safe_ratio
from cxmetrics.metrics.state import MeanState, RatioState
from cxmetrics.registry import register
from cxmetrics.stats import t_interval, wilson_interval
from cxmetrics.tickets.measures import ticket_metrics

__all__ = [
    "FCR",
    "InteractionsPerTicket",
    "ReopenRate",
    "TransferRate",
    "fcr_rate",
    "interactions_per_ticket",
    "reopen_rate",
    "transfer_rate",
]


class TicketRuleParams(MetricParams):
    """Parameters of ticket metrics that follow :class:`~cxmetrics.Definitions`."""

    definitions: Definitions = Definitions.preset("default")

    @field_validator("definitions", mode="before")
    @classmethod
    def _preset(cls, value: Any) -> Any:
        return Definitions.preset(value) if isinstance(value, str) else value


def _ratio_result(
    state: RatioState, params: MetricParams, name: str, **details: Any
) -> MetricResult:
    return MetricResult(
        safe_ratio(state.numerator, state.denominator, params.zero_division, name),
        state.denominator,
        "ratio",
        wilson_interval(state.numerator, state.denominator, params.confidence),
        params.confidence,
        {"numerator": state.numerator, **details},
    )


class _Rate(Metric[RatioState, TicketRuleParams]):
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = TicketRuleParams

    @classmethod
    def _compute(cls, state: Any, params: Any) -> MetricResult:
        return _ratio_result(state, params, cls.name)


def _fcr_update(tickets: Any, params: TicketRuleParams) -> RatioState:
    table = ticket_metrics(tickets, None, params.definitions)
    return RatioState(int(np.count_nonzero(table["fcr"])), int(np.count_nonzero(table["resolved"])))


def fcr_rate(tickets: Any, **options: Any) -> float:
    """First-contact resolution: share of resolved tickets resolved on first contact.

    What "first contact" means is ``definitions.fcr_rule``: exactly one agent reply
    (default, Zendesk one-touch), at most one (Zendesk's older formula), no customer
    follow-up (Freshdesk), resolved once by one agent (Intercom), or no repeat
    contact by the same customer within N days. The denominator is the resolved
    tickets; unresolved ones are not counted either way. With ``repeat_contact``,
    keep each customer's tickets in one partition.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    definitions : Definitions or str, default="default"
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> reply = lambda m: Message(at=t0 + timedelta(minutes=m), author="agent")
    >>> tickets = [Ticket(id=1, created_at=t0, status="solved", interactions=[reply(5)]),
    ...            Ticket(id=2, created_at=t0, status="solved", interactions=[reply(5), reply(9)]),
    ...            Ticket(id=3, created_at=t0, interactions=[reply(5)])]
    >>> fcr_rate(tickets)       # 1 of the 2 resolved tickets needed a single reply
    0.5
    """
    metric = FCR(**options)
    metric.update(tickets)
    return float(metric.compute().value)


@register
class FCR(_Rate):
    """First-contact resolution rate, mergeable, with a Wilson interval; see :func:`fcr_rate`.

    Examples
    --------
    >>> FCR(definitions="freshdesk").params.definitions.fcr_rule
    'no_customer_follow_up'
    """

    name: ClassVar[str] = "fcr"
    higher_is_better: ClassVar[bool | None] = True

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _fcr_update(items, params)


def _reopen_update(tickets: Any, params: TicketRuleParams) -> RatioState:
    table = ticket_metrics(tickets, None, params.definitions)
    solved_once = np.asarray(table["solves"]) > 0
    return RatioState(
        int(np.count_nonzero(solved_once & (np.asarray(table["reopens"]) > 0))),
        int(solved_once.sum()),
    )


def reopen_rate(tickets: Any, **options: Any) -> float:
    """Share of tickets solved at least once that were reopened (solved → unsolved).

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> at = lambda h: t0 + timedelta(hours=h)
    >>> reopened = Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=at(1), status="solved"), StatusChange(at=at(2), status="open"),
    ...     StatusChange(at=at(3), status="solved")])
    >>> once = Ticket(id=2, created_at=t0, status_changes=[StatusChange(at=at(1), status="solved")])
    >>> reopen_rate([reopened, once, Ticket(id=3, created_at=t0)])
    0.5
    """
    metric = ReopenRate(**options)
    metric.update(tickets)
    return float(metric.compute().value)


@register
class ReopenRate(_Rate):
    """Reopen rate, mergeable; see :func:`reopen_rate`.

    Examples
    --------
    >>> ReopenRate().higher_is_better
    False
    """

    name: ClassVar[str] = "reopen_rate"
    higher_is_better: ClassVar[bool | None] = False

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _reopen_update(items, params)


def _transfer_update(tickets: Any, params: TicketRuleParams) -> RatioState:
    table = ticket_metrics(tickets, None, params.definitions)
    assignees, groups = np.asarray(table["assignee_stations"]), np.asarray(table["group_stations"])
    assigned = (assignees > 0) | (groups > 0)
    moved = (assignees > 1) | (groups > 1)
    return RatioState(int(np.count_nonzero(moved)), int(np.count_nonzero(assigned)))


def transfer_rate(tickets: Any, **options: Any) -> float:
    """Share of assigned tickets that passed through more than one agent or group.

    Zendesk's "reassigned" tickets (assignee stations > 1), extended to groups.
    Tickets never assigned are not in the denominator.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Assignment, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> moved = Ticket(id=1, created_at=t0, assignments=[
    ...     Assignment(at=t0, group="billing"), Assignment(at=t0, group="technical")])
    >>> stayed = Ticket(id=2, created_at=t0, group="billing")
    >>> transfer_rate([moved, stayed, Ticket(id=3, created_at=t0)])
    0.5
    """
    metric = TransferRate(**options)
    metric.update(tickets)
    return float(metric.compute().value)


@register
class TransferRate(_Rate):
    """Ticket transfer rate, mergeable; see :func:`transfer_rate`.

    Examples
    --------
    >>> TransferRate().name
    'transfer_rate'
    """

    name: ClassVar[str] = "transfer_rate"
    higher_is_better: ClassVar[bool | None] = False

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _transfer_update(items, params)


def _interactions_update(tickets: Any, params: TicketRuleParams) -> MeanState:
    table = ticket_metrics(tickets, None, params.definitions)
    return MeanState.of(np.asarray(table["replies"]) + np.asarray(table["customer_messages"]))


def _interactions_compute(state: MeanState, params: TicketRuleParams) -> MetricResult:
    return MetricResult(
        safe_ratio(state.total, state.count, params.zero_division, "interactions_per_ticket"),
        state.count,
        "count",
        t_interval(state.total, state.total_squares, state.count, params.confidence),
        params.confidence,
    )


def interactions_per_ticket(tickets: Any, **options: Any) -> float:
    """Mean number of customer messages and agent replies per ticket.

    Replies follow ``definitions`` (public human agent messages and answered calls
    by default); internal notes, bots and automated messages are not interactions.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Message, Ticket
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id=1, created_at=t0, interactions=[Message(at=t0, author="customer"),
    ...     Message(at=t0, author="agent"), Message(at=t0, author="agent", public=False)])
    >>> interactions_per_ticket([ticket, Ticket(id=2, created_at=t0)])
    1.0
    """
    metric = InteractionsPerTicket(**options)
    metric.update(tickets)
    return float(metric.compute().value)


@register
class InteractionsPerTicket(Metric[MeanState, TicketRuleParams]):
    """Interactions per ticket, mergeable, with a t-interval; see :func:`interactions_per_ticket`.

    Examples
    --------
    >>> InteractionsPerTicket().unit
    'count'
    """

    name: ClassVar[str] = "interactions_per_ticket"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    state_type = MeanState
    Params = TicketRuleParams

    @staticmethod
    def _update(items: Any, params: Any) -> MeanState:
        return _interactions_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _interactions_compute(state, params)
