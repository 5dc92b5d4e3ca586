"""A deterministic generator of realistic synthetic support data.

Everything is drawn with numpy from one seeded generator and built as columns, so a
million tickets with their histories take seconds and never exist as a million
Python objects. The shapes follow what the real data sets show (see
``docs/datasets.md``): arrivals peak on weekday working hours in the team's
timezone, chat is answered in minutes and email in hours, a tenth of solved tickets
reopen, phone tickets carry a call whose handle time is log-normal, and survey
answers get worse the longer the customer waited for a first reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.customer import Customer
from cxmetrics.models.interaction import Call, Message
from cxmetrics.models.survey import SurveyResponse
from cxmetrics.models.ticket import (
    PRIORITIES,
    TICKET_STATUSES,
    Assignment,
    PriorityChange,
    StatusChange,
    Ticket,
)
from cxmetrics.tables.schema import ConvertsToRecordTable, RecordTable
from cxmetrics.tables.ticket_batch import AUTHORS, CREATED_BY, Categorical, EventTable, TicketBatch

__all__ = [
    "CallTable",
    "CustomerTable",
    "SurveyTable",
    "SyntheticData",
    "batch_to_tickets",
    "generate",
]

FloatArray = npt.NDArray[np.float64]

CHANNELS = ("email", "web", "chat", "phone", "social")
CHANNEL_SHARE = (0.38, 0.2, 0.22, 0.12, 0.08)
# Mean minutes to an agent reply per channel (live channels are fast).
REPLY_MINUTES = (240.0, 300.0, 4.0, 2.0, 90.0)
PRIORITY_SHARE = (0.2, 0.55, 0.2, 0.05)
# Urgent tickets are answered three times faster than low ones.
PRIORITY_SPEED = (0.8, 1.0, 1.6, 3.0)
GROUPS = ("accounts", "billing", "sales", "technical")
TAGS = ("billing", "bug", "complaint", "feature_request", "refund", "vip")
PLANS = ("basic", "pro", "enterprise")
PLAN_SHARE = (0.6, 0.3, 0.1)
PLAN_REVENUE = (29.0, 99.0, 499.0)  # monthly
# Bigger accounts have more users, so more tickets per customer.
PLAN_CONTACTS = (1.0, 1.5, 3.0)
MONTHLY_CHURN = 0.025
# Relative arrivals per weekday (Mon..Sun) and per local hour of day.
WEEKDAY_LOAD = (1.15, 1.1, 1.05, 1.0, 0.9, 0.35, 0.3)
HOUR_LOAD = (
    0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1.3, 1.6, 1.65, 1.55,
    1.3, 1.45, 1.5, 1.4, 1.25, 1.0, 0.75, 0.6, 0.5, 0.4, 0.3, 0.2,
)  # fmt: skip
STATUS = {name: code for code, name in enumerate(TICKET_STATUSES)}
AUTHOR = {name: code for code, name in enumerate(AUTHORS)}
AGENT_NAMES = tuple(f"A{a:03d}" for a in range(len(GROUPS) * 10))
CLOSE_AFTER = 4 * 86400.0  # solved tickets close after four days, as helpdesks do


@dataclass(frozen=True, eq=False)
class SurveyTable(ConvertsToRecordTable):
    """Survey answers as columns, one row per answer, in order of answer time.

    Attributes
    ----------
    kind : str array
        ``"csat"`` (scale 5), ``"nps"`` (scale 10) or ``"ces"`` (scale 7).
    score : float array
    scale : int array
    responded_at : float array
        Epoch seconds, UTC.
    ticket_id, customer_id, agent_id, channel : object arrays of str
        The surveyed ticket, its customer, the agent who solved it, its channel.

    Examples
    --------
    >>> surveys = generate(300, seed=1).surveys
    >>> sorted(set(surveys.kind.tolist()))
    ['ces', 'csat', 'nps']
    >>> from cxmetrics import csat
    >>> 0.0 <= csat(surveys.scores("csat")) <= 1.0
    True
    """

    kind: npt.NDArray[np.str_]
    score: FloatArray
    scale: npt.NDArray[np.int64]
    responded_at: FloatArray
    ticket_id: npt.NDArray[np.object_]
    customer_id: npt.NDArray[np.object_]
    agent_id: npt.NDArray[np.object_]
    channel: npt.NDArray[np.object_]

    def __len__(self) -> int:
        return int(self.score.size)

    def scores(self, kind: str) -> FloatArray:
        """Return the scores of one survey kind, e.g. ``"csat"``.

        Examples
        --------
        >>> scores = generate(300, seed=1).surveys.scores("nps")
        >>> bool(scores.min() >= 0 and scores.max() <= 10)
        True
        """
        return np.asarray(self.score[self.kind == kind], dtype=np.float64)

    def to_table(self) -> RecordTable:
        """Return the answers as a survey :class:`~cxmetrics.io.RecordTable` (no copies).

        Every metric and the report take this table (or the ``SurveyTable``
        itself, converted this way) without building a record per row.

        Examples
        --------
        >>> table = generate(100, seed=1).surveys.to_table()
        >>> table.kind, sorted(table.columns)[:3]
        ('surveys', ['agent_id', 'channel', 'customer_id'])
        """
        return RecordTable(
            "surveys",
            {
                "kind": self.kind.astype(object),
                "score": self.score,
                "scale": self.scale,
                "responded_at": self.responded_at,
                "ticket_id": self.ticket_id,
                "customer_id": self.customer_id,
                "agent_id": self.agent_id,
                "channel": self.channel,
            },
        )

    def to_records(self) -> list[SurveyResponse]:
        """Return the answers as validated :class:`~cxmetrics.SurveyResponse` objects.

        Examples
        --------
        >>> answer = generate(100, seed=1).surveys.to_records()[0]
        >>> answer.kind in ("csat", "nps", "ces"), answer.ticket_id.startswith("T")
        (True, True)
        """
        return [
            SurveyResponse(
                kind=str(self.kind[i]),
                score=float(self.score[i]),
                scale=int(self.scale[i]),
                responded_at=_utc(self.responded_at[i]),
                ticket_id=self.ticket_id[i],
                customer_id=self.customer_id[i],
                agent_id=self.agent_id[i],
                channel=self.channel[i],
            )
            for i in range(len(self))
        ]


@dataclass(frozen=True, eq=False)
class CallTable(ConvertsToRecordTable):
    """Live contacts as columns, one row per call of a phone ticket.

    Attributes
    ----------
    id, ticket_id, customer_id : object arrays of str
        The call (``C`` + the number of its ticket), its ticket and customer.
    at : float array
        When the call came in, epoch seconds (UTC): the ticket's creation.
    agent_id : object array of str or None
        The agent who answered; None when the caller hung up in the queue.
    queue : object array of str
        The group the call was routed to.
    wait, talk, hold, wrap : float arrays
        Seconds in the queue, talking, on hold and in after-call work.
    abandoned, transferred : bool arrays

    Examples
    --------
    >>> calls = generate(500, seed=1).calls
    >>> bool(len(calls) > 0 and (calls.talk[calls.abandoned] == 0).all())
    True
    """

    id: npt.NDArray[np.object_]
    at: FloatArray
    ticket_id: npt.NDArray[np.object_]
    customer_id: npt.NDArray[np.object_]
    agent_id: npt.NDArray[np.object_]
    queue: npt.NDArray[np.object_]
    wait: FloatArray
    talk: FloatArray
    hold: FloatArray
    wrap: FloatArray
    abandoned: npt.NDArray[np.bool_]
    transferred: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.at.size)

    def to_table(self) -> RecordTable:
        """Return the calls as a call :class:`~cxmetrics.io.RecordTable`.

        Examples
        --------
        >>> from cxmetrics import aht
        >>> calls = generate(300, seed=1).calls
        >>> aht(calls.to_table()) == aht(calls) == aht(calls.to_records())
        True
        """
        n = len(self)
        return RecordTable(
            "calls",
            {
                "id": self.id,
                "at": self.at,
                "customer_id": self.customer_id,
                "agent_id": self.agent_id,
                "queue": self.queue,
                "channel": np.full(n, "phone", dtype=object),
                "wait": self.wait,
                "talk": self.talk,
                "hold": self.hold,
                "wrap": self.wrap,
                "abandoned": self.abandoned,
                "transferred": self.transferred,
                "direction": np.full(n, "inbound", dtype=object),
                "ticket_id": self.ticket_id,
            },
        )

    def to_records(self) -> list[Call]:
        """Return the calls as validated :class:`~cxmetrics.Call` objects.

        Examples
        --------
        >>> call = generate(200, seed=1).calls.to_records()[0]
        >>> call.channel, call.id.startswith("C")
        ('phone', True)
        """
        return [
            Call(
                at=_utc(self.at[i]),
                id=self.id[i],
                customer_id=self.customer_id[i],
                agent_id=self.agent_id[i],
                queue=self.queue[i],
                wait=float(self.wait[i]),
                talk=float(self.talk[i]),
                hold=float(self.hold[i]),
                wrap=float(self.wrap[i]),
                abandoned=bool(self.abandoned[i]),
                transferred=bool(self.transferred[i]),
            )
            for i in range(len(self))
        ]


@dataclass(frozen=True, eq=False)
class CustomerTable(ConvertsToRecordTable):
    """Customer lifetimes as columns, one row per customer.

    Attributes
    ----------
    id : object array of str
    since, until : float arrays
        Epoch seconds, UTC; ``until`` (exclusive) is NaN for a customer who is
        still one at the end of the window.
    segment : object array of str
        The plan: ``"basic"``, ``"pro"`` or ``"enterprise"``.
    revenue : float array
        Monthly revenue of the plan.

    Examples
    --------
    >>> customers = generate(300, seed=1).customers
    >>> len(customers), sorted(set(customers.segment))
    (100, ['basic', 'enterprise', 'pro'])
    """

    id: npt.NDArray[np.object_]
    since: FloatArray
    until: FloatArray
    segment: npt.NDArray[np.object_]
    revenue: FloatArray

    def __len__(self) -> int:
        return int(self.since.size)

    def to_table(self) -> RecordTable:
        """Return the lifetimes as a customer :class:`~cxmetrics.io.RecordTable`.

        Examples
        --------
        >>> from cxmetrics import churn_rate
        >>> data = generate(300, seed=1)
        >>> churn_rate(data.customers, start=data.start, end=data.end) == churn_rate(
        ...     data.customers.to_records(), start=data.start, end=data.end)
        True
        """
        return RecordTable(
            "customers",
            {
                "id": self.id,
                "since": self.since,
                "until": self.until,
                "segment": self.segment,
                "revenue": self.revenue,
            },
        )

    def to_records(self) -> list[Customer]:
        """Return the lifetimes as validated :class:`~cxmetrics.Customer` objects.

        Examples
        --------
        >>> first = generate(30, seed=1).customers.to_records()[0]
        >>> first.id, first.since.tzinfo is not None
        ('U000000', True)
        """
        return [
            Customer(
                id=self.id[i],
                since=_utc(self.since[i]),
                until=None if np.isnan(self.until[i]) else _utc(self.until[i]),
                segment=self.segment[i],
                revenue=float(self.revenue[i]),
            )
            for i in range(len(self))
        ]


@dataclass(frozen=True, eq=False)
class SyntheticData:
    """One generated data set: tickets, survey answers, calls and customers.

    Attributes
    ----------
    tickets : TicketBatch
    surveys : SurveyTable
    calls : CallTable
        The calls of the phone tickets (the same calls are in
        ``tickets.interactions``), for the contact-center metrics.
    customers : CustomerTable
    start, end : datetime
        The window the tickets were created in.
    seed : int
    timezone : str
        The team's timezone that shaped the arrival pattern.

    Examples
    --------
    >>> data = generate(100, seed=5)
    >>> len(data.tickets), data.end - data.start
    (100, datetime.timedelta(days=28))
    """

    tickets: TicketBatch
    surveys: SurveyTable
    calls: CallTable
    customers: CustomerTable
    start: datetime
    end: datetime
    seed: int
    timezone: str

    def ticket_records(self, limit: int | None = None) -> list[Ticket]:
        """Return the first ``limit`` tickets (all by default) as validated ``Ticket`` objects.

        Meant for examples and tests: a few thousand tickets, not a million.

        Examples
        --------
        >>> ticket = generate(100, seed=5).ticket_records(limit=3)[0]
        >>> ticket.id, ticket.status_changes[0].status
        ('T0000000', 'new')
        """
        batch = self.tickets
        if limit is not None and limit < len(batch):
            batch = batch.select(np.arange(limit))
        return batch_to_tickets(batch)


def _names(
    prefix: str, numbers: int | npt.NDArray[np.int64], width: int = 7
) -> npt.NDArray[np.object_]:
    """Identifiers ``prefix`` + zero-padded number (``T0000042``) for ``range(numbers)`` or an array."""
    values = np.arange(numbers) if isinstance(numbers, int) else numbers
    if values.size == 0:
        return np.empty(0, dtype=object)
    padded = np.char.zfill(values.astype(f"U{width}"), width)
    return np.char.add(prefix, padded).astype(object)


def _utc(seconds: Any) -> datetime:
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc)


def _segment_cumsum(values: FloatArray, offsets: npt.NDArray[np.int64]) -> FloatArray:
    """Cumulative sums that restart at each segment start (``offsets[:-1]``)."""
    total = np.cumsum(values)
    starts = offsets[:-1]
    counts = np.diff(offsets)
    before = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0.0)
    restarted: FloatArray = total - np.repeat(before[counts > 0], counts[counts > 0])
    return restarted


def _event_table(
    ticket: npt.NDArray[np.int64],
    at: FloatArray,
    columns: dict[str, Any],
    n_tickets: int,
    end: float = np.inf,
) -> EventTable:
    """An :class:`EventTable` sorted by (ticket, at), without the rows after ``end``.

    The rows after ``end`` have not happened yet when the data is exported:
    dropping them leaves a true prefix of each history (late tickets unanswered,
    unsolved), which is still a valid history.

    Every instant here is a whole second, so one int64 key sorts both columns at
    once; the rows come in long sorted runs (conversations are generated in
    order), which a stable sort merges in near-linear time, several times faster
    than the general ``lexsort`` of :meth:`EventTable.build`.
    """
    if at.size == 0 or n_tickets >= 2**29 or not np.array_equal(at, np.floor(at)):
        keep = at <= end
        return EventTable.build(
            ticket[keep],
            at[keep],
            {
                name: col.take(np.flatnonzero(keep)) if isinstance(col, Categorical) else col[keep]
                for name, col in columns.items()
            },
            n_tickets,
        )
    key = (ticket << 34) | (at - at.min()).astype(np.int64)  # 2**34 s is 500 years
    order = np.argsort(key, kind="stable")
    del key
    if end < np.inf:
        order = order[at[order] <= end]  # one gather both sorts and drops
    ticket = ticket[order]
    counts = np.bincount(ticket, minlength=n_tickets)
    offsets = np.zeros(n_tickets + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    # Pop each unsorted column as it is gathered, so only one is doubled at a time
    # (the caller passes a fresh dict and keeps no reference to its arrays).
    sorted_columns = {}
    for name in list(columns):
        col = columns.pop(name)
        sorted_columns[name] = col.take(order) if isinstance(col, Categorical) else col[order]
        del col
    return EventTable(offsets, ticket, at[order], sorted_columns)


def _arrival_times(
    rng: np.random.Generator, n: int, start: datetime, days: int, zone: str
) -> FloatArray:
    """Draw ``n`` creation instants in ``[start, start + days)`` by the weekday × hour load.

    The load of each hour of the window is that of its local weekday and hour in
    ``zone``, so the pattern follows the team's clock, across DST changes too.
    """
    tz = ZoneInfo(zone)
    t0 = start.timestamp()
    hours = days * 24
    instants = t0 + 3600.0 * np.arange(hours)
    # A short loop over the hours of the window (not over tickets).
    weights = np.empty(hours)
    for h in range(hours):
        local = datetime.fromtimestamp(instants[h], tz)
        weights[h] = WEEKDAY_LOAD[local.weekday()] * HOUR_LOAD[local.hour]
    chosen = rng.choice(hours, size=n, p=weights / weights.sum())
    # Whole seconds, as exports have them: instants then survive a round trip
    # through datetime exactly.
    created = np.floor(instants[chosen] + rng.uniform(0.0, 3600.0, size=n))
    return np.sort(created)


def generate(
    n_tickets: int = 1000,
    *,
    seed: int = 0,
    start: datetime = datetime(2024, 1, 1, tzinfo=timezone.utc),
    weeks: int | None = None,
    timezone: str = "Europe/Amsterdam",
    n_customers: int | None = None,
) -> SyntheticData:
    """Generate a realistic synthetic support data set.

    Tickets arrive by a weekday × hour-of-day load in the team's ``timezone``,
    from customers active at the time; each carries its conversation (customer,
    agent, bot and system messages, internal notes, a call on phone tickets), its
    status, assignment and priority history and its tags. The result is what an
    export taken at the end of the window holds: nothing after it, and the last
    days' tickets still open. ``docs/datasets.md`` lists every distribution.

    Parameters
    ----------
    n_tickets : int, default=1000
        Number of tickets (up to millions: the generator is vectorised).
    seed : int, default=0
        Seed of the random generator; the same arguments give the same data.
    start : datetime, default=2024-01-01 UTC
        Start of the window the tickets are created in (timezone-aware).
    weeks : int, optional
        Length of the window; by default about 250 tickets a day, from 4 weeks to
        2 years.
    timezone : str, default="Europe/Amsterdam"
        The team's timezone, which shapes the daily and weekly arrival pattern.
    n_customers : int, optional
        Number of customers; by default a third of the tickets.

    Returns
    -------
    SyntheticData
        The tickets as a :class:`~cxmetrics.tables.ticket_batch.TicketBatch`, the survey answers,
        calls and customers as columns; each converts to validated records.

    Raises
    ------
    InvalidParameterError
        When an argument has the wrong type or value (a naive ``start``, an unknown
        timezone, a negative size).

    See Also
    --------
    load_sample : a fixed data set made by this function, as records.

    Examples
    --------
    >>> data = generate(200, seed=1)
    >>> len(data.tickets), bool(data.tickets.interactions.offsets[-1] > 400)
    (200, True)
    >>> generate(200, seed=1).tickets.created_at.tolist() == data.tickets.created_at.tolist()
    True
    """
    _check_arguments(n_tickets, start, weeks, timezone, n_customers)
    rng = np.random.default_rng(seed)
    n = n_tickets
    if weeks is None:
        # About 250 tickets a day, between four weeks and two years.
        weeks = min(104, max(4, int(np.ceil(n / 250 / 7))))
    days = 7 * weeks
    end = start + timedelta(days=days)
    n_customers = max(1, n // 3) if n_customers is None else n_customers

    customers, plan, propensity = _customers(rng, n_customers, start, end)
    created = _arrival_times(rng, n, start, days, timezone)
    ids = _names("T", n)
    customer = _ticket_customers(rng, created, customers, propensity)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)
    priority = rng.choice(len(PRIORITIES), size=n, p=PRIORITY_SHARE)
    created_by = rng.choice(len(CREATED_BY), size=n, p=(0.9, 0.07, 0.03))
    group = rng.choice(len(GROUPS), size=n)
    agent = group * 10 + rng.integers(0, 10, size=n)  # ten agents per group

    # --- the conversation: alternating customer and agent messages ---------------
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
    reply_mean = np.asarray(REPLY_MINUTES)[channel] * 60.0 / np.asarray(PRIORITY_SPEED)[priority]
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

    # --- transfers: 15 % move to another group's agent after the first reply ------
    window_end = end.timestamp()  # the export is taken at the end of the window
    first_agent_row = offsets[:-1] + (created_by == 0).astype(np.int64)
    first_agent_at = at[np.minimum(first_agent_row, last)]
    new_group = (group + rng.integers(1, len(GROUPS), size=n)) % len(GROUPS)
    new_agent = new_group * 10 + rng.integers(0, 10, size=n)
    move_at = first_agent_at + np.round(rng.uniform(60.0, 7200.0, size=n))
    moved = (rng.random(n) < 0.15) & (move_at <= window_end)

    # --- extra messages: automated acks, bots, internal notes --------------------
    extra_ticket: list[npt.NDArray[np.int64]] = []
    extra_at: list[FloatArray] = []
    extra_author: list[npt.NDArray[np.int8]] = []
    extra_public: list[npt.NDArray[np.bool_]] = []
    extra_automated: list[npt.NDArray[np.bool_]] = []
    acked = np.flatnonzero(np.isin(channel, (0, 1)) & (created_by == 0))
    extra_ticket.append(acked)
    extra_at.append(created[acked] + 1.0)
    extra_author.append(np.full(acked.size, AUTHOR["system"], dtype=np.int8))
    extra_public.append(np.ones(acked.size, dtype=bool))
    extra_automated.append(np.ones(acked.size, dtype=bool))
    botted = np.flatnonzero((channel == 2) & (rng.random(n) < 0.4))
    extra_ticket.append(botted)
    extra_at.append(created[botted] + 2.0)
    extra_author.append(np.full(botted.size, AUTHOR["bot"], dtype=np.int8))
    extra_public.append(np.ones(botted.size, dtype=bool))
    extra_automated.append(np.zeros(botted.size, dtype=bool))
    noted = np.flatnonzero(rng.random(n) < 0.15)
    extra_ticket.append(noted)
    extra_at.append(np.round(created[noted] + 0.5 * (at[last[noted]] - created[noted])) + 1.0)
    extra_author.append(np.full(noted.size, AUTHOR["agent"], dtype=np.int8))
    extra_public.append(np.zeros(noted.size, dtype=bool))
    extra_automated.append(np.zeros(noted.size, dtype=bool))

    # --- calls on phone tickets ----------------------------------------------------
    phone = np.flatnonzero(channel == 3)
    m = phone.size
    abandoned = rng.random(m) < 0.08
    wait = np.round(rng.exponential(45.0, size=m))
    talk = np.where(abandoned, 0.0, np.round(rng.lognormal(np.log(240.0), 0.6, size=m)))
    hold = np.where(abandoned | (rng.random(m) < 0.7), 0.0, np.round(rng.exponential(40.0, size=m)))
    wrap = np.where(abandoned, 0.0, np.round(rng.exponential(35.0, size=m)))
    transferred = ~abandoned & (rng.random(m) < 0.1)
    calls = CallTable(
        id=_names("C", phone),
        at=created[phone],
        ticket_id=ids[phone],
        customer_id=customers.id[customer[phone]],
        agent_id=np.asarray(
            np.where(abandoned, None, np.array(AGENT_NAMES, dtype=object)[agent[phone]]),
            dtype=object,
        ),
        queue=np.array(GROUPS, dtype=object)[group[phone]],  # the group first assigned
        wait=wait,
        talk=talk,
        hold=hold,
        wrap=wrap,
        abandoned=abandoned,
        transferred=transferred,
    )

    # --- interactions table --------------------------------------------------------
    # A million tickets make 4.5 M rows here: row-sized temporaries are freed as
    # soon as they are used, which keeps the peak well under 2 GiB.
    message_ticket = np.concatenate([ticket_of, *extra_ticket])
    message_at = np.concatenate([at, *extra_at])
    authors = np.concatenate([author, *extra_author])
    # Whoever holds the ticket writes: the new agent once it has been transferred.
    writer = np.where(
        moved[message_ticket] & (message_at >= move_at[message_ticket]),
        new_agent[message_ticket],
        agent[message_ticket],
    ).astype(np.int32)
    writer[authors != AUTHOR["agent"]] = -1
    agent_of_row = np.concatenate([writer, np.where(abandoned, -1, agent[phone]).astype(np.int32)])
    del writer
    n_messages, total = message_ticket.size, message_ticket.size + m

    def calls_only(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        column = np.zeros(total, dtype=values.dtype)
        column[n_messages:] = values
        return column

    interactions = _event_table(
        np.concatenate([message_ticket, phone]),
        np.concatenate([message_at, created[phone]]),
        {
            "kind": calls_only(np.ones(m, np.int8)),
            "author": np.concatenate([authors, np.full(m, AUTHOR["agent"], np.int8)]),
            "public": np.concatenate(
                [np.ones(ticket_of.size, bool), *extra_public, np.ones(m, bool)]
            ),
            "automated": np.concatenate([system_opened, *extra_automated, np.zeros(m, bool)]),
            "agent_id": Categorical(agent_of_row, AGENT_NAMES),
            "wait": calls_only(wait),
            "talk": calls_only(talk),
            "hold": calls_only(hold),
            "wrap": calls_only(wrap),
            "abandoned": calls_only(abandoned),
            "transferred": calls_only(transferred),
            "direction": np.zeros(total, np.int8),
        },
        n,
        end=window_end,
    )
    del message_ticket, message_at, authors, agent_of_row

    # --- status history derived from the conversation ------------------------------
    # new at creation; pending after each agent reply that awaits the customer;
    # open at each customer follow-up; solved after the final reply; closed 4 days on.
    follow_up = (~is_agent_turn) & (position > 0)
    awaiting = is_agent_turn.copy()
    awaiting[solve_index[resolved]] = False
    if reopened.any():
        awaiting[last[reopened]] = False
    del position, is_agent_turn
    status_ticket = [np.arange(n), ticket_of[awaiting], ticket_of[follow_up]]
    status_at = [created, at[awaiting], at[follow_up]]
    status_code = [
        np.full(n, STATUS["new"]),
        np.full(int(awaiting.sum()), STATUS["pending"]),
        np.full(int(follow_up.sum()), STATUS["open"]),
    ]
    solved_now = np.flatnonzero(resolved)
    status_ticket.append(solved_now)
    status_at.append(solve_at[solved_now])
    status_code.append(np.full(solved_now.size, STATUS["solved"]))
    again = np.flatnonzero(reopened)
    status_ticket.append(again)
    status_at.append(final_solve_at[again])
    status_code.append(np.full(again.size, STATUS["solved"]))
    closing = np.flatnonzero(resolved & (final_solve_at + CLOSE_AFTER < window_end))
    status_ticket.append(closing)
    status_at.append(final_solve_at[closing] + CLOSE_AFTER)
    status_code.append(np.full(closing.size, STATUS["closed"]))
    status_changes = _event_table(
        np.concatenate(status_ticket).astype(np.int64),
        np.concatenate(status_at),
        {"status": np.concatenate(status_code).astype(np.int8)},
        n,
        end=window_end,
    )
    last_status = status_changes["status"][status_changes.offsets[1:] - 1]

    # --- assignments (first reply) and transfers; priority raises ------------------
    moved_ix = np.flatnonzero(moved)
    assignments = _event_table(
        np.concatenate([np.arange(n), moved_ix]).astype(np.int64),
        np.concatenate(
            [np.minimum(np.minimum(first_agent_at, created + 30.0), window_end), move_at[moved_ix]]
        ),
        {
            "agent_id": Categorical(
                np.concatenate([agent, new_agent[moved_ix]]).astype(np.int32), AGENT_NAMES
            ),
            "group": Categorical(
                np.concatenate([group, new_group[moved_ix]]).astype(np.int32), GROUPS
            ),
        },
        n,
    )
    final_group = np.where(moved, new_group, group)
    final_agent = np.where(moved, new_agent, agent)
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

    # --- tags -------------------------------------------------------------------------
    tag_draw = rng.random((n, len(TAGS))) < np.array([0.12, 0.08, 0.06, 0.05, 0.05, 0.03])
    tag_ticket, tag_code = np.nonzero(tag_draw)
    tags = _event_table(
        tag_ticket.astype(np.int64),
        created[tag_ticket],
        {"tag": Categorical(tag_code.astype(np.int32), TAGS)},
        n,
    )

    batch = TicketBatch(
        ids=ids,
        created_at=created,
        first_reply_at=np.full(n, np.nan),
        solved_at=np.full(n, np.nan),
        channel=Categorical(channel.astype(np.int32), CHANNELS),
        group=Categorical(final_group.astype(np.int32), GROUPS),
        segment=Categorical(plan[customer].astype(np.int32), PLANS),
        customer_id=Categorical(customer.astype(np.int32), tuple(customers.id)),
        agent_id=Categorical(final_agent.astype(np.int32), AGENT_NAMES),
        priority=final_priority.astype(np.int8),
        status=last_status.astype(np.int8),
        created_by=created_by.astype(np.int8),
        tags=tags,
        interactions=interactions,
        status_changes=status_changes,
        assignments=assignments,
        priority_changes=priority_changes,
    )

    surveys = _surveys(
        rng, batch, resolved, reopened, solve_at, at, offsets, created_by, final_agent, window_end
    )
    return SyntheticData(batch, surveys, calls, customers, start, end, seed, timezone)


def _surveys(
    rng: np.random.Generator,
    batch: TicketBatch,
    resolved: npt.NDArray[np.bool_],
    reopened: npt.NDArray[np.bool_],
    solve_at: FloatArray,
    at: FloatArray,
    offsets: npt.NDArray[np.int64],
    created_by: npt.NDArray[np.int64],
    agent: npt.NDArray[np.int64],
    end: float,
) -> SurveyTable:
    """CSAT, NPS and CES answers for some solved tickets, worse after long waits.

    Answers come about a day after the (first) solve; those after ``end`` are not
    in the export.
    """
    n = len(batch)
    first_reply_row = offsets[:-1] + (created_by == 0).astype(np.int64)
    first_reply_row = np.minimum(first_reply_row, offsets[1:] - 1)
    wait_hours = (at[first_reply_row] - batch.created_at) / 3600.0
    # Satisfaction falls from 0.93 for an instant reply towards 0.55 after a day.
    satisfied = 0.55 + 0.38 * np.exp(-wait_hours / 8.0)
    # Having to come back after a solve costs a fifth of that.
    satisfied = np.where(reopened, 0.8 * satisfied, satisfied)
    rows: list[tuple[str, npt.NDArray[np.int64], FloatArray, int]] = []
    asked = np.flatnonzero(resolved & (rng.random(n) < 0.3))
    happy = rng.random(asked.size) < satisfied[asked]
    csat = np.where(happy, rng.choice([4, 5], size=asked.size, p=[0.35, 0.65]),
                    rng.choice([1, 2, 3], size=asked.size, p=[0.35, 0.3, 0.35]))  # fmt: skip
    rows.append(("csat", asked, csat.astype(np.float64), 5))
    nps_asked = np.flatnonzero(resolved & (rng.random(n) < 0.12))
    loyal = rng.random(nps_asked.size) < satisfied[nps_asked]
    nps = np.where(loyal, rng.choice([7, 8, 9, 10], size=nps_asked.size, p=[0.1, 0.25, 0.35, 0.3]),
                   rng.integers(0, 9, size=nps_asked.size))  # fmt: skip
    rows.append(("nps", nps_asked, nps.astype(np.float64), 10))
    ces_asked = np.flatnonzero(resolved & (rng.random(n) < 0.08))
    easy = rng.random(ces_asked.size) < satisfied[ces_asked]
    ces = np.where(easy, rng.choice([5, 6, 7], size=ces_asked.size, p=[0.25, 0.4, 0.35]),
                   rng.integers(1, 5, size=ces_asked.size))  # fmt: skip
    rows.append(("ces", ces_asked, ces.astype(np.float64), 7))

    tickets = np.concatenate([r[1] for r in rows])
    kinds = np.concatenate([np.full(r[1].size, r[0]) for r in rows])
    scores = np.concatenate([r[2] for r in rows])
    scales = np.concatenate([np.full(r[1].size, r[3], dtype=np.int64) for r in rows])
    responded = solve_at[tickets] + np.round(rng.exponential(86400.0, size=tickets.size))
    order = np.argsort(responded, kind="stable")
    order = order[responded[order] <= end]
    tickets = tickets[order]
    customer_names = np.array([*batch.customer_id.categories, None], dtype=object)
    channel_names = np.array(batch.channel.categories, dtype=object)
    return SurveyTable(
        kind=kinds[order],
        score=scores[order],
        scale=scales[order],
        responded_at=responded[order],
        ticket_id=batch.ids[tickets],
        customer_id=customer_names[batch.customer_id.codes[tickets]],
        agent_id=np.array(AGENT_NAMES, dtype=object)[agent[tickets]],
        channel=channel_names[batch.channel.codes[tickets]],
    )


def _customers(
    rng: np.random.Generator, n: int, start: datetime, end: datetime
) -> tuple[CustomerTable, npt.NDArray[np.int64], FloatArray]:
    """Lifetimes, plans and how often each customer gets in touch.

    Customers join evenly from two years before the window to its end and churn
    at 2.5 % a month (exponential lifetimes, so about a quarter of those who
    joined over two years are gone, as in the telco churn data). Returns the
    table, the plan codes and a contact propensity: log-normal between customers
    (a few write often) and higher on bigger plans.
    """
    first = start.timestamp() - 2 * 365 * 86400.0
    t_end = end.timestamp()
    since = np.floor(rng.uniform(first, t_end, size=n))
    until = since + np.round(rng.exponential(30 * 86400.0 / MONTHLY_CHURN, size=n))
    until = np.where(until < t_end, until, np.nan)  # still a customer at the export
    plan = rng.choice(len(PLANS), size=n, p=PLAN_SHARE)
    propensity = rng.lognormal(0.0, 1.0, size=n) * np.asarray(PLAN_CONTACTS)[plan]
    table = CustomerTable(
        id=_names("U", n, width=6),
        since=since,
        until=until,
        segment=np.array(PLANS, dtype=object)[plan],
        revenue=np.asarray(PLAN_REVENUE)[plan],
    )
    return table, plan, propensity


def _ticket_customers(
    rng: np.random.Generator,
    created: FloatArray,
    customers: CustomerTable,
    propensity: FloatArray,
) -> npt.NDArray[np.int64]:
    """Pick each ticket's customer by propensity among those active when it is created.

    Rejection sampling: draw by propensity, redraw the tickets whose customer had
    not joined yet or had already left. Each round only touches the rejects, and
    most tickets are placed in the first few.
    """
    n = created.size
    chosen = np.zeros(n, dtype=np.int64)
    cdf = np.cumsum(propensity)
    todo = np.arange(n)
    for _ in range(64):
        if todo.size == 0:
            break
        draw = np.searchsorted(cdf, rng.uniform(0.0, cdf[-1], size=todo.size), side="right")
        pick = np.minimum(draw, cdf.size - 1)
        moment = created[todo]
        # ``until`` is exclusive; a NaN one (still a customer) compares False.
        active = (customers.since[pick] <= moment) & ~(customers.until[pick] <= moment)
        chosen[todo[active]] = pick[active]
        todo = todo[~active]
    # Vanishingly rare with real sizes (or a handful of customers): the customer
    # who joined first.
    chosen[todo] = int(np.argmin(customers.since))
    return chosen


def _check_arguments(
    n_tickets: int, start: datetime, weeks: int | None, zone: str, n_customers: int | None
) -> None:
    def invalid(name: str, must: str, got: object) -> InvalidParameterError:
        return InvalidParameterError(
            f"The {name!r} parameter of generate must be {must}. Got {got!r} instead."
        )

    if isinstance(n_tickets, bool) or not isinstance(n_tickets, (int, np.integer)):
        raise invalid("n_tickets", "an int", n_tickets)
    if n_tickets < 0:
        raise invalid("n_tickets", "zero or more", n_tickets)
    if not isinstance(start, datetime) or start.tzinfo is None:
        raise invalid(
            "start", "a timezone-aware datetime, e.g. datetime(2024, 1, 1, tzinfo=UTC)", start
        )
    if weeks is not None and (not isinstance(weeks, (int, np.integer)) or weeks < 1):
        raise invalid("weeks", "a positive int or None", weeks)
    if n_customers is not None and (
        not isinstance(n_customers, (int, np.integer)) or n_customers < 1
    ):
        raise invalid("n_customers", "a positive int or None", n_customers)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise invalid(
            "timezone", "an IANA timezone name such as 'Europe/Amsterdam'", zone
        ) from None


def batch_to_tickets(batch: TicketBatch) -> list[Ticket]:
    """Convert a :class:`TicketBatch` back to validated :class:`~cxmetrics.Ticket` objects.

    The inverse of :meth:`TicketBatch.from_tickets`, one Python object per event:
    meant for examples, tests and small exports, not for millions of tickets.

    Examples
    --------
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
