"""Ticket counts: volume per period, backlog, channel mix, contact rate, tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import numpy as np
from pydantic import field_validator

from cxmetrics.batch import as_ticket_batch
from cxmetrics.metrics.base import Metric, MetricParams, MetricResult, safe_ratio, undefined
from cxmetrics.metrics.state import CountsState
from cxmetrics.models.ticket import TICKET_STATUSES
from cxmetrics.registry import register

__all__ = [
    "AGE_BUCKETS",
    "Backlog",
    "ChannelMix",
    "ContactRate",
    "TagCounts",
    "TicketVolume",
    "backlog",
    "channel_mix",
    "contact_rate",
    "tag_counts",
    "ticket_volume",
]

_RESOLVED = np.array([TICKET_STATUSES.index("solved"), TICKET_STATUSES.index("closed")])
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1d", 1.0),
    ("1-3d", 3.0),
    ("3-7d", 7.0),
    ("7-30d", 30.0),
    (">30d", float("inf")),
)
"""Backlog ageing buckets: label and upper bound in days (exclusive)."""


def _count_compute(
    state: CountsState, params: MetricParams, name: str, share: bool
) -> MetricResult:
    counts = state.as_dict()
    total = state.total
    if total == 0:
        undefined(params.zero_division, name)
        return MetricResult({}, 0, "ratio" if share else "count", None, params.confidence)
    value = {k: v / total for k, v in counts.items()} if share else counts
    return MetricResult(
        value, total, "ratio" if share else "count", None, params.confidence, {"counts": counts}
    )


def channel_mix(tickets: Any, **options: Any) -> dict[str, float]:
    """Share of tickets per channel.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> channel_mix([Ticket(id=i, created_at=t0, channel=c) for i, c in enumerate(["email", "chat", "email", "phone"])])
    {'chat': 0.25, 'email': 0.5, 'phone': 0.25}
    """
    metric = ChannelMix(**options)
    metric.update(tickets)
    value: dict[str, float] = metric.compute().value
    return value


@register
class ChannelMix(Metric[CountsState, MetricParams]):
    """Channel mix, mergeable (counts per channel); see :func:`channel_mix`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> metric = ChannelMix()
    >>> metric.update([Ticket(id=1, created_at=datetime(2024, 3, 4, tzinfo=timezone.utc), channel="chat")])
    >>> metric.compute().details["counts"]
    {'chat': 1}
    """

    name: ClassVar[str] = "channel_mix"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = None
    state_type = CountsState

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        batch = as_ticket_batch(items)
        counts = np.bincount(batch.channel.codes, minlength=len(batch.channel.categories))
        return CountsState.of(dict(zip(batch.channel.categories, counts.tolist(), strict=True)))

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _count_compute(state, params, "channel_mix", share=True)


def tag_counts(tickets: Any, **options: Any) -> dict[str, int]:
    """Number of tickets carrying each tag (complaints are tickets tagged ``complaint``).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tag_counts([Ticket(id=1, created_at=t0, tags=("complaint", "vip")),
    ...             Ticket(id=2, created_at=t0, tags=("complaint",)), Ticket(id=3, created_at=t0)])
    {'complaint': 2, 'vip': 1}
    """
    metric = TagCounts(**options)
    metric.update(tickets)
    value: dict[str, int] = metric.compute().value
    return value


@register
class TagCounts(Metric[CountsState, MetricParams]):
    """Tickets per tag, mergeable; see :func:`tag_counts`. ``n`` is tag uses, not tickets.

    Examples
    --------
    >>> TagCounts().unit
    'count'
    """

    name: ClassVar[str] = "tag_counts"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = None
    state_type = CountsState

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        tags = as_ticket_batch(items).tags
        if len(tags) == 0:
            return CountsState()
        codes = tags["tag"]
        counts = np.bincount(codes.codes, minlength=len(codes.categories))
        return CountsState.of(dict(zip(codes.categories, counts.tolist(), strict=True)))

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _count_compute(state, params, "tag_counts", share=False)


class VolumeParams(MetricParams):
    """Parameters of :class:`TicketVolume`."""

    period: str = "day"
    timezone: str = "UTC"

    @field_validator("period")
    @classmethod
    def _check_period(cls, period: str) -> str:
        if period not in ("day", "week", "month", "quarter", "year", "hour_weekday"):
            raise ValueError("one of 'day', 'week', 'month', 'quarter', 'year', 'hour_weekday'")
        return period


def _volume_labels(created: Any, params: VolumeParams) -> Any:
    from cxmetrics.report import period_labels

    if params.period != "hour_weekday":
        return period_labels(created, params.period, params.timezone)
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(params.timezone)
    hours = np.floor(created / 3600.0)
    unique, inverse = np.unique(hours, return_inverse=True)
    local = [datetime.fromtimestamp(h * 3600.0, zone) for h in unique]
    labels = np.array([f"{d.strftime('%a')} {d.hour:02d}h" for d in local], dtype=object)
    return labels[inverse]


def ticket_volume(tickets: Any, **options: Any) -> dict[str, int]:
    """Tickets created per period (day, ISO week, month, quarter, year) in a timezone.

    ``period="hour_weekday"`` counts by weekday and local hour (``"Mon 09h"``), for
    arrival heatmaps. The mean per period is in the class result's
    ``details["mean_per_period"]`` (over the periods that had tickets).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> days = [datetime(2024, 3, d, 12, tzinfo=timezone.utc) for d in (4, 4, 5, 12)]
    >>> ticket_volume([Ticket(id=i, created_at=d) for i, d in enumerate(days)], period="week")
    {'2024-W10': 3, '2024-W11': 1}
    """
    metric = TicketVolume(**options)
    metric.update(tickets)
    value: dict[str, int] = metric.compute().value
    return value


@register
class TicketVolume(Metric[CountsState, VolumeParams]):
    """Ticket volume per period, mergeable; see :func:`ticket_volume`.

    Examples
    --------
    >>> TicketVolume(period="month", timezone="Europe/Paris").params.period
    'month'
    """

    name: ClassVar[str] = "ticket_volume"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = None
    state_type = CountsState
    Params = VolumeParams

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        batch = as_ticket_batch(items)
        if len(batch) == 0:
            return CountsState()
        labels, counts = np.unique(_volume_labels(batch.created_at, params), return_counts=True)
        return CountsState.of(dict(zip(labels.tolist(), counts.tolist(), strict=True)))

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        result = _count_compute(state, params, "ticket_volume", share=False)
        counts = state.as_dict()
        mean = sum(counts.values()) / len(counts) if counts else float("nan")
        return MetricResult(
            result.value, result.n, "count", None, params.confidence, {"mean_per_period": mean}
        )


class BacklogParams(MetricParams):
    """Parameters of :class:`Backlog`: the instant the backlog is taken at."""

    at: datetime

    @field_validator("at")
    @classmethod
    def _aware(cls, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("an aware datetime, e.g. datetime(2024, 3, 4, tzinfo=timezone.utc)")
        return at


def _backlog_update(tickets: Any, params: BacklogParams) -> CountsState:
    batch = as_ticket_batch(tickets)
    instant = params.at.timestamp()
    n = len(batch)
    sc = batch.status_changes
    # The status at the instant: the last change at or before it (new if none yet).
    status = np.full(n, TICKET_STATUSES.index("new"), dtype=np.int64)
    known = sc.at <= instant
    if known.any():
        rows = np.flatnonzero(known)
        last = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last, sc.ticket[rows], rows)
        has = last >= 0
        status[has] = sc["status"][last[has]]
    # Without a status history, the flat solve time (or the current status) decides.
    flat = np.diff(sc.offsets) == 0
    flat_resolved = np.where(
        np.isnan(batch.solved_at), np.isin(batch.status, _RESOLVED), batch.solved_at <= instant
    )
    unresolved = np.where(flat, ~flat_resolved, ~np.isin(status, _RESOLVED))
    open_now = (batch.created_at <= instant) & unresolved
    age_days = (instant - batch.created_at[open_now]) / 86400.0
    bounds = np.array([upper for _, upper in AGE_BUCKETS])
    bucket = np.searchsorted(bounds, age_days, side="right")
    counts = np.bincount(bucket, minlength=len(AGE_BUCKETS))
    return CountsState.of(
        {label: int(c) for (label, _), c in zip(AGE_BUCKETS, counts, strict=True)}
    )


def backlog(tickets: Any, *, at: datetime, **options: Any) -> int:
    """Number of tickets created by ``at`` and not resolved at ``at``.

    Read from the status history at that instant (a ticket reopened later counts
    as resolved in between). The class result gives the ageing buckets
    (:data:`AGE_BUCKETS`) in ``details["ages"]``. For a series, call it at each
    instant (e.g. end of each day). Partitions must not split a ticket.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import StatusChange, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=1, created_at=t0, status_changes=[
    ...                StatusChange(at=t0 + timedelta(days=2), status="solved")]),
    ...            Ticket(id=2, created_at=t0 + timedelta(days=1))]
    >>> backlog(tickets, at=t0 + timedelta(days=1, hours=1)), backlog(tickets, at=t0 + timedelta(days=3))
    (2, 1)
    """
    metric = Backlog(at=at, **options)
    metric.update(tickets)
    return int(metric.compute().value)


@register
class Backlog(Metric[CountsState, BacklogParams]):
    """Backlog at an instant with ageing buckets, mergeable; see :func:`backlog`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> Backlog(at=datetime(2024, 3, 4, tzinfo=timezone.utc)).compute().value
    0
    """

    name: ClassVar[str] = "backlog"
    unit: ClassVar[str] = "count"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    state_type = CountsState
    Params = BacklogParams

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        return _backlog_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        ages = {label: state.as_dict().get(label, 0) for label, _ in AGE_BUCKETS}
        # An empty backlog is a real zero, not an undefined value.
        return MetricResult(
            state.total, state.total, "count", None, params.confidence, {"ages": ages}
        )


class ContactParams(MetricParams):
    """Parameters of :class:`ContactRate`: ``orders`` to divide by, else customers."""

    orders: int | None = None


def contact_rate(tickets: Any, *, orders: int | None = None, **options: Any) -> float:
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
    metric = ContactRate(orders=orders, **options)
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
        counts = np.bincount(codes[codes >= 0], minlength=len(batch.customer_id.categories))
        per_customer = dict(zip(batch.customer_id.categories, counts.tolist(), strict=True))
        anonymous = int(np.count_nonzero(codes < 0))
        if anonymous:
            per_customer["\x00anonymous"] = anonymous  # counted, but not a customer
        return CountsState.of(per_customer)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        tickets = state.total
        customers = sum(1 for key, _ in state.counts if key != "\x00anonymous")
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
