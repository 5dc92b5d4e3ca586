"""The SLA outcome table: :class:`SlaOutcomes`, its status codes, and its assembly.

:func:`~cxmetrics.sla.evaluate_sla` evaluates each metric into columns; this
module assembles them, with one ticket-level row per ticket without an instance,
into one :class:`SlaOutcomes` table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from cxmetrics.models.ticket import PRIORITIES
from cxmetrics.sla._table import TimedColumnTable
from cxmetrics.sla.policy import SLA_METRICS, SlaPolicy, SlaPolicySet, SlaTarget
from cxmetrics.tables.ticket_batch import Categorical, TicketBatch

__all__ = [
    "COMPLETIONS",
    "OUTCOME_STATUSES",
    "SlaOutcomes",
]

IntArray = npt.NDArray[np.int64]


OUTCOME_STATUSES: tuple[str, ...] = (
    "achieved",
    "breached",
    "active",
    "paused",
    "undetermined",
    "no_policy",
    "no_target",
    "not_started",
)
"""Status of an outcome row. The first four are target instances; ``undetermined``
is an instance whose completion the history does not give (a ticket marked solved
without a solve time); the last three are ticket-level rows for tickets without
any instance: no policy matched, the policy has no target that applies, or the
ticket was created after ``as_of``."""

ACHIEVED, BREACHED, ACTIVE, PAUSED, UNDETERMINED, NO_POLICY, NO_TARGET, NOT_STARTED = range(8)

COMPLETIONS: tuple[str, ...] = ("reply", "solve")
"""What completed an instance (``completion`` column); missing while open."""


class SlaOutcomes(TimedColumnTable):
    """The outcome table of :func:`evaluate_sla`: one row per (ticket, target instance).

    Columns (numpy arrays of equal length; instants are float epoch seconds, UTC,
    ``nan`` when missing; durations are seconds on the target's clock):

    ``ticket_id``, ``ticket`` (row of the ticket in the batch), ``policy``,
    ``metric``, ``instance`` (0, 1, … per ticket and metric), ``priority`` (in
    force at the end), ``channel``, ``business_hours``, ``target`` (seconds, in
    force at the end), ``start_at``, ``due_at``, ``completed_at``, ``completion``
    (``reply`` or ``solve``), ``status`` (see :data:`OUTCOME_STATUSES`),
    ``business_time_used`` and ``time_left`` (negative once breached).

    Rows come grouped by metric (in the order of ``SLA_METRICS``), then by ticket
    in input order, then by start; the ticket-level rows (``no_policy`` …) come
    last. String columns are stored as :class:`~cxmetrics.tables.ticket_batch.Categorical`;
    indexing (``outcomes["status"]``) decodes them to object arrays.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Message, Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget, evaluate_sla
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id="T1", created_at=t0, interactions=[
    ...     Message(at=t0.replace(hour=10), author="agent")])
    >>> policy = SlaPolicy("std", None, [SlaTarget("first_reply", "PT2H")])
    >>> out = evaluate_sla([ticket], policy, as_of=t0.replace(hour=12))
    >>> len(out), out["status"].tolist(), out["time_left"].tolist()
    (1, ['achieved'], [3600.0])
    >>> out.to_dict()["due_at"]
    [datetime.datetime(2024, 3, 4, 11, 0, tzinfo=datetime.timezone.utc)]
    """

    INSTANTS: ClassVar[tuple[str, ...]] = ("start_at", "due_at", "completed_at")
    DURATIONS: ClassVar[tuple[str, ...]] = (
        "target",
        "business_time_used",
        "time_left",
        "time_to_due",
        "overdue",
    )

    PLAIN: ClassVar[tuple[str, ...]] = ("ticket_id",)
    RENAMED: ClassVar[Mapping[str, str]] = {"start": "start_at", "due": "due_at"}

    def __init__(self, columns: Mapping[str, Any], as_of: float = float("nan")) -> None:
        super().__init__(columns)
        self.as_of = as_of
        """The instant of evaluation (epoch seconds)."""

    def _with_columns(self, columns: Mapping[str, Any]) -> SlaOutcomes:
        return SlaOutcomes(columns, self.as_of)

    def status_counts(self) -> dict[str, int]:
        """Number of rows per status (every status listed, zeros included).

        Examples
        --------
        >>> SlaOutcomes.empty().status_counts()["achieved"]
        0
        """
        codes, categories = self.codes("status")
        counts = np.bincount(codes, minlength=len(categories))
        return {status: int(counts[i]) for i, status in enumerate(categories)}

    @classmethod
    def empty(cls) -> SlaOutcomes:
        """A table without rows."""
        return _assemble(
            [], TicketBatch.from_tickets([]), SlaPolicySet(policies=(_PLACEHOLDER,)), 0.0
        )

    def __repr__(self) -> str:
        counts = {k: v for k, v in self.status_counts().items() if v}
        return f"SlaOutcomes(<{len(self)} rows>, {counts})"


_PLACEHOLDER = SlaPolicy(
    name="-", targets=(SlaTarget(metric="resolution", within=timedelta(seconds=1)),)
)


def _instance_numbers(ticket: IntArray) -> IntArray:
    """Number of each row within its ticket (0, 1, ...), for rows grouped by ticket."""
    if ticket.size == 0:
        return np.zeros(0, dtype=np.int64)
    new_group = np.ones(ticket.size, dtype=bool)
    np.not_equal(ticket[1:], ticket[:-1], out=new_group[1:])
    if new_group.all():  # one instance per ticket (first reply, resolution, ...)
        return np.zeros(ticket.size, dtype=np.int64)
    rows = np.arange(ticket.size, dtype=np.int64)
    return rows - np.maximum.accumulate(np.where(new_group, rows, 0))


def _assemble(
    parts: list[dict[str, Any]],
    batch: TicketBatch,
    policies: SlaPolicySet,
    as_of: float,
    policy_of: IntArray | None = None,
) -> SlaOutcomes:
    n = len(batch)
    if policy_of is None:
        policy_of = np.full(n, -1, dtype=np.int64)
    kept = [
        {k: v for k, v in p.items() if k != "keep"}
        if p["keep"].all()
        else {k: v[p["keep"]] for k, v in p.items() if k != "keep"}
        for p in parts
    ]
    covered = np.zeros(n, dtype=bool)
    for part in kept:
        covered[part["ticket"]] = True
    # Ticket-level rows: every ticket without an instance says why.
    lonely = np.flatnonzero(~covered)
    why = np.where(
        policy_of[lonely] < 0,
        NO_POLICY,
        np.where(batch.created_at[lonely] > as_of, NOT_STARTED, NO_TARGET),
    )
    k = lonely.size
    kept.append(
        {
            "ticket": lonely.astype(np.int64),
            "metric": np.full(k, -1, dtype=np.int32),
            "priority": batch.priority[lonely].astype(np.int32),
            "business_hours": np.zeros(k, dtype=bool),
            "target": np.full(k, np.nan),
            "start_at": batch.created_at[lonely],
            "due_at": np.full(k, np.nan),
            "completed_at": np.full(k, np.nan),
            "completion": np.full(k, -1, dtype=np.int32),
            "status": why.astype(np.int32),
            "business_time_used": np.full(k, np.nan),
            "time_left": np.full(k, np.nan),
        }
    )
    # Rows by metric (canonical order), then ticket, then start, as the parts
    # come: each is already ordered by ticket and start, so no sort is needed.
    for part in kept[:-1]:
        part["instance"] = _instance_numbers(part["ticket"])
    kept[-1]["instance"] = np.full(k, -1, dtype=np.int64)
    data = {name: np.concatenate([p[name] for p in kept]) for name in kept[0]}
    ticket = data["ticket"]
    metric = data["metric"]
    instance = data["instance"]
    if len(policies) == 1 and bool((policy_of == 0).all()):
        policy_codes = np.zeros(ticket.size, dtype=np.int32)
    else:
        policy_codes = policy_of[ticket].astype(np.int32)
    columns: dict[str, Any] = {
        # Codes into the ids: no per-row string gather until the column is read.
        "ticket_id": Categorical(ticket.astype(np.int32), tuple(batch.ids.tolist())),
        "ticket": ticket,
        "policy": Categorical(policy_codes, tuple(p.name for p in policies.policies)),
        "metric": Categorical(metric, SLA_METRICS),
        "instance": instance,
        "priority": Categorical(data["priority"].astype(np.int32, copy=False), PRIORITIES),
        "channel": batch.channel.take(ticket),
        "business_hours": data["business_hours"],
        "target": data["target"],
        "start_at": data["start_at"],
        "due_at": data["due_at"],
        "completed_at": data["completed_at"],
        "completion": Categorical(data["completion"], COMPLETIONS),
        "status": Categorical(data["status"], OUTCOME_STATUSES),
        "business_time_used": data["business_time_used"],
        "time_left": data["time_left"],
    }
    return SlaOutcomes(columns, as_of)
