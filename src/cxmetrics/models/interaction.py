"""Interactions on a ticket: written messages and live contacts (calls, live chats)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Tag, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import Self

from cxmetrics.models._base import Record, RecordId, UtcDatetime

__all__ = ["Author", "Call", "Direction", "Interaction", "Message"]

Author = Literal["customer", "agent", "bot", "system"]
"""Who wrote a message: the customer, a human agent, a bot, or the system itself."""

Direction = Literal["inbound", "outbound"]
"""Whether a live contact was started by the customer (inbound) or by the team."""


class Message(Record):
    """A written message on a ticket: an email, a web or chat message, a note.

    Attributes
    ----------
    at : datetime
        When the message was created (timezone-aware).
    author : {"customer", "agent", "bot", "system"}
        Who wrote it.
    public : bool, default=True
        ``False`` for internal notes, which the customer never sees.
    agent_id : str, optional
        The agent who wrote it, when ``author`` is ``"agent"``.
    automated : bool, default=False
        Sent by a trigger, automation, macro-free autoresponder, campaign or survey
        request. Automated messages never count as replies (see the definitions
        page).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> m = Message(at=datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc), author="agent")
    >>> m.public, m.kind
    (True, 'message')
    """

    kind: Literal["message"] = "message"
    at: UtcDatetime
    author: Author
    public: bool = True
    agent_id: RecordId | None = None
    automated: bool = False


_DURATION_FIELDS = ("wait", "talk", "hold", "wrap")


def _contact_name(contact_id: Any) -> str:
    return "contact" if contact_id is None else f"contact {str(contact_id)!r}"


class Call(Record):
    """A live contact: a phone call, or a chat handled live (``channel="chat"``).

    Attributes
    ----------
    at : datetime
        When the contact arrived (entered the queue, for inbound contacts).
    id : str, optional
        The contact's identifier, used in error messages and for de-duplication.
    customer_id : str, optional
        Who called; needed for repeat-contact first-contact resolution.
    agent_id : str, optional
        The agent who handled it.
    queue : str, optional
        The queue or skill the contact waited in.
    channel : str, default="phone"
        ``"phone"``, ``"chat"``, ``"video"``…
    wait, talk, hold, wrap : timedelta, default=0
        Queue time before answer (or before abandoning), conversation time, hold
        time and after-contact work. Numbers are read as seconds. Never negative.
    abandoned : bool, default=False
        The customer hung up before being answered. An abandoned contact has no
        talk, hold or wrap time.
    transferred : bool, default=False
        The contact was transferred to another agent or queue.
    direction : {"inbound", "outbound"}, default="inbound"

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> c = Call(at=datetime(2024, 3, 1, 9, tzinfo=timezone.utc), wait=20, talk=240, wrap=30)
    >>> c.handle_time.total_seconds()
    270.0
    >>> Call(at=datetime(2024, 3, 1, tzinfo=timezone.utc), abandoned=True, talk=5)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Call
    ...
    """

    kind: Literal["call"] = "call"
    at: UtcDatetime
    id: RecordId | None = None
    customer_id: RecordId | None = None
    agent_id: RecordId | None = None
    queue: str | None = None
    channel: str = "phone"
    wait: timedelta = timedelta(0)
    talk: timedelta = timedelta(0)
    hold: timedelta = timedelta(0)
    wrap: timedelta = timedelta(0)
    abandoned: bool = False
    transferred: bool = False
    direction: Direction = "inbound"

    @field_validator(*_DURATION_FIELDS)
    @classmethod
    def _not_negative(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        # Checked here rather than by the field type so that the message names the contact.
        if value < timedelta(0):
            raise PydanticCustomError(
                "negative_duration",
                "{contact}: {field} duration of {seconds} s is negative; durations must be "
                "zero or more",
                {
                    "contact": _contact_name(info.data.get("id")),
                    "field": info.field_name,
                    "seconds": f"{value.total_seconds():g}",
                },
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _durations_present(cls, data: Any) -> Any:
        # A missing duration is an error, not zero: name the contact so it can be found.
        if isinstance(data, dict):
            missing = [name for name in _DURATION_FIELDS if name in data and data[name] is None]
            if missing:
                raise PydanticCustomError(
                    "missing_duration",
                    "{contact}: {fields} missing (None); give 0 for no time",
                    {"contact": _contact_name(data.get("id")), "fields": ", ".join(missing)},
                )
        return data

    @model_validator(mode="after")
    def _answered_or_abandoned(self) -> Self:
        if self.abandoned and (self.talk or self.hold or self.wrap):
            raise PydanticCustomError(
                "answered_and_abandoned",
                "{contact}: a contact cannot be both abandoned and answered: abandoned=True "
                "but talk={talk}, hold={hold}, wrap={wrap}; set abandoned=False or the "
                "handling times to 0",
                {
                    "contact": _contact_name(self.id),
                    "talk": str(self.talk),
                    "hold": str(self.hold),
                    "wrap": str(self.wrap),
                },
            )
        return self

    @property
    def answered(self) -> bool:
        """Whether the contact was answered (not abandoned)."""
        return not self.abandoned

    @property
    def handle_time(self) -> timedelta:
        """Talk + hold + wrap: the time an agent spent on the contact."""
        return self.talk + self.hold + self.wrap


_CALL_ONLY_FIELDS = frozenset({"wait", "talk", "hold", "wrap", "abandoned", "transferred"})


def _interaction_kind(value: Any) -> str:
    # Rows without an explicit kind are messages, unless they carry call timings.
    if isinstance(value, dict):
        kind = value.get("kind")
        if kind is not None:
            return str(kind)
        return "call" if _CALL_ONLY_FIELDS & value.keys() else "message"
    return str(getattr(value, "kind", "message"))


Interaction = Annotated[
    Union[Annotated[Message, Tag("message")], Annotated[Call, Tag("call")]],  # noqa: UP007
    Discriminator(_interaction_kind),
]
"""A message or a live contact, told apart by their ``kind`` field.

A dict without ``kind`` is read as a call when it has call timings (``talk``,
``wait``…) and as a message otherwise.
"""
