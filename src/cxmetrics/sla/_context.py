"""The evaluation context of SLA evaluation: policies per ticket and per-policy tables.

:func:`assign_policies` gives each ticket its policy; :class:`_Context` gathers
what every metric's evaluation reads: the instant of evaluation, the status
timeline, the clocks, per (policy, metric) the calendar, the targets per
priority and the statuses in which the clock runs, and the priority history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.calendars.rules import CalendarRule
from cxmetrics.definitions import DEFAULT, Definitions
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.sla._clock import Clocks
from cxmetrics.sla._priority import _priority_history
from cxmetrics.sla._timeline import Timeline, build_timeline
from cxmetrics.sla.policy import SLA_METRICS, SlaPolicySet
from cxmetrics.tables.ticket_batch import Categorical, TicketBatch
from cxmetrics.tickets.clocks import ticket_calendars

__all__ = [
    "as_of_seconds",
    "assign_policies",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# clock_of marker: the clock is each ticket's own (the policy's calendar is a CalendarRule).
RULED = -2

_RESOLVED = np.isin(
    np.arange(len(TICKET_STATUSES)), [TICKET_STATUSES.index(s) for s in ("solved", "closed")]
)


def as_of_seconds(as_of: datetime | None, owner: str = "evaluate_sla") -> float:
    """Return ``as_of`` as epoch seconds (now when ``None``); naive instants are refused."""
    if as_of is None:
        return datetime.now(timezone.utc).timestamp()
    if not isinstance(as_of, datetime):
        raise InvalidParameterError(
            f"The 'as_of' parameter of {owner} must be an aware datetime or None. "
            f"Got {as_of!r} instead."
        )
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InvalidParameterError(
            f"The 'as_of' parameter of {owner} must be an aware datetime or None. "
            f"Got the naive {as_of.isoformat()} instead; attach a timezone, e.g. "
            "as_of.replace(tzinfo=timezone.utc)."
        )
    return as_of.timestamp()


def assign_policies(batch: TicketBatch, policies: SlaPolicySet) -> IntArray:
    """Return the index of each ticket's policy in ``policies`` (-1: none matches).

    Ordered evaluation, first match wins; vectorised over tickets (one pass per
    policy and condition field).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaPolicySet, SlaTarget
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> batch = TicketBatch.from_tickets([
    ...     Ticket(id="a", created_at=t0, channel="chat"),
    ...     Ticket(id="b", created_at=t0, tags=["vip"]),
    ...     Ticket(id="c", created_at=t0)])
    >>> target = [SlaTarget("first_reply", 60)]
    >>> rules = SlaPolicySet([SlaPolicy("chat", None, target).when(channel="chat"),
    ...                       SlaPolicy("vip", None, target).when(tags="vip")])
    >>> assign_policies(batch, rules).tolist()
    [0, 1, -1]
    """
    n = len(batch)
    chosen = np.full(n, -1, dtype=np.int64)
    for index, policy in enumerate(policies.policies):
        match = chosen < 0
        cond = policy.conditions
        if cond.channel is not None:
            match &= _in_categorical(batch.channel, cond.channel)
        if cond.group is not None:
            match &= _in_categorical(batch.group, cond.group)
        if cond.segment is not None:
            match &= _in_categorical(batch.segment, cond.segment)
        if cond.priority is not None:
            wanted = [-1 if p is None else PRIORITIES.index(p) for p in cond.priority]
            match &= np.isin(batch.priority, wanted)
        if cond.tags is not None:
            table = batch.tags
            codes = [table["tag"].code_of(t) for t in cond.tags] if len(table) else []
            hit = np.isin(table["tag"].codes, codes) if len(table) else np.zeros(0, bool)
            match &= np.bincount(table.ticket[hit], minlength=n)[:n] > 0
        chosen[match] = index
    return chosen


def _in_categorical(column: Categorical, values: Iterable[str]) -> BoolArray:
    codes = [column.code_of(v) for v in values]
    return np.isin(column.codes, codes)


@dataclass(frozen=True)
class _Context:
    batch: TicketBatch
    as_of: float
    timeline: Timeline
    policies: SlaPolicySet
    policy_of: IntArray
    clocks: Clocks
    # Per (policy, metric): calendar index (-1 = calendar time).
    clock_of: IntArray
    # Per (policy, metric, priority + 1): target seconds (nan = no target).
    targets: FloatArray
    # Per (policy, metric, status): whether the clock runs in that status.
    runs: BoolArray
    # Priority history: segments per ticket (first starts at -inf).
    prio_offsets: IntArray
    prio_ticket: IntArray
    prio_start: FloatArray
    prio_code: npt.NDArray[np.int8]
    # What counts as a reply: the same rules as the ticket metrics.
    definitions: Definitions = DEFAULT
    # Per policy: whether its first reply survives a solve (completed by a reply only).
    survives: BoolArray | None = None
    # Per ticket, for policies whose calendar is a CalendarRule (clock_of == RULED):
    # the index of the ticket's own calendar in ``clocks`` (-1: calendar time).
    ticket_clock: IntArray | None = None

    def clock(self, m: int, tickets: IntArray, pol: IntArray) -> IntArray:
        """The clock (calendar index, -1 for calendar time) of metric ``m`` per row."""
        clock: IntArray = self.clock_of[pol, m]
        if self.ticket_clock is None:
            return clock
        ruled: IntArray = np.where(clock == RULED, self.ticket_clock[tickets], clock)
        return ruled

    def steady(self, m: int) -> bool:
        """Whether metric ``m``'s clock never pauses before its instances end.

        True when it runs in every unsolved status under every policy and its
        instances end at the first solve: then one piece per instance.
        """
        metric = SLA_METRICS[m]
        if metric not in ("first_reply", "next_reply", "periodic_update"):
            return False
        if metric == "first_reply" and self.survives is not None and self.survives.any():
            return False
        return bool((self.runs[:, m] == ~_RESOLVED).all())

    def survives_of(self) -> BoolArray | None:
        """Per ticket: whether its policy keeps the first reply open through a solve."""
        if self.survives is None or not self.survives.any():
            return None
        found: BoolArray = (self.policy_of >= 0) & self.survives[np.maximum(self.policy_of, 0)]
        return found


def _rule_clocks(
    batch: TicketBatch,
    rule: CalendarRule,
    mine: BoolArray,
    calendars: list[Any],
    ticket_clock: IntArray | None,
) -> IntArray:
    """Give the tickets in ``mine`` their clock under ``rule``, adding its calendars."""
    out = np.full(len(batch), -1, dtype=np.int64) if ticket_clock is None else ticket_clock
    rows = np.flatnonzero(mine)
    if not rows.size:
        return out
    for calendar in rule.calendars:
        if calendar not in calendars:
            calendars.append(calendar)
    # Index in the rule -> index in the evaluation's calendars (-1 stays -1).
    to_clock = np.array([calendars.index(c) for c in rule.calendars] + [-1], dtype=np.int64)
    out[rows] = to_clock[ticket_calendars(rule, batch, rows)]
    return out


def _context(
    batch: TicketBatch,
    policies: SlaPolicySet,
    as_of: float,
    definitions: Definitions = DEFAULT,
) -> _Context:
    calendars: list[Any] = []
    n_p, n_m = len(policies), len(SLA_METRICS)
    clock_of = np.full((n_p, n_m), -1, dtype=np.int64)
    targets = np.full((n_p, n_m, len(PRIORITIES) + 1), np.nan)
    runs = np.zeros((n_p, n_m, len(TICKET_STATUSES)), dtype=bool)
    policy_of = assign_policies(batch, policies)
    ticket_clock = None
    for p, policy in enumerate(policies.policies):
        ruled = isinstance(policy.calendar, CalendarRule)
        if ruled:
            ticket_clock = _rule_clocks(
                batch, policy.calendar, policy_of == p, calendars, ticket_clock
            )
        for m, metric in enumerate(SLA_METRICS):
            if ruled and policy.uses_business_hours(metric):
                clock_of[p, m] = RULED
            elif policy.uses_business_hours(metric):
                if policy.calendar not in calendars:
                    calendars.append(policy.calendar)
                clock_of[p, m] = calendars.index(policy.calendar)
            for k, priority in enumerate((None, *PRIORITIES)):
                target = policy.target_for(metric, priority)
                if target is not None:
                    targets[p, m, k] = target.seconds
            paused = {TICKET_STATUSES.index(s) for s in policy.pauses(metric)}
            runs[p, m] = [not _RESOLVED[s] and s not in paused for s in range(len(TICKET_STATUSES))]
    offsets, ticket, start, code = _priority_history(batch, as_of)
    return _Context(
        batch=batch,
        as_of=as_of,
        timeline=build_timeline(batch, as_of),
        policies=policies,
        policy_of=policy_of,
        clocks=Clocks(calendars),
        ticket_clock=ticket_clock,
        clock_of=clock_of,
        targets=targets,
        runs=runs,
        prio_offsets=offsets,
        prio_ticket=ticket,
        prio_start=start,
        prio_code=code,
        definitions=definitions,
        survives=np.array([p.first_reply_survives_solve for p in policies.policies], dtype=bool),
    )
