"""Backlog: tickets unresolved at an instant, with ageing buckets, and as a series."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import numpy as np
from pydantic import field_validator, model_validator
from typing_extensions import Self

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision
from cxmetrics.core.deprecation import renamed_parameter, warn_renamed
from cxmetrics.core.state import State
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.registry import register
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tickets.backlog import backlog_counts, unresolved_intervals

__all__ = ["AGE_BUCKETS", "Backlog", "BacklogParams", "BacklogState", "backlog", "backlog_series"]

AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1d", 1.0),
    ("1-3d", 3.0),
    ("3-7d", 7.0),
    ("7-30d", 30.0),
    (">30d", float("inf")),
)
"""Backlog ageing buckets: label and upper bound in days (exclusive), by age since creation."""


@dataclass(frozen=True)
class BacklogState(State):
    """Unresolved tickets per ageing bucket, and the number of tickets seen.

    Examples
    --------
    >>> BacklogState((1, 0, 0, 0, 2), 5).merge(BacklogState((0, 1, 0, 0, 0), 1))
    BacklogState(ages=(1, 1, 0, 0, 2), tickets=6)
    """

    ages: tuple[int, ...] = (0,) * len(AGE_BUCKETS)
    tickets: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "ages", tuple(int(a) for a in self.ages))

    def merge(self, other: Self) -> Self:
        """Add the bucket counts and the tickets seen."""
        self._check_same_type(other)
        ages = tuple(a + b for a, b in zip(self.ages, other.ages, strict=True))
        return type(self)(ages, self.tickets + other.tickets)


class BacklogParams(MetricParams):
    """Parameters of :class:`Backlog`: the instant the backlog is taken at (aware).

    ``as_of`` was called ``at`` before 0.4; the old name still works, with a
    deprecation warning.
    """

    as_of: datetime

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, data: Any) -> Any:
        return renamed_parameter(data, old="at", new="as_of", owner="Backlog")

    @field_validator("as_of")
    @classmethod
    def _aware(cls, as_of: datetime) -> datetime:
        if as_of.tzinfo is None:
            raise InvalidParameterError(
                "an aware datetime, e.g. datetime(2024, 3, 4, tzinfo=timezone.utc)"
            )
        return as_of


def _backlog_update(tickets: Any, params: BacklogParams) -> BacklogState:
    batch = as_ticket_batch(tickets)
    instant = params.as_of.timestamp()
    ticket, start, end = unresolved_intervals(batch)
    inside = (start <= instant) & (instant < end)
    age_days = (instant - batch.created_at[ticket[inside]]) / 86400.0
    bounds = np.array([upper for _, upper in AGE_BUCKETS])
    bucket = np.searchsorted(bounds, age_days, side="right")
    counts = np.bincount(bucket, minlength=len(AGE_BUCKETS))
    return BacklogState(tuple(int(c) for c in counts), len(batch))


def _backlog_compute(state: BacklogState, params: BacklogParams) -> MetricResult:
    ages = {label: count for (label, _), count in zip(AGE_BUCKETS, state.ages, strict=True)}
    # A count, never undefined: no ticket at all is an empty backlog, a real zero.
    return MetricResult(
        sum(state.ages),
        state.tickets,
        "count",
        None,
        params.confidence,
        {"ages": ages, "tickets": state.tickets},
    )


def backlog(
    tickets: Any,
    *,
    as_of: datetime | None = None,
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
    at: datetime | None = None,
) -> int:
    """Number of tickets created by ``as_of`` and not resolved at ``as_of``.

    Read from the status history at that instant: a ticket solved and reopened
    later was out of the backlog in between. Without a status history, a ticket
    is resolved from its ``solved_at`` on (or always, when resolved without a
    solve time). The class result gives the ageing buckets (:data:`AGE_BUCKETS`,
    age since creation) in ``details["ages"]``; :func:`backlog_series` counts it at
    many instants in one pass.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    as_of : datetime
        The instant (aware). Required.
    zero_division, confidence
        As for every metric (see :class:`~cxmetrics.MetricParams`).
    at : datetime, optional
        Deprecated name of ``as_of``.

    Returns
    -------
    int
        The count; 0 for no tickets at all (an empty backlog, never undefined).

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=1, created_at=t0, status_changes=[
    ...                StatusChange(at=t0 + timedelta(days=2), status="solved")]),
    ...            Ticket(id=2, created_at=t0 + timedelta(days=1))]
    >>> backlog(tickets, as_of=t0 + timedelta(days=1, hours=1)), backlog(tickets, as_of=t0 + timedelta(days=3))
    (2, 1)
    """
    if at is not None:
        if as_of is not None:
            raise InvalidParameterError("backlog: give 'as_of' only ('at' is its old name)")
        warn_renamed("at", "as_of", "backlog")
        as_of = at
    if as_of is None:
        raise InvalidParameterError("backlog needs the 'as_of' parameter.")
    metric = Backlog(as_of=as_of, zero_division=zero_division, confidence=confidence)
    metric.update(tickets)
    return int(metric.compute().value)


def backlog_series(tickets: Any, instants: Iterable[datetime]) -> dict[datetime, int]:
    """The backlog at each instant (e.g. every day at 23:00), in one vectorised pass.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch
    instants : iterable of datetime
        Aware instants.

    Returns
    -------
    dict of datetime to int
        In the order given.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=t0 + timedelta(days=2), status="solved")])]
    >>> days = [t0 + timedelta(days=d, hours=12) for d in range(3)]
    >>> list(backlog_series(tickets, days).values())
    [1, 1, 0]
    """
    moments = list(instants)
    for moment in moments:
        if moment.tzinfo is None:
            raise InvalidParameterError(
                f"backlog_series needs aware instants; {moment!r} has no timezone "
                "(add tzinfo=..., e.g. timezone.utc)"
            )
    counts = backlog_counts(as_ticket_batch(tickets), np.array([m.timestamp() for m in moments]))
    return {moment: int(count) for moment, count in zip(moments, counts, strict=True)}


@register
class Backlog(Metric[BacklogState, BacklogParams]):
    """Backlog at an instant with ageing buckets, mergeable; see :func:`backlog`.

    Partitions must not split a ticket (each ticket's history in one batch).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> metric = Backlog(as_of=datetime(2024, 3, 6, tzinfo=timezone.utc))
    >>> metric.update([Ticket(id=1, created_at=t0)])
    >>> metric.compute().details["ages"]
    {'<1d': 0, '1-3d': 1, '3-7d': 0, '7-30d': 0, '>30d': 0}
    """

    name: ClassVar[str] = "backlog"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    state_type = BacklogState
    Params = BacklogParams

    @staticmethod
    def _update(items: Any, params: Any) -> BacklogState:
        return _backlog_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _backlog_compute(state, params)
