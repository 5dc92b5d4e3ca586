"""The support ticket record and its histories (status, assignment, priority)."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any, Literal, get_args

from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import Self

from cxmetrics.models._base import Record, RecordId, UtcDatetime
from cxmetrics.models.interaction import Call, Interaction, Message

__all__ = [
    "Assignment",
    "CreatedBy",
    "Priority",
    "PriorityChange",
    "StatusChange",
    "Ticket",
    "TicketStatus",
]

TicketStatus = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
"""Status categories. ``solved`` may reopen; ``closed`` is final."""

Priority = Literal["low", "normal", "high", "urgent"]
"""Ticket priorities, lowest first."""

CreatedBy = Literal["customer", "agent", "system"]
"""Who opened the ticket: the requester, an agent on their behalf, or an automation."""

TICKET_STATUSES: tuple[str, ...] = get_args(TicketStatus)
PRIORITIES: tuple[str, ...] = get_args(Priority)
RESOLVED_STATUSES = frozenset({"solved", "closed"})


class StatusChange(Record):
    """The ticket entered ``status`` at instant ``at``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> StatusChange(at=datetime(2024, 3, 1, 10, tzinfo=timezone.utc), status="pending").status
    'pending'
    """

    at: UtcDatetime
    status: TicketStatus


class Assignment(Record):
    """The ticket was assigned to ``agent_id`` and/or ``group`` at instant ``at``.

    Each assignment after the first is a transfer (an assignee or group "station").

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> Assignment(at=datetime(2024, 3, 1, tzinfo=timezone.utc), group="billing").group
    'billing'
    """

    at: UtcDatetime
    agent_id: RecordId | None = None
    group: str | None = None


class PriorityChange(Record):
    """The ticket's priority became ``priority`` at instant ``at``.

    SLA targets follow priority changes (see the SLA guide).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> PriorityChange(at=datetime(2024, 3, 1, tzinfo=timezone.utc), priority="urgent").priority
    'urgent'
    """

    at: UtcDatetime
    priority: Priority


def _history_error(code: str, template: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(code, template, context)


class Ticket(Record):
    """A support ticket, as a flat export or with its full history.

    A flat export gives the milestones ``first_reply_at`` and ``solved_at``; a full
    history gives ``interactions`` (messages and calls), ``status_changes``,
    ``assignments`` and ``priority_changes``. Both may be given, and must then agree.

    Attributes
    ----------
    id : str
        Unique ticket identifier (integers are stored as strings).
    created_at : datetime
        When the ticket was created. Timezone-aware; stored in UTC.
    channel : str, default="email"
        How the ticket arrived: ``"email"``, ``"web"``, ``"chat"``, ``"phone"``…
    priority : {"low", "normal", "high", "urgent"} or None
        Current priority. When ``priority_changes`` is given and ``priority`` is not,
        it is taken from the last change.
    status : {"new", "open", "pending", "on_hold", "solved", "closed"}, default="open"
        Current status. When ``status_changes`` is given and ``status`` is not, it is
        taken from the last change.
    customer_id, agent_id, group, segment : str, optional
        Requester, current assignee, current group, customer segment.
    tags : tuple of str
        Free-form labels (``"complaint"``, ``"vip"``…).
    created_by : {"customer", "agent", "system"}, default="customer"
        Who opened the ticket. Agent-created tickets are measured by the rule chosen
        in :class:`~cxmetrics.Definitions`.
    interactions : tuple of Message or Call
        Messages and live contacts, sorted by time on validation.
    status_changes, assignments, priority_changes : tuple
        Histories, sorted by time on validation.
    first_reply_at, solved_at : datetime, optional
        Flat milestones. ``solved_at`` is the latest solve.

    Notes
    -----
    Validation rejects: naive datetimes; an interaction, status change, assignment,
    priority change, first reply or solve before ``created_at``; a status history
    that leaves ``closed`` (closed tickets are final; a follow-up is a new ticket);
    a ``status`` or ``priority`` that contradicts the last change of its history; a
    ``first_reply_at`` that is not the time of an agent interaction in
    ``interactions``; a ``solved_at`` that is not a solve in ``status_changes``.
    Histories are sorted by time (stably), so the order they arrive in does not
    matter.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> t = Ticket(id=1, created_at=t0, status_changes=[
    ...     StatusChange(at=t0.replace(hour=11), status="solved")])
    >>> t.id, t.status
    ('1', 'solved')
    >>> Ticket(id="T-2", created_at=t0, solved_at=t0.replace(hour=8))
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Ticket
    ...
    """

    id: RecordId
    created_at: UtcDatetime
    channel: str = "email"
    priority: Priority | None = None
    status: TicketStatus = "open"
    customer_id: RecordId | None = None
    agent_id: RecordId | None = None
    group: str | None = None
    segment: str | None = None
    tags: tuple[str, ...] = ()
    created_by: CreatedBy = "customer"
    interactions: tuple[Interaction, ...] = ()
    status_changes: tuple[StatusChange, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    priority_changes: tuple[PriorityChange, ...] = ()
    first_reply_at: UtcDatetime | None = None
    solved_at: UtcDatetime | None = None

    @field_validator("interactions", "status_changes", "assignments", "priority_changes")
    @classmethod
    def _sort_by_time(cls, value: tuple[Any, ...]) -> tuple[Any, ...]:
        # Exports list events in arbitrary order; sorted() is stable, so events at
        # the same instant keep the order they were given in.
        return tuple(sorted(value, key=lambda event: event.at))

    @model_validator(mode="after")
    def _check_history(self) -> Self:
        self._check_not_before_creation()
        self._check_status_history()
        self._check_priority_history()
        self._check_milestones()
        return self

    def _check_not_before_creation(self) -> None:
        created = self.created_at
        for field in ("interactions", "status_changes", "assignments", "priority_changes"):
            for index, event in enumerate(getattr(self, field)):
                if event.at < created:
                    raise _history_error(
                        "before_creation",
                        "{field}[{index}].at ({at}) is before created_at ({created}); "
                        "an event cannot precede the ticket",
                        field=field,
                        index=index,
                        at=event.at.isoformat(),
                        created=created.isoformat(),
                    )
        for field in ("first_reply_at", "solved_at"):
            at = getattr(self, field)
            if at is not None and at < created:
                raise _history_error(
                    "before_creation",
                    "{field} ({at}) is before created_at ({created})",
                    field=field,
                    at=at.isoformat(),
                    created=created.isoformat(),
                )

    def _check_status_history(self) -> None:
        changes = self.status_changes
        if not changes:
            return
        for index, (previous, current) in enumerate(pairwise(changes), start=1):
            if previous.status == "closed" and current.status != "closed":
                raise _history_error(
                    "invalid_status_sequence",
                    "status_changes[{index}] moves a closed ticket to '{status}' at {at}; "
                    "closed is final (a follow-up must be a new ticket)",
                    field="status_changes",
                    index=index,
                    status=current.status,
                    at=current.at.isoformat(),
                )
        last = changes[-1].status
        if "status" not in self.model_fields_set:
            object.__setattr__(self, "status", last)
        elif self.status != last:
            raise _history_error(
                "status_contradicts_history",
                "status '{status}' contradicts status_changes, whose last change "
                "({at}) is to '{last}'; give the matching status or omit it",
                field="status",
                status=self.status,
                at=changes[-1].at.isoformat(),
                last=last,
            )

    def _check_priority_history(self) -> None:
        changes = self.priority_changes
        if not changes:
            return
        last = changes[-1].priority
        if "priority" not in self.model_fields_set:
            object.__setattr__(self, "priority", last)
        elif self.priority != last:
            raise _history_error(
                "priority_contradicts_history",
                "priority '{priority}' contradicts priority_changes, whose last change "
                "({at}) is to '{last}'; give the matching priority or omit it",
                field="priority",
                priority=self.priority,
                at=changes[-1].at.isoformat(),
                last=last,
            )

    def _check_milestones(self) -> None:
        if self.first_reply_at is not None and self.interactions:
            agent_times = [event.at for event in self.interactions if _is_agent_touch(event)]
            if self.first_reply_at not in agent_times:
                earliest = min(agent_times).isoformat() if agent_times else "none"
                raise _history_error(
                    "milestone_contradicts_history",
                    "first_reply_at ({at}) is not the time of any public agent or bot "
                    "interaction in interactions (earliest: {earliest}); fix the history "
                    "or omit first_reply_at",
                    field="first_reply_at",
                    at=self.first_reply_at.isoformat(),
                    earliest=earliest,
                )
        if self.solved_at is not None and self.status_changes:
            solves = [c.at for c in self.status_changes if c.status in RESOLVED_STATUSES]
            if self.solved_at not in solves:
                latest = max(solves).isoformat() if solves else "none"
                raise _history_error(
                    "milestone_contradicts_history",
                    "solved_at ({at}) is not the time of any change to solved or closed "
                    "in status_changes (latest: {latest}); fix the history or omit "
                    "solved_at",
                    field="solved_at",
                    at=self.solved_at.isoformat(),
                    latest=latest,
                )

    @property
    def is_resolved(self) -> bool:
        """Whether the ticket is currently solved or closed."""
        return self.status in RESOLVED_STATUSES

    @property
    def messages(self) -> tuple[Message, ...]:
        """The written messages among ``interactions``, in time order."""
        return tuple(e for e in self.interactions if isinstance(e, Message))

    @property
    def calls(self) -> tuple[Call, ...]:
        """The live contacts among ``interactions``, in time order."""
        return tuple(e for e in self.interactions if isinstance(e, Call))

    def last_event_at(self) -> datetime:
        """The latest instant known for the ticket (creation or any history event)."""
        times = [self.created_at]
        for field in ("interactions", "status_changes", "assignments", "priority_changes"):
            events = getattr(self, field)
            if events:
                times.append(events[-1].at)
        times.extend(t for t in (self.first_reply_at, self.solved_at) if t is not None)
        return max(times)


def _is_agent_touch(event: Message | Call) -> bool:
    if isinstance(event, Call):
        return not event.abandoned
    return event.public and event.author in ("agent", "bot")
