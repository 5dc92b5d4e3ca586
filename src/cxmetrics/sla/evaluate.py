"""Vectorised SLA evaluation: one outcome per (ticket, target instance).

The evaluator turns a :class:`~cxmetrics.tables.ticket_batch.TicketBatch` and a policy (or an
ordered policy set) into an :class:`SlaOutcomes` table. The rules it applies —
when each metric starts, pauses and completes, how priority changes re-target a
running clock, how reopens count — are listed in ``docs/sla.md``; the comments
here only say how they are computed.

How a due time is found
-----------------------
For each instance, the status segments it runs through are cut into *pieces*
during which its clock runs (paused and solved segments are left out), plus one
open-ended piece from its end onwards. The time used after piece ``k`` is the
exact running sum of the pieces' business (or calendar) seconds, so the due time
for a target ``T`` is ``add(piece_start_k, T - used_before_k)`` in the first piece
whose running sum reaches ``T``: the instant the *unpaused* time since the start
reaches the target. Priority changes split the instance into priority segments,
each with its own target; the instance breaches at the first instant its used
time reaches the target in force.

Shortcuts
---------
The general computation sorts histories, merges them into one event stream and
expands every instance into its segments and priority segments. Most inputs
allow cheaper roads to the very same numbers (``tests/sla/test_fast_paths.py``
switches each off and compares): histories already in time order are laid out
rather than sorted; first replies come from one reduction per ticket when no
event precedes creation; resolution-type pieces are read off the whole timeline;
never-pausing clocks keep their one piece in closed form; instances under one
priority skip the priority expansion; whole seconds make (ticket, time) pairs
exact integer keys and running sums one cumulative sum.

Where each step lives
---------------------
This module runs the steps in order; each concept has its own module, every one
importing only from those listed before it:

- ``_grouping``: sorting, searching and running sums within groups of rows;
- ``_timeline``: status timelines; ``_priority``: priority histories;
- ``_replies``: reply events; ``_instances``: target instances, and those found
  without the merged stream; ``_stream``: the merged stream and its instances;
- ``_context``: policy assignment and the per-(policy, metric) tables;
- ``_pieces``: clock pieces and running sums; ``_due``: due times;
- ``_metric``: one metric's outcome columns; ``outcomes``: the outcome table.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np

from cxmetrics.core.dispatch import engine_function
from cxmetrics.definitions import DEFAULT, Definitions, as_definitions
from cxmetrics.sla._context import _Context, _context, as_of_seconds
from cxmetrics.sla._instances import Instances, first_reply_instances, resolution_instances
from cxmetrics.sla._metric import _evaluate_metric
from cxmetrics.sla._pieces import _Pieces
from cxmetrics.sla._stream import build_stream, reply_instances, update_instances
from cxmetrics.sla.outcomes import UNDETERMINED, SlaOutcomes, _assemble
from cxmetrics.sla.policy import SLA_METRICS, SlaPolicy, SlaPolicySet, as_policy_set
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = [
    "evaluate_sla",
]

# Metrics with one instance per ticket, from creation to the final solve.
_WHOLE_TICKET = frozenset({"resolution", "requester_wait", "agent_work"})


def evaluate_sla(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy],
    as_of: datetime | None = None,
    *,
    definitions: Definitions | str = "default",
) -> SlaOutcomes:
    """Evaluate SLA targets: one outcome per (ticket, target instance).

    Parameters
    ----------
    tickets : TicketBatch or iterable of Ticket
        The tickets with their histories (interactions, status and priority
        changes). Flat exports work too: ``first_reply_at`` is one agent reply and
        ``solved_at`` one solve. A Dask or Spark tickets DataFrame, or a
        :class:`~cxmetrics.engines.DistributedTables` of tickets and histories,
        gives a distributed table (see the notes).
    policy : SlaPolicy, SlaPolicySet or sequence of SlaPolicy
        A single policy applies to every ticket; a set (or sequence) gives each
        ticket the first policy whose conditions match.
    as_of : datetime, optional
        The instant of evaluation (timezone-aware): events after it are ignored,
        open instances are ``active``, ``paused`` or ``breached`` as of then.
        Default: now.
    definitions : Definitions or str, default="default"
        What counts as an agent reply (bots, internal notes, automated messages,
        calls), exactly as for the ticket metrics: a first-reply target is met by
        the reply that :func:`~cxmetrics.first_response_time` measures.

    Returns
    -------
    SlaOutcomes
        Every ticket appears: each of its target instances is a row, and a ticket
        without any has one row saying why (``no_policy``, ``no_target``,
        ``not_started``).

    Raises
    ------
    SlaError
        When a due time cannot be computed (a calendar with no open time after a
        start).
    InvalidParameterError
        For a naive ``as_of``.

    See Also
    --------
    sla_compliance_rate : achieved / (achieved + breached).
    sla_at_risk : open targets that will breach soon.

    Notes
    -----
    For a Dask or Spark input the result is a distributed DataFrame with the
    rows and columns of ``to_pandas()`` (in no particular order), evaluated
    partition by partition on the workers; ``ticket`` is still the ticket's row
    in the input tickets table, and ``as_of=None`` is taken once, on the driver.
    Nothing is collected. See :mod:`cxmetrics.engines.per_ticket`.

    Examples
    --------
    Created at 09:00, paused in pending from 10:00 to 12:00, solved at 14:00, with
    a 4-hour resolution target in calendar time: 3 hours used, due at 15:00.

    >>> from datetime import datetime, timezone
    >>> from cxmetrics import StatusChange, Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> ticket = Ticket(id="T1", created_at=t0, status_changes=[
    ...     StatusChange(at=t0.replace(hour=10), status="pending"),
    ...     StatusChange(at=t0.replace(hour=12), status="open"),
    ...     StatusChange(at=t0.replace(hour=14), status="solved")])
    >>> policy = SlaPolicy("std", None, [SlaTarget("resolution", "PT4H")])
    >>> row = evaluate_sla([ticket], policy, as_of=t0.replace(hour=18)).to_dict()
    >>> row["status"], row["due_at"][0].hour, row["business_time_used"][0]
    (['achieved'], 15, datetime.timedelta(seconds=10800))
    """
    engine = engine_function("evaluate_sla", tickets)
    if engine is not None:
        return engine(tickets, policy, as_of, definitions=definitions)  # type: ignore[no-any-return]
    return _evaluate(tickets, policy, as_of, definitions=as_definitions(definitions))


def _evaluate(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy],
    as_of: datetime | None,
    stages: dict[str, float] | None = None,
    definitions: Definitions = DEFAULT,
) -> SlaOutcomes:
    """:func:`evaluate_sla`, adding the seconds of each stage to ``stages`` if given."""
    clock = _Stopwatch(stages)
    batch = as_ticket_batch(tickets)
    policies = as_policy_set(policy)
    clock.lap("batch")
    ctx = _context(batch, policies, as_of_seconds(as_of), definitions)
    clock.lap("timeline and policies")
    parts = _evaluate_all(ctx, clock)
    outcomes = _assemble(parts, batch, policies, ctx.as_of, ctx.policy_of)
    clock.lap("assemble")
    return outcomes


class _Stopwatch:
    """Accumulates wall-clock seconds per stage, for benchmarks; free when off."""

    def __init__(self, stages: dict[str, float] | None) -> None:
        self.stages = stages
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.stages is not None:
            now = time.perf_counter()
            self.stages[name] = self.stages.get(name, 0.0) + now - self.last
            self.last = now


def _evaluate_all(ctx: _Context, clock: _Stopwatch | None = None) -> list[dict[str, Any]]:
    clock = clock or _Stopwatch(None)
    batch = ctx.batch
    alive = (ctx.policy_of >= 0) & (batch.created_at <= ctx.as_of)
    wanted = [
        m
        for m, metric in enumerate(SLA_METRICS)
        if any(metric in p.metrics for p in ctx.policies.policies)
    ]
    has_metric = np.array(
        [[metric in p.metrics for metric in SLA_METRICS] for p in ctx.policies.policies]
    )
    parts: list[dict[str, Any]] = []
    names = [SLA_METRICS[m] for m in wanted]
    by_metric: dict[str, Instances] = {}
    first_only = None
    steady_replies = all(ctx.steady(SLA_METRICS.index(m)) for m in ("first_reply", "next_reply"))
    if (
        "first_reply" in names
        and steady_replies
        and not {"next_reply", "periodic_update", "pausable_update"} & set(names)
    ):
        first_only = first_reply_instances(
            batch, ctx.timeline, ctx.as_of, alive, definitions=ctx.definitions
        )
    if first_only is not None:
        by_metric["first_reply"] = first_only
        clock.lap("reply and update instances")
    elif {"first_reply", "next_reply", "periodic_update", "pausable_update"} & set(names):
        # The stream holds only the segments that solve or reopen: the pausable
        # update clock, which needs every segment, looks them up in the timeline.
        stream = build_stream(
            batch,
            ctx.timeline,
            ctx.as_of,
            alive,
            every_segment=False,
            definitions=ctx.definitions,
        )
        if {"first_reply", "next_reply"} & set(names):
            by_metric["first_reply"], by_metric["next_reply"] = reply_instances(
                stream, exact=not steady_replies, survives=ctx.survives_of()
            )
        if {"periodic_update", "pausable_update"} & set(names):
            updates = update_instances(stream, exact="pausable_update" in names)
            by_metric["periodic_update"] = by_metric["pausable_update"] = updates
        clock.lap("reply and update instances")
    if {"resolution", "requester_wait", "agent_work"} & set(names):
        resolution = resolution_instances(batch, ctx.timeline, alive)
        for name in ("resolution", "requester_wait", "agent_work"):
            by_metric[name] = resolution
        clock.lap("resolution instances")
    # Metrics whose clocks run alike over the same instances share their pieces
    # (resolution and agent work, when the policy pauses in pending and on-hold).
    shared: dict[tuple[Any, ...], tuple[Instances, _Pieces]] = {}
    for m in wanted:
        inst = by_metric[SLA_METRICS[m]]
        if len(ctx.policies) > 1:  # one policy targets every wanted metric
            targeted = has_metric[ctx.policy_of[inst.ticket], m]
            if not targeted.all():
                inst = by_metric[SLA_METRICS[m]] = inst.take(targeted)
        undetermined = ctx.timeline.undetermined[inst.ticket]
        part = _evaluate_metric(ctx, m, inst, SLA_METRICS[m] in _WHOLE_TICKET, shared)
        # A ticket marked solved without a solve time: its resolution-type
        # instances cannot be judged (documented outcome, not a guess).
        if SLA_METRICS[m] in _WHOLE_TICKET:
            part["status"][undetermined] = UNDETERMINED
            for name in ("due_at", "business_time_used", "time_left"):
                part[name][undetermined] = np.nan
        parts.append(part)
        clock.lap(f"due times: {SLA_METRICS[m]}")
    return parts
