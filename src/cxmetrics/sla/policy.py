"""SLA policies as immutable data: targets, policies and ordered policy sets.

A :class:`SlaTarget` says how long one metric may take (optionally for one
priority); a :class:`SlaPolicy` groups targets with the calendar they count in and
the statuses that pause the pausable clocks; a :class:`SlaPolicySet` chooses the
policy of each ticket, first match wins. All three are frozen pydantic models:
hashable, picklable, comparable, and validated once at construction. The rules
they encode are described in ``docs/sla.md``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, field_validator

from cxmetrics.exceptions import SlaError
from cxmetrics.models.ticket import PRIORITIES, Priority

__all__ = [
    "PAUSABLE_STATUSES",
    "SLA_METRICS",
    "SLA_PRESETS",
    "SlaCondition",
    "SlaMetric",
    "SlaPolicy",
    "SlaPolicySet",
    "SlaTarget",
    "as_policy_set",
]

# An ISO 8601 duration without months or years (those have no fixed length).
_ISO_DURATION = re.compile(
    r"-?P(?:\d+(?:[.,]\d+)?W)?(?:\d+(?:[.,]\d+)?D)?(?:T(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?"
)
# Also read by pydantic: seconds, and clock durations ("04:00:00", "1 day, 04:00:00").
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?|(?:\d+ DAYS?,? )?\d+:\d{2}(?::\d{2}(?:\.\d+)?)?")

SlaMetric = Literal[
    "first_reply",
    "next_reply",
    "periodic_update",
    "pausable_update",
    "resolution",
    "requester_wait",
    "agent_work",
]
"""The SLA metrics (see ``docs/sla.md`` for when each starts, stops and pauses)."""

SLA_METRICS: tuple[str, ...] = get_args(SlaMetric)

PAUSABLE_STATUSES: tuple[str, ...] = ("new", "open", "pending", "on_hold")
"""Statuses a policy may pause in; ``solved`` and ``closed`` complete a target instead."""

# The metrics whose clock pauses in the policy's pause statuses. The others follow
# their definition: replies and periodic updates never pause; requester wait
# counts new, open and on-hold (pauses in pending); agent work counts new and open.
POLICY_PAUSED_METRICS = frozenset({"pausable_update", "resolution"})
# First and next replies pause only in the policy's ``reply_pause_statuses``
# (none by default).
REPLY_PAUSED_METRICS = frozenset({"first_reply", "next_reply"})
FIXED_PAUSES: dict[str, tuple[str, ...]] = {
    "periodic_update": (),
    "requester_wait": ("pending",),
    "agent_work": ("pending", "on_hold"),
}


def _model_config() -> ConfigDict:
    return ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class _PositionalModel(BaseModel):
    """A frozen model whose leading fields may also be given by position."""

    def __init__(self, *args: Any, **data: Any) -> None:
        names = list(type(self).model_fields)
        if len(args) > len(names):
            raise TypeError(
                f"{type(self).__name__} takes at most {len(names)} positional arguments "
                f"({', '.join(names)}); got {len(args)}"
            )
        for name, value in zip(names, args, strict=False):
            if name in data:
                raise TypeError(f"{type(self).__name__} got {name!r} twice")
            data[name] = value
        super().__init__(**self._before(data))
        # Cross-field rules raise SlaError themselves: inside a pydantic validator
        # they would be wrapped into a ValidationError and lose their type.
        self._check()

    @classmethod
    def _before(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Prepare the keyword arguments before validation (unchanged by default)."""
        return data

    def _check(self) -> None:
        """Check rules spanning several fields (none by default)."""


class SlaTarget(_PositionalModel):
    """How long one SLA metric may take, for one priority or for all.

    Attributes
    ----------
    metric : {"first_reply", "next_reply", "periodic_update", "pausable_update", \
"resolution", "requester_wait", "agent_work"}
        The clock the target applies to.
    within : timedelta, number of seconds or ISO 8601 duration string
        The target; must be positive (``"PT4H"``, ``14400`` and
        ``timedelta(hours=4)`` are the same target).
    priority : {"low", "normal", "high", "urgent"} or None, default=None
        The priority the target is for; ``None`` is the default for every priority
        without a target of its own (and for tickets without a priority).
    business_hours : bool, default=True
        Count in the business time of the policy's calendar; ``False`` counts
        calendar (wall-clock) time.

    Raises
    ------
    pydantic.ValidationError
        For an unknown metric or priority, or a ``within`` that is not positive.

    Examples
    --------
    >>> SlaTarget(metric="first_reply", within="PT4H", priority="high").within
    datetime.timedelta(seconds=14400)
    >>> SlaTarget(metric="resolution", within=0)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for SlaTarget
    within
      Value error, within must be a positive duration (e.g. "PT4H" or 14400 seconds), got 0:00:00 ...
    """

    model_config = _model_config()

    metric: SlaMetric
    within: timedelta
    priority: Priority | None = None
    business_hours: bool = True

    @field_validator("within", mode="before")
    @classmethod
    def _check_iso(cls, within: Any) -> Any:
        # Months and years have no fixed length: pydantic reads "P1M" as 30 days.
        if isinstance(within, str):
            text = within.strip().upper()
            date_part = text.split("T", 1)[0]
            if text.startswith("P") and ("M" in date_part or "Y" in date_part):
                raise ValueError(
                    f"within {within!r} counts months or years, which have no fixed length; "
                    'give days instead, e.g. "P30D", or hours, e.g. "PT4H"'
                )
            if not _ISO_DURATION.fullmatch(text) and not _NUMBER.fullmatch(text):
                raise ValueError(
                    f'within {within!r} is not an ISO 8601 duration; write e.g. "PT4H" '
                    '(4 hours), "PT30M" (30 minutes), "P2D" (2 days) or a number of seconds'
                )
        return within

    @field_validator("within")
    @classmethod
    def _check_positive(cls, within: timedelta) -> timedelta:
        if within <= timedelta(0):
            raise ValueError(
                f'within must be a positive duration (e.g. "PT4H" or 14400 seconds), got {within}'
            )
        return within

    @property
    def seconds(self) -> float:
        """The target in seconds."""
        return self.within.total_seconds()


class SlaCondition(BaseModel):
    """Which tickets a policy applies to: every given field must match.

    Each field lists the accepted values (any of them matches); ``None`` accepts
    every ticket. Conditions read the ticket's current attributes: ``channel``,
    ``priority`` (the current one; ``None`` in the list matches tickets without a
    priority), ``group``, ``segment`` (the customer segment), and ``tags`` (the
    ticket has at least one of them).

    Examples
    --------
    >>> SlaCondition(channel=["chat", "phone"], tags=["vip"]).channel
    ('chat', 'phone')
    >>> SlaCondition().matches_everything
    True
    """

    model_config = _model_config()

    channel: tuple[str, ...] | None = None
    priority: tuple[Priority | None, ...] | None = None
    group: tuple[str, ...] | None = None
    segment: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None

    @field_validator("channel", "group", "segment", "tags", "priority", mode="before")
    @classmethod
    def _one_value_is_a_list(cls, value: Any) -> Any:
        # A bare string is one value, not a sequence of characters.
        if isinstance(value, str):
            return (value,)
        return value

    @property
    def matches_everything(self) -> bool:
        """Whether the condition accepts every ticket."""
        return all(getattr(self, name) is None for name in type(self).model_fields)


class SlaPolicy(_PositionalModel):
    """A named set of SLA targets counted on one calendar, with its pause statuses.

    Attributes
    ----------
    name : str
        Shown in every outcome row.
    calendar : BusinessCalendar, CalendarHistory, CalendarRule or None, default=None
        The business calendar targets with ``business_hours=True`` count in (a
        ``CalendarRule`` gives each ticket its own); ``None`` counts every target
        in calendar time. Any object with the
        calendar's vectorised ``business_seconds(starts, ends)`` and
        ``add_business_seconds(starts, seconds)`` works.
    targets : sequence of SlaTarget
        At most one target per (metric, priority); all the targets of one metric
        use the same clock (business or calendar time).
    pause_statuses : sequence of str, default=("pending",)
        Statuses that stop the ``pausable_update`` and ``resolution`` clocks; the
        other metrics pause by their definition (see ``docs/sla.md``). One of
        ``new``, ``open``, ``pending``, ``on_hold``.
    conditions : SlaCondition, default=SlaCondition()
        Which tickets the policy applies to in a :class:`SlaPolicySet`.
    reply_pause_statuses : sequence of str, default=()
        Statuses that stop the ``first_reply`` and ``next_reply`` clocks (Zammad,
        Znuny/OTRS: ``("pending",)``). By default reply clocks never pause
        (Zendesk). Same choices as ``pause_statuses``.
    first_reply_survives_solve : bool, default=False
        When true the first-reply target is completed only by an agent reply: a
        solve before any reply stops its clock (solved time never counts) and a
        reopen resumes it (Zammad). When false a solve completes it (Zendesk).

    Raises
    ------
    SlaError
        For an empty name, no targets, two targets for the same (metric,
        priority), mixed clocks within one metric, an unknown pause status, or a
        calendar that never opens.

    Examples
    --------
    >>> policy = SlaPolicy(
    ...     name="standard",
    ...     targets=[
    ...         SlaTarget(metric="first_reply", within="PT8H"),
    ...         SlaTarget(metric="first_reply", within="PT1H", priority="urgent"),
    ...     ],
    ... )
    >>> policy.target_for("first_reply", "urgent").within, policy.target_for("first_reply", "low").within
    (datetime.timedelta(seconds=3600), datetime.timedelta(seconds=28800))
    >>> policy.pauses("resolution"), policy.pauses("agent_work"), policy.pauses("first_reply")
    (('pending',), ('pending', 'on_hold'), ())
    >>> SlaPolicy(name="x", targets=[SlaTarget(metric="resolution", within=60)],
    ...           pause_statuses=["waiting"])
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.SlaError: policy 'x': pause status 'waiting' does not exist; ...
    """

    model_config = _model_config()

    name: str
    calendar: Any = None
    targets: tuple[SlaTarget, ...]
    pause_statuses: tuple[str, ...] = ("pending",)
    conditions: SlaCondition = SlaCondition()
    reply_pause_statuses: tuple[str, ...] = ()
    first_reply_survives_solve: bool = False

    @field_validator("pause_statuses", "reply_pause_statuses", mode="before")
    @classmethod
    def _one_status_is_a_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return (value,)
        return value

    def _check(self) -> None:
        who = f"policy {self.name!r}"
        if not self.name.strip():
            raise SlaError("an SLA policy needs a non-empty name")
        if not self.targets:
            raise SlaError(f"{who} has no targets; give at least one SlaTarget")
        seen: dict[tuple[str, str | None], SlaTarget] = {}
        clocks: dict[str, bool] = {}
        for target in self.targets:
            key = (target.metric, target.priority)
            if key in seen:
                raise SlaError(
                    f"{who} has two targets for metric {target.metric!r} and priority "
                    f"{target.priority!r} ({seen[key].within} and {target.within}); "
                    "keep one"
                )
            seen[key] = target
            clock = clocks.setdefault(target.metric, target.business_hours)
            if clock != target.business_hours:
                raise SlaError(
                    f"{who} mixes business-hours and calendar-time targets for metric "
                    f"{target.metric!r}; a priority change would make the clock ambiguous, "
                    "so give all its targets the same business_hours"
                )
        for status in (*self.pause_statuses, *self.reply_pause_statuses):
            if status in ("solved", "closed"):
                raise SlaError(
                    f"{who}: {status!r} cannot be a pause status; solving completes a "
                    "target. Pause in one of " + ", ".join(PAUSABLE_STATUSES)
                )
            if status not in PAUSABLE_STATUSES:
                close = difflib.get_close_matches(status, PAUSABLE_STATUSES, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise SlaError(
                    f"{who}: pause status {status!r} does not exist; {hint}valid pause "
                    "statuses are " + ", ".join(PAUSABLE_STATUSES) + " (map custom "
                    "statuses such as 'Wait - User' to one of them when loading)"
                )
        if self.calendar is not None and any(t.business_hours for t in self.targets):
            _check_calendar_opens(self.calendar, who)

    @classmethod
    def preset(
        cls,
        system: str,
        *,
        targets: Iterable[SlaTarget],
        name: str | None = None,
        calendar: Any = None,
        conditions: SlaCondition | None = None,
    ) -> SlaPolicy:
        """A policy whose clocks pause and complete as one helpdesk's do.

        Parameters
        ----------
        system : {"zendesk", "zammad", "znuny", "otrs"}
            ``"zendesk"``: reply clocks never pause, a solve completes the first
            reply, resolution-type clocks pause in pending (the defaults).
            ``"zammad"``: every clock pauses in pending (Zammad's "pending
            reminder" and "pending close" states ignore escalation) and the first
            reply is completed only by an agent reply, surviving a close and
            reopen. ``"znuny"`` (alias ``"otrs"``): first and next replies and the
            resolution pause in pending (the escalation suspend states); a solve
            completes the first reply. See ``docs/sla.md`` for the sources.
        targets : iterable of SlaTarget
            The targets, as for :class:`SlaPolicy`.
        name : str, optional
            Default: the system's name.
        calendar : BusinessCalendar or None, default=None
            As for :class:`SlaPolicy`.
        conditions : SlaCondition, optional
            As for :class:`SlaPolicy`.

        Raises
        ------
        SlaError
            For an unknown system (with a did-you-mean).

        Examples
        --------
        >>> zammad = SlaPolicy.preset("zammad", targets=[SlaTarget("first_reply", "PT1H")])
        >>> zammad.pauses("first_reply"), zammad.first_reply_survives_solve
        (('pending',), True)
        >>> SlaPolicy.preset("otrs", targets=[SlaTarget("first_reply", "PT1H")]).pauses("next_reply")
        ('pending',)
        """
        key = system.strip().lower() if isinstance(system, str) else str(system)
        options = SLA_PRESETS.get(key)
        if options is None:
            close = difflib.get_close_matches(str(system).lower(), list(SLA_PRESETS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise SlaError(
                f"unknown SLA preset {system!r}; {hint}presets are " + ", ".join(SLA_PRESETS)
            )
        return cls(
            name=name if name is not None else key,
            calendar=calendar,
            targets=tuple(targets),
            conditions=conditions if conditions is not None else SlaCondition(),
            **options,
        )

    def target_for(self, metric: str, priority: str | None) -> SlaTarget | None:
        """Return the target of ``metric`` for ``priority`` (its own, else the default).

        Examples
        --------
        >>> SlaPolicy(name="p", targets=[SlaTarget(metric="resolution", within=60,
        ...     priority="high")]).target_for("resolution", "low") is None
        True
        """
        default = None
        for target in self.targets:
            if target.metric == metric:
                if target.priority == priority and priority is not None:
                    return target
                if target.priority is None:
                    default = target
        return default

    def pauses(self, metric: str) -> tuple[str, ...]:
        """Return the statuses that pause ``metric``'s clock under this policy."""
        if metric in POLICY_PAUSED_METRICS:
            return self.pause_statuses
        if metric in REPLY_PAUSED_METRICS:
            return self.reply_pause_statuses
        return FIXED_PAUSES[metric]

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics this policy has targets for, in canonical order."""
        present = {t.metric for t in self.targets}
        return tuple(m for m in SLA_METRICS if m in present)

    def uses_business_hours(self, metric: str) -> bool:
        """Whether ``metric`` counts business time (a calendar and business targets)."""
        return self.calendar is not None and any(
            t.business_hours for t in self.targets if t.metric == metric
        )

    def when(self, **conditions: Any) -> SlaPolicy:
        """Return a copy applying only to tickets matching ``conditions``.

        Examples
        --------
        >>> base = SlaPolicy(name="vip", targets=[SlaTarget(metric="resolution", within=60)])
        >>> base.when(tags="vip").conditions.tags
        ('vip',)
        """
        return self.model_copy(update={"conditions": SlaCondition(**conditions)})


SLA_PRESETS: dict[str, dict[str, Any]] = {
    "zendesk": {
        "pause_statuses": ("pending",),
        "reply_pause_statuses": (),
        "first_reply_survives_solve": False,
    },
    "zammad": {
        "pause_statuses": ("pending",),
        "reply_pause_statuses": ("pending",),
        "first_reply_survives_solve": True,
    },
    "znuny": {
        "pause_statuses": ("pending",),
        "reply_pause_statuses": ("pending",),
        "first_reply_survives_solve": False,
    },
}
"""How each helpdesk pauses and completes its clocks (see :meth:`SlaPolicy.preset`)."""
SLA_PRESETS["otrs"] = SLA_PRESETS["znuny"]


def _check_calendar_opens(calendar: Any, who: str) -> None:
    import numpy as np

    if not hasattr(calendar, "business_seconds"):
        raise SlaError(
            f"{who}: calendar {calendar!r} has no business_seconds(starts, ends); pass a "
            "cxmetrics BusinessCalendar or None for calendar time"
        )
    never = getattr(calendar, "never_open", None)
    if never is None:
        # Other calendars: probe one leap-year-long span (covers any weekly hours).
        start, end = np.array([1704067200.0]), np.array([1735689600.0])
        never = not float(np.asarray(calendar.business_seconds(start, end))[0]) > 0
    if never:
        raise SlaError(
            f"{who}: its calendar never opens, so no due time can be computed; give it "
            "opening hours or use business_hours=False targets"
        )


class SlaPolicySet(_PositionalModel):
    """Ordered SLA policies: each ticket gets the first policy whose conditions match.

    A ticket no policy matches is reported with status ``no_policy``, never
    dropped. A policy without conditions matches every ticket, so put it last as
    the fallback.

    Attributes
    ----------
    policies : sequence of SlaPolicy
        In priority order; names must be unique.

    Examples
    --------
    >>> fast = SlaTarget(metric="first_reply", within="PT1H")
    >>> slow = SlaTarget(metric="first_reply", within="PT8H")
    >>> rules = SlaPolicySet(policies=[
    ...     SlaPolicy(name="chat", targets=[fast]).when(channel="chat"),
    ...     SlaPolicy(name="default", targets=[slow]),
    ... ])
    >>> [p.name for p in rules.policies]
    ['chat', 'default']
    >>> SlaPolicySet(policies=[SlaPolicy(name="a", targets=[fast])] * 2)
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.SlaError: policy names must be unique in a policy set; 'a' appears 2 times
    """

    model_config = _model_config()

    policies: tuple[SlaPolicy, ...]

    @classmethod
    def _before(cls, data: dict[str, Any]) -> dict[str, Any]:
        # Built here rather than in a validator so that their SlaError surfaces as is.
        return {**data, "policies": _build_policies(data.get("policies"))}

    @field_validator("policies", mode="before")
    @classmethod
    def _policies_from_mappings(cls, value: Any) -> Any:
        # Nested validation (e.g. metric parameters read back) does not call
        # __init__; the checks still run, their errors wrapped by pydantic.
        return _build_policies(value)

    def _check(self) -> None:
        if not self.policies:
            raise SlaError("a policy set needs at least one policy")
        names = [p.name for p in self.policies]
        for name in names:
            if names.count(name) > 1:
                raise SlaError(
                    "policy names must be unique in a policy set; "
                    f"{name!r} appears {names.count(name)} times"
                )

    def __len__(self) -> int:
        return len(self.policies)


def _build_policies(value: Any) -> Any:
    """Policies given as mappings (e.g. from JSON) go through SlaPolicy's own checks."""
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
        return tuple(SlaPolicy(**p) if isinstance(p, dict) else p for p in value)
    return value


def as_policy_set(policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy]) -> SlaPolicySet:
    """Return ``policy`` as a policy set (a single policy applies to every ticket).

    Examples
    --------
    >>> p = SlaPolicy(name="p", targets=[SlaTarget(metric="resolution", within=60)])
    >>> len(as_policy_set(p)), as_policy_set([p, p.model_copy(update={"name": "q"})]).policies[1].name
    (1, 'q')
    """
    if isinstance(policy, SlaPolicySet):
        return policy
    if isinstance(policy, SlaPolicy):
        return SlaPolicySet(policies=(policy,))
    if isinstance(policy, (str, bytes)) or not isinstance(policy, Iterable):
        raise SlaError(
            f"expected an SlaPolicy or SlaPolicySet, got {type(policy).__name__}; "
            "build one with SlaPolicy(name=..., targets=[SlaTarget(...)])"
        )
    return SlaPolicySet(policies=tuple(policy))


PRIORITY_CODES: dict[str | None, int] = {None: -1, **{p: i for i, p in enumerate(PRIORITIES)}}
