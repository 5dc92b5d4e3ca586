"""Definitions: the rules helpdesks disagree on, as one immutable value with presets.

Every ticket metric reads its rules from a :class:`Definitions` value: which
messages count as replies, how tickets opened by an agent are measured, how
reopened tickets are resolved, what first-contact resolution means, and which
period a value belongs to. The presets reproduce the major helpdesks; the table of
every rule under every preset, with the source of each, is in
``docs/concepts/definitions.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxmetrics.exceptions import InvalidParameterError

__all__ = [
    "CHATWOOT",
    "DEFAULT",
    "FCR_FLAG_TAG",
    "FRESHDESK",
    "INTERCOM",
    "PRESETS",
    "ZAMMAD",
    "ZENDESK",
    "ZOHO",
    "Definitions",
    "as_definitions",
]

AgentCreated = Literal["second_reply", "from_creation", "exclude"]
FcrRule = Literal[
    "exactly_one_reply",
    "one_touch",
    "one_touch_messaging",
    "no_customer_follow_up",
    "closed_once_one_agent",
    "repeat_contact",
    "first_solution",
    "flagged",
]
FirstReplyFrom = Literal["creation", "handoff"]
ResolutionEvents = Literal["full", "first", "each"]
Attribution = Literal["created", "event"]

FCR_FLAG_TAG = "fcr_flag"
"""The tag the ``"flagged"`` FCR rule reads by default (``read_event_log(fcr_flag=...)`` sets it)."""


class Definitions(BaseModel):
    """The rules a ticket metric follows. Immutable, hashable and picklable.

    Attributes
    ----------
    name : str, default="custom"
        A label (the preset's name for presets); not a rule.
    count_bots : bool, default=False
        Whether public messages by a bot count as replies. No preset counts them for
        response times (Zendesk: "automated or bot-related actions aren't
        considered"; Chatwoot only lets bot replies reset its waiting clock).
    count_internal_notes : bool, default=False
        Whether internal notes (``public=False``) by agents count as replies (a
        Zammad console option; Zendesk counts a private note only under a private
        ticket-sharing agreement).
    count_automated : bool, default=False
        Whether automated agent messages (triggers, autoresponders, campaigns,
        survey requests) count as replies. No helpdesk counts them.
    count_calls : bool, default=True
        Whether an answered call on the ticket counts as a reply (Zammad counts
        phone articles; a Chatwoot fork does not). Abandoned calls never count.
    agent_created : {"second_reply", "from_creation", "exclude"}, default="second_reply"
        Tickets opened by an agent or the system, whose first message is the
        agent's own: ``"second_reply"`` does not count that opening message as a
        reply, so first reply time ends at the next one (Zendesk);
        ``"from_creation"`` counts it (Zammad, Chatwoot: first reply time near 0);
        ``"exclude"`` leaves such tickets out of first reply time (counted in
        ``details["excluded"]``) and does not count the opening message either.
        Customer-opened tickets wait from their creation; agent-opened ones wait
        from the customer's first message (except under ``"from_creation"``).
    resolution_events : {"full", "first", "each"}, default="full"
        Which solve a resolution time ends at, for reopened tickets: the latest
        (full resolution: Zendesk's default, Zammad's close time), the first (first
        resolution: Zendesk, never recalculated after a reopen), or each solve as
        its own event measured from creation (Chatwoot averages every
        ``conversation_resolved`` event, so a reopened ticket counts several
        times).
    fcr_rule : str, default="exactly_one_reply"
        When a resolved ticket counts as resolved on first contact:

        - ``"exactly_one_reply"``: exactly one public agent reply (Zendesk
          one-touch, current wording; Zoho Desk);
        - ``"one_touch"``: at most one (Zendesk's older Explore formula, zero
          replies included);
        - ``"one_touch_messaging"``: at least one reply, never pending or on-hold,
          never reopened (Zendesk messaging one-touch);
        - ``"no_customer_follow_up"``: no customer message after the one that
          opened the ticket, however many agent replies (Freshdesk/Freshservice);
        - ``"closed_once_one_agent"``: solved exactly once, with exactly one
          replying agent (Intercom);
        - ``"repeat_contact"``: the same customer opens no other ticket within
          ``repeat_contact_days`` of this one's creation (contact centres);
        - ``"first_solution"``: first solved or closed less than
          ``first_solution_minutes`` after creation (Zammad's "First Solution"
          report: ``close_at - 15 minutes < created_at``);
        - ``"flagged"``: the ticket carries the tag ``fcr_flag_tag`` (a log's own
          first-contact-resolution column, read by ``read_event_log(fcr_flag=...)``).
    repeat_contact_days : float, default=7
        Window of the ``"repeat_contact"`` rule, in days (> 0).
    first_solution_minutes : float, default=15
        Window of the ``"first_solution"`` rule, in minutes (> 0).
    fcr_flag_tag : str, default="fcr_flag"
        The tag of the ``"flagged"`` rule.
    first_reply_from : {"creation", "handoff"}, default="creation"
        Where first reply time starts: the ticket's creation (or, for agent-opened
        tickets, what ``agent_created`` says), or ``"handoff"``: the latest change
        into ``open`` from ``pending`` (a bot handing over) or from a resolved
        status (a reopen) before the first reply, else the creation (Chatwoot's
        ``last_non_human_activity``).
    reply_excludes_closed : bool, default=False
        Subtract the time spent solved or closed from every reply time (first and
        next): Zoho Desk's response times, "minus the duration of the ticket in
        Closed status".
    attribute_to : {"created", "event"}, default="created"
        Which instant a value belongs to when a metric is restricted to a
        ``period``: the ticket's creation (Zendesk Explore default, Intercom,
        Frappe), or the event that completes the value (the reply for reply
        times, the solve for resolution times and FCR: Chatwoot, Freshdesk's
        "resolved in period").

    Examples
    --------
    >>> Definitions.preset("freshdesk").fcr_rule
    'no_customer_follow_up'
    >>> Definitions(count_bots=True).count_bots, Definitions.preset("zendesk").agent_created
    (True, 'second_reply')
    >>> ZENDESK.model_copy(update={"fcr_rule": "one_touch"}).fcr_rule
    'one_touch'
    >>> len({Definitions(), Definitions()})    # hashable: equal values, one key
    1
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "custom"
    count_bots: bool = False
    count_internal_notes: bool = False
    count_automated: bool = False
    count_calls: bool = True
    agent_created: AgentCreated = "second_reply"
    resolution_events: ResolutionEvents = "full"
    fcr_rule: FcrRule = "exactly_one_reply"
    repeat_contact_days: float = Field(default=7.0, gt=0)
    attribute_to: Attribution = "created"
    first_solution_minutes: float = Field(default=15.0, gt=0)
    fcr_flag_tag: str = FCR_FLAG_TAG
    first_reply_from: FirstReplyFrom = "creation"
    reply_excludes_closed: bool = False

    @classmethod
    def preset(cls, name: str) -> Definitions:
        """Return a named preset: default, zendesk, freshdesk, intercom, zammad, chatwoot, zoho.

        Raises
        ------
        InvalidParameterError
            For an unknown preset name (the message lists the known ones).

        Examples
        --------
        >>> Definitions.preset("Chatwoot").resolution_events
        'each'
        >>> Definitions.preset("helpscout")
        Traceback (most recent call last):
        ...
        cxmetrics.exceptions.InvalidParameterError: unknown definitions preset 'helpscout'; choose one of chatwoot, default, freshdesk, intercom, zammad, zendesk, zoho
        """
        try:
            return PRESETS[name.lower()]
        except KeyError:
            raise InvalidParameterError(
                f"unknown definitions preset {name!r}; choose one of {', '.join(sorted(PRESETS))}"
            ) from None


def as_definitions(value: Any) -> Any:
    """Turn a preset name into its :class:`Definitions` (a pydantic ``before`` validator).

    Anything else is returned as is, for pydantic to check.

    Examples
    --------
    >>> as_definitions("zammad").name
    'zammad'
    """
    if isinstance(value, str):
        if value.lower() not in PRESETS:
            raise InvalidParameterError(
                f"a Definitions or a preset name ({', '.join(sorted(PRESETS))}); "
                f"unknown definitions preset {value!r}"
            )
        return PRESETS[value.lower()]
    return value


DEFAULT = Definitions(name="default")
"""Zendesk's native metrics: the most widely documented definitions."""
ZENDESK = Definitions(name="zendesk")
"""Zendesk Support native metrics and Explore one-touch (current wording)."""
FRESHDESK = Definitions(
    name="freshdesk",
    agent_created="from_creation",
    fcr_rule="no_customer_follow_up",
    attribute_to="event",
)
"""Freshdesk Analytics: FCR by customer follow-ups; resolved counted in the period resolved."""
INTERCOM = Definitions(name="intercom", agent_created="exclude", fcr_rule="closed_once_one_agent")
"""Intercom reporting: outbound conversations excluded; closed once by one teammate."""
ZAMMAD = Definitions(name="zammad", agent_created="from_creation", fcr_rule="first_solution")
"""Zammad: first article by an agent (calls included); "First Solution": closed within 15 minutes."""
CHATWOOT = Definitions(
    name="chatwoot",
    agent_created="from_creation",
    count_calls=False,
    resolution_events="each",
    attribute_to="event",
    first_reply_from="handoff",
)
"""Chatwoot reports: an event per resolve, each attributed to the event's own date; first
response from the bot handoff."""
ZOHO = Definitions(name="zoho", reply_excludes_closed=True)
"""Zoho Desk: one reply resolves on first contact; reply times leave out time spent closed."""

PRESETS: dict[str, Definitions] = {
    d.name: d for d in (DEFAULT, ZENDESK, FRESHDESK, INTERCOM, ZAMMAD, CHATWOOT, ZOHO)
}
"""The presets by name."""
