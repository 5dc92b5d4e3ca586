"""The generated survey answers, calls and customers as columns, and a whole data set.

:class:`SurveyTable`, :class:`CallTable` and :class:`CustomerTable` hold what
:func:`cxmetrics.datasets.generate` draws, one numpy column per field; each
converts to a :class:`~cxmetrics.tables.schema.RecordTable` without copies, or to
validated records. :class:`SyntheticData` is one generated data set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.datasets.records import _utc, batch_to_tickets
from cxmetrics.datasets.shapes import FloatArray
from cxmetrics.models.customer import Customer
from cxmetrics.models.interaction import Call
from cxmetrics.models.survey import SurveyResponse, SurveySent
from cxmetrics.models.ticket import Ticket
from cxmetrics.tables.schema import ConvertsToRecordTable, RecordTable
from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = ["CallTable", "CustomerTable", "SurveySendTable", "SurveyTable", "SyntheticData"]


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
    reason, comment : object arrays of str or None, optional
        The reason a CSAT answer gave, and its free-text comment.
    sent_at : float array, optional
        When the survey was sent (the solve), epoch seconds.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
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
    reason: npt.NDArray[np.object_] | None = None
    comment: npt.NDArray[np.object_] | None = None
    sent_at: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.score.size)

    def _optional(self) -> dict[str, npt.NDArray[Any]]:
        fields = {"reason": self.reason, "comment": self.comment, "sent_at": self.sent_at}
        return {name: column for name, column in fields.items() if column is not None}

    def scores(self, kind: str) -> FloatArray:
        """Return the scores of one survey kind, e.g. ``"csat"``.

        Examples
        --------
        >>> from cxmetrics.datasets import generate
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
        >>> from cxmetrics.datasets import generate
        >>> table = generate(100, seed=1).surveys.to_table()
        >>> table.kind, sorted(table.columns)[:4]
        ('surveys', ['agent_id', 'channel', 'comment', 'customer_id'])
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
                **self._optional(),
            },
        )

    def to_records(self) -> list[SurveyResponse]:
        """Return the answers as validated :class:`~cxmetrics.SurveyResponse` objects.

        Examples
        --------
        >>> from cxmetrics.datasets import generate
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
                reason=None if self.reason is None else self.reason[i],
                comment=None if self.comment is None else self.comment[i],
                sent_at=None if self.sent_at is None else _utc(self.sent_at[i]),
            )
            for i in range(len(self))
        ]


@dataclass(frozen=True, eq=False)
class SurveySendTable(ConvertsToRecordTable):
    """The surveys sent, answered or not, as columns, in order of sending.

    Attributes
    ----------
    ticket_id, customer_id, agent_id, channel : object arrays of str
    sent_at, responded_at : float arrays
        Epoch seconds; ``responded_at`` is NaN for a survey never answered.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> from cxmetrics.insight import response_rates
    >>> sends = generate(500, seed=1).survey_sends
    >>> 0.0 < response_rates(sends.to_records()).column("response_rate")[0] < 1.0
    True
    """

    ticket_id: npt.NDArray[np.object_]
    sent_at: FloatArray
    responded_at: FloatArray
    customer_id: npt.NDArray[np.object_]
    agent_id: npt.NDArray[np.object_]
    channel: npt.NDArray[np.object_]

    def __len__(self) -> int:
        return int(self.sent_at.size)

    def to_table(self) -> RecordTable:
        """Return the sent surveys as a ``survey_sends`` :class:`RecordTable` (no copies)."""
        kind = np.empty(len(self), dtype=object)
        kind.fill("csat")
        nothing = np.full(len(self), None, dtype=object)
        return RecordTable(
            "survey_sends",
            {
                "kind": kind,
                "sent_at": self.sent_at,
                "responded_at": self.responded_at,
                "id": nothing,
                "ticket_id": self.ticket_id,
                "customer_id": self.customer_id,
                "agent_id": self.agent_id,
                "channel": self.channel,
            },
        )

    def to_records(self) -> list[SurveySent]:
        """Return the sent surveys as validated :class:`~cxmetrics.SurveySent` objects."""
        return [
            SurveySent(
                kind="csat",
                sent_at=_utc(self.sent_at[i]),
                responded_at=None if np.isnan(self.responded_at[i]) else _utc(self.responded_at[i]),
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
    >>> from cxmetrics.datasets import generate
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
        >>> from cxmetrics.datasets import generate
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
        >>> from cxmetrics.datasets import generate
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
    >>> from cxmetrics.datasets import generate
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
        >>> from cxmetrics.datasets import generate
        >>> from cxmetrics import churn_rate
        >>> data = generate(300, seed=1)
        >>> churn_rate(data.customers, window=(data.start, data.end)) == churn_rate(
        ...     data.customers.to_records(), window=(data.start, data.end))
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
        >>> from cxmetrics.datasets import generate
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
    survey_sends : SurveySendTable, optional
        The CSAT surveys sent at each solve, answered or not.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
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
    survey_sends: SurveySendTable | None = None

    def ticket_records(self, limit: int | None = None) -> list[Ticket]:
        """Return the first ``limit`` tickets (all by default) as validated ``Ticket`` objects.

        Meant for examples and tests: a few thousand tickets, not a million.

        Examples
        --------
        >>> from cxmetrics.datasets import generate
        >>> ticket = generate(100, seed=5).ticket_records(limit=3)[0]
        >>> ticket.id, ticket.status_changes[0].status
        ('T0000000', 'new')
        """
        batch = self.tickets
        if limit is not None and limit < len(batch):
            batch = batch.select(np.arange(limit))
        return batch_to_tickets(batch)
