"""Definitions: the rules helpdesks disagree on, as one immutable value with presets.

Every ticket metric reads its rules from a :class:`Definitions` value: which
messages count as replies, how agent-created tickets are measured, what
first-contact resolution means, and which period a value belongs to. The presets
reproduce the major helpdesks (see ``docs/concepts/definitions.md`` for the table
and the source of each rule).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PRESETS", "Definitions"]

AgentCreated = Literal["second_reply", "from_creation", "exclude"]
FcrRule = Literal[
    "one_touch",
    "exactly_one_reply",
    "no_customer_follow_up",
    "closed_once_one_agent",
    "repeat_contact",
]
Attribution = Literal["created", "event"]


class Definitions(BaseModel):
    """The rules a ticket metric follows. Immutable and hashable.

    Parameters
    ----------
    count_bots : bool, default=False
        Whether public bot messages count as replies (Chatwoot can count them for
        its waiting time; Zendesk never does).
    count_internal_notes : bool, default=False
        Whether internal notes (``public=False``) by agents count as replies (a
        Zammad console option).
    count_automated : bool, default=False
        Whether automated messages (triggers, autoresponders, campaigns, survey
        requests) count as replies. No helpdesk counts them.
    count_calls : bool, default=True
        Whether an answered call on the ticket counts as a reply (Zammad counts
        phone articles).
    agent_created : {"second_reply", "from_creation", "exclude"}, default="second_reply"
        First reply of a ticket opened by an agent (or the system):
        ``"second_reply"`` ends it at the second public agent reply (Zendesk: the
        agent's opening message is not a reply); ``"from_creation"`` takes the first
        reply (Zammad, Chatwoot: often close to zero); ``"exclude"`` leaves such
        tickets out of first-reply time (counted as excluded).
    fcr_rule : str, default="exactly_one_reply"
        When a resolved ticket counts as resolved on first contact:
        ``"exactly_one_reply"`` (Zendesk one-touch, current wording: exactly one
        public agent reply, never reopened); ``"one_touch"`` (Zendesk's older
        formula: at most one reply); ``"no_customer_follow_up"`` (Freshdesk: no
        customer message after the first); ``"closed_once_one_agent"`` (Intercom:
        resolved once, by one agent); ``"repeat_contact"`` (contact centres: the
        same customer opens no other ticket within ``repeat_contact_days``).
    repeat_contact_days : float, default=7
        Window of the ``"repeat_contact"`` rule, in days.
    attribute_to : {"created", "event"}, default="created"
        Which date a value belongs to when grouped by period: the ticket's creation
        (Zendesk Explore default, Intercom, Frappe) or the event's own time (the
        reply or the solve: Chatwoot).
    resolution_events : {"full", "first", "each"}, default="full"
        Which solve ends a resolution time: the latest (full resolution, Zendesk),
        the first (first resolution), or each solve as its own event measured from
        creation (Chatwoot averages every resolve event).

    Examples
    --------
    >>> Definitions.preset("freshdesk").fcr_rule
    'no_customer_follow_up'
    >>> Definitions(count_bots=True).count_bots, Definitions.preset("zendesk").agent_created
    (True, 'second_reply')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "custom"
    count_bots: bool = False
    count_internal_notes: bool = False
    count_automated: bool = False
    count_calls: bool = True
    agent_created: AgentCreated = "second_reply"
    fcr_rule: FcrRule = "exactly_one_reply"
    repeat_contact_days: float = Field(default=7.0, gt=0)
    attribute_to: Attribution = "created"
    resolution_events: Literal["full", "first", "each"] = "full"

    @classmethod
    def preset(cls, name: str) -> Definitions:
        """Return a named preset: default, zendesk, freshdesk, intercom, zammad, chatwoot.

        Raises
        ------
        ValueError
            For an unknown preset name (the message lists the known ones).
        """
        try:
            return PRESETS[name.lower()]
        except KeyError:
            raise ValueError(
                f"unknown definitions preset {name!r}; choose one of {', '.join(sorted(PRESETS))}"
            ) from None


PRESETS: dict[str, Definitions] = {
    "default": Definitions(name="default"),
    "zendesk": Definitions(name="zendesk"),
    "freshdesk": Definitions(
        name="freshdesk", agent_created="from_creation", fcr_rule="no_customer_follow_up"
    ),
    "intercom": Definitions(
        name="intercom", agent_created="exclude", fcr_rule="closed_once_one_agent"
    ),
    "zammad": Definitions(name="zammad", agent_created="from_creation", count_calls=True),
    "chatwoot": Definitions(
        name="chatwoot",
        agent_created="from_creation",
        count_calls=False,
        attribute_to="event",
        resolution_events="each",
    ),
}
"""The presets by name."""
