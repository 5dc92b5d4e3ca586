"""SLA compliance, live monitoring and the breached backlog, over evaluated outcomes.

Compliance is ``achieved / (achieved + breached)`` over target instances, with a
Wilson interval: instances still running (``active``, ``paused``) and the
ticket-level rows (``no_policy`` …) are not counted; an open instance whose due
time has passed is already ``breached`` and counts. Grouped by period, an
instance belongs to the period its verdict became known in: its completion when
achieved, its due time when breached.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from pydantic import field_validator

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.dispatch import is_distributed
from cxmetrics.core.periods import period_labels
from cxmetrics.core.state import CountsState
from cxmetrics.definitions import DEFAULT, Definitions, as_definitions
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.registry import register
from cxmetrics.sla._context import as_of_seconds
from cxmetrics.sla._table import TimedColumnTable
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.outcomes import ACHIEVED, ACTIVE, BREACHED, SlaOutcomes
from cxmetrics.sla.policy import SlaPolicy, SlaPolicySet, as_policy_set
from cxmetrics.stats import wilson_interval
from cxmetrics.tables.ticket_batch import Categorical

__all__ = [
    "SLA_GROUPS",
    "SlaCompliance",
    "SlaComplianceTable",
    "sla_at_risk",
    "sla_breached_backlog",
    "sla_compliance",
    "sla_compliance_rate",
]

SlaGroup = Literal["policy", "metric", "priority", "channel", "period"]
SLA_GROUPS: tuple[str, ...] = ("policy", "metric", "priority", "channel", "period")
"""The columns compliance can be grouped by."""

_Period = Literal["day", "week", "month", "quarter", "year"]
_STATUS_NAMES = {ACHIEVED: "achieved", BREACHED: "breached"}


class SlaComplianceParams(MetricParams):
    """Parameters of :class:`SlaCompliance` (see :func:`sla_compliance`)."""

    policy: SlaPolicySet | None = None
    as_of: datetime | None = None
    definitions: Definitions = DEFAULT
    by: tuple[SlaGroup, ...] = ()
    period: _Period | None = None
    timezone: str = "UTC"

    @field_validator("policy", mode="before")
    @classmethod
    def _as_set(cls, value: Any) -> Any:
        if value is None or isinstance(value, (SlaPolicySet, dict)):
            return value
        return as_policy_set(value)

    @field_validator("definitions", mode="before")
    @classmethod
    def _preset(cls, value: Any) -> Any:
        return as_definitions(value)

    @field_validator("by", mode="before")
    @classmethod
    def _one_group(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("as_of")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise InvalidParameterError("as_of must be timezone-aware")
        return value

    def model_post_init(self, context: Any, /) -> None:
        """Check that ``period`` and ``by`` agree."""
        super().model_post_init(context)
        if len(set(self.by)) != len(self.by):
            raise InvalidParameterError(f"by lists a column twice: {self.by}")
        if ("period" in self.by) != (self.period is not None):
            raise InvalidParameterError(
                "by must include 'period' exactly when period is given "
                f"(by={self.by}, period={self.period})"
            )


def _pinned(as_of: datetime | None, tickets: Any) -> datetime | None:
    """``as_of``, or now for a distributed input: one instant for every partition."""
    if as_of is None and is_distributed(tickets):
        return datetime.now(timezone.utc)
    return as_of


def _outcomes(items: Any, params: SlaComplianceParams, owner: str) -> SlaOutcomes:
    if isinstance(items, SlaOutcomes):
        return items
    if params.policy is None:
        raise InvalidParameterError(
            f"{owner} needs a policy to evaluate tickets: pass policy=SlaPolicy(...), "
            "or pass the SlaOutcomes of evaluate_sla instead of tickets"
        )
    return evaluate_sla(items, params.policy, as_of=params.as_of, definitions=params.definitions)


def _settled_at(outcomes: SlaOutcomes) -> npt.NDArray[np.float64]:
    """When each verdict became known: the completion if achieved, else the due time."""
    status = outcomes.codes("status")[0]
    done = np.asarray(outcomes["completed_at"], dtype=np.float64)
    due = np.asarray(outcomes["due_at"], dtype=np.float64)
    return np.where(status == ACHIEVED, done, due)


def _group_values(
    outcomes: SlaOutcomes, rows: npt.NDArray[np.intp], params: SlaComplianceParams
) -> list[list[Any]]:
    """Per group column, the values of ``rows`` (decoded, ``None`` when missing)."""
    columns: list[list[Any]] = []
    for name in params.by:
        if name == "period":
            settled = _settled_at(outcomes)[rows]
            assert params.period is not None
            columns.append(period_labels(settled, params.period, params.timezone).tolist())
        else:
            column = outcomes.columns[name]
            columns.append(column.take(rows).to_list())
    return columns


def _compliance_state(items: Any, params: SlaComplianceParams) -> CountsState:
    outcomes = _outcomes(items, params, "SlaCompliance")
    status = outcomes.codes("status")[0]
    rows = np.flatnonzero((status == ACHIEVED) | (status == BREACHED))
    if not params.by:
        achieved = int(np.count_nonzero(status[rows] == ACHIEVED))
        return CountsState.of({'["achieved"]': achieved, '["breached"]': rows.size - achieved})
    values = _group_values(outcomes, rows, params)
    keys = [
        json.dumps([_STATUS_NAMES[int(s)], *group])
        for s, *group in zip(status[rows], *values, strict=True)
    ]
    unique, counts = np.unique(np.array(keys, dtype=object), return_counts=True)
    return CountsState.of(dict(zip(unique.tolist(), counts.tolist(), strict=True)))


def _groups(state: CountsState) -> dict[tuple[Any, ...], list[int]]:
    groups: dict[tuple[Any, ...], list[int]] = {}
    for key, count in state.counts:
        status, *group = json.loads(key)
        tally = groups.setdefault(tuple(group), [0, 0])
        tally[0 if status == "achieved" else 1] += count
    return dict(sorted(groups.items(), key=lambda item: [(v is None, str(v)) for v in item[0]]))


def _compliance_result(state: CountsState, params: SlaComplianceParams) -> MetricResult:
    groups = _groups(state)
    achieved = sum(a for a, _ in groups.values())
    total = achieved + sum(b for _, b in groups.values())
    per_group = [
        {
            **dict(zip(params.by, key, strict=True)),
            "achieved": a,
            "breached": b,
            "rate": a / (a + b),
            "interval": wilson_interval(a, a + b, params.confidence),
        }
        for key, (a, b) in groups.items()
    ]
    return MetricResult(
        safe_ratio(
            achieved,
            total,
            params.zero_division,
            "sla_compliance",
            "no target was achieved or breached (no input, no policy target matched the "
            "tickets, or every target is still active or paused)",
        ),
        total,
        "ratio",
        wilson_interval(achieved, total, params.confidence),
        params.confidence,
        {"achieved": achieved, "breached": total - achieved, "groups": per_group},
    )


@register
class SlaCompliance(Metric[CountsState, SlaComplianceParams]):
    """SLA compliance, mergeable, overall and per group; see :func:`sla_compliance`.

    The state counts achieved and breached instances per group, so partitions
    evaluated separately (each ticket in one partition) merge exactly. ``update``
    takes tickets (evaluated with ``policy`` at ``as_of``) or an
    :class:`~cxmetrics.sla.outcomes.SlaOutcomes` table.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Message, Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> policy = SlaPolicy(name="std", targets=[SlaTarget(metric="first_reply", within="PT1H")])
    >>> tickets = [Ticket(id=i, created_at=t0, interactions=[
    ...     Message(at=t0 + timedelta(minutes=m), author="agent")]) for i, m in enumerate([10, 50, 90])]
    >>> metric = SlaCompliance(policy=policy, as_of=t0 + timedelta(days=1), by="metric")
    >>> metric.update(tickets[:2]); metric.update(tickets[2:])
    >>> result = metric.compute()
    >>> round(result.value, 3), result.n, result.details["groups"][0]["metric"]
    (0.667, 3, 'first_reply')
    """

    name: ClassVar[str] = "sla_compliance"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = CountsState
    Params = SlaComplianceParams

    @staticmethod
    def _update(items: Any, params: Any) -> CountsState:
        return _compliance_state(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _compliance_result(state, params)


def sla_compliance_rate(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy] | None = None,
    *,
    as_of: datetime | None = None,
    definitions: Definitions | str = "default",
    zero_division: ZeroDivision = "warn",
    confidence: float = 0.95,
) -> float:
    """Share of settled SLA target instances that were achieved.

    ``achieved / (achieved + breached)``: instances still running are left out,
    and an open instance already past its due time counts as breached.

    Parameters
    ----------
    tickets : iterable of Ticket, TicketBatch or SlaOutcomes
        Tickets to evaluate with ``policy``, or outcomes already evaluated.
    policy : SlaPolicy, SlaPolicySet or sequence of SlaPolicy, optional
        Needed unless ``tickets`` are outcomes.
    as_of : datetime, optional
        Instant of evaluation (default: now).
    definitions : Definitions or str, default="default"
        What counts as a reply, as for the ticket metrics (see :func:`evaluate_sla`).
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95
        Level of the interval of the class result (:class:`SlaCompliance`).

    Returns
    -------
    float

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Message, Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> policy = SlaPolicy(name="std", targets=[SlaTarget(metric="first_reply", within="PT1H")])
    >>> tickets = [Ticket(id=i, created_at=t0, interactions=[
    ...     Message(at=t0 + timedelta(minutes=m), author="agent")]) for i, m in enumerate([10, 90])]
    >>> sla_compliance_rate(tickets, policy, as_of=t0 + timedelta(days=1))
    0.5
    """
    metric = SlaCompliance(
        policy=policy,
        as_of=_pinned(as_of, tickets),
        definitions=definitions,
        zero_division=zero_division,
        confidence=confidence,
    )
    metric.update(tickets)
    return float(metric.compute().value)


class SlaComplianceTable(TimedColumnTable):
    """Compliance per group, the table :func:`sla_compliance` returns.

    Columns: the group columns, then ``achieved``, ``breached``, ``n``, ``rate``,
    ``low`` and ``high`` (the Wilson interval).
    """


def sla_compliance(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy] | None = None,
    *,
    by: SlaGroup | Iterable[SlaGroup] = (),
    period: _Period | None = None,
    timezone: str = "UTC",
    as_of: datetime | None = None,
    definitions: Definitions | str = "default",
    confidence: float = 0.95,
) -> SlaComplianceTable:
    """SLA compliance by policy, metric, priority, channel and/or period, as a table.

    Parameters
    ----------
    tickets : iterable of Ticket, TicketBatch or SlaOutcomes
    policy : SlaPolicy, SlaPolicySet or sequence of SlaPolicy, optional
        Needed unless ``tickets`` are outcomes.
    by : str or sequence of str
        Any of ``policy``, ``metric``, ``priority`` (in force at the end),
        ``channel``, ``period``; one row per combination seen. Empty: one row.
    period : {"day", "week", "month", "quarter", "year"}, optional
        Cut periods in ``timezone``; an instance belongs to the period its verdict
        became known in (completion if achieved, due time if breached). Adds
        ``period`` to ``by`` when missing.
    as_of : datetime, optional
        Instant of evaluation (default: now).
    definitions : Definitions or str, default="default"
        What counts as a reply, as for the ticket metrics (see :func:`evaluate_sla`).
    confidence : float, default=0.95

    Returns
    -------
    SlaComplianceTable

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Message, Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> policy = SlaPolicy(name="std", targets=[SlaTarget(metric="first_reply", within="PT1H")])
    >>> tickets = [Ticket(id=i, created_at=t0, channel=c, interactions=[
    ...     Message(at=t0 + timedelta(minutes=m), author="agent")])
    ...     for i, (c, m) in enumerate([("chat", 10), ("email", 90), ("email", 20)])]
    >>> table = sla_compliance(tickets, policy, by="channel", as_of=t0 + timedelta(days=1))
    >>> table["channel"].tolist(), table["rate"].tolist(), table["n"].tolist()
    (['chat', 'email'], [1.0, 0.5], [1, 2])
    """
    groups = (by,) if isinstance(by, str) else tuple(by)
    if period is not None and "period" not in groups:
        groups = (*groups, "period")
    metric = SlaCompliance(
        policy=policy,
        by=groups,
        period=period,
        timezone=timezone,
        as_of=_pinned(as_of, tickets),
        definitions=definitions,
        confidence=confidence,
        zero_division=float("nan"),
    )
    metric.update(tickets)
    rows = metric.compute().details["groups"]
    columns: dict[str, Any] = {
        name: Categorical.from_values([_label(row[name]) for row in rows]) for name in groups
    }
    achieved = np.array([row["achieved"] for row in rows], dtype=np.int64)
    breached = np.array([row["breached"] for row in rows], dtype=np.int64)
    columns.update(
        achieved=achieved,
        breached=breached,
        n=achieved + breached,
        rate=np.array([row["rate"] for row in rows], dtype=np.float64),
        low=np.array([row["interval"][0] for row in rows], dtype=np.float64),
        high=np.array([row["interval"][1] for row in rows], dtype=np.float64),
    )
    return SlaComplianceTable(columns)


def _label(value: Any) -> str | None:
    return None if value is None else str(value)


def _live(
    tickets: Any,
    policy: Any,
    as_of: datetime | None,
    owner: str,
    definitions: Definitions | str = "default",
) -> tuple[SlaOutcomes, float]:
    if isinstance(tickets, SlaOutcomes):
        if as_of is not None and as_of_seconds(as_of, owner) != tickets.as_of:
            raise InvalidParameterError(
                f"{owner} got outcomes evaluated at another instant than as_of; "
                "evaluate the tickets with evaluate_sla(..., as_of=as_of) first"
            )
        return tickets, tickets.as_of
    if policy is None:
        raise InvalidParameterError(
            f"{owner} needs a policy to evaluate tickets, or the SlaOutcomes of evaluate_sla"
        )
    if is_distributed(tickets):  # evaluate_sla would return a distributed table
        raise InvalidParameterError(
            f"{owner} does not take a Dask or Spark DataFrame; filter "
            "evaluate_sla(tickets, policy, as_of) on the engine, or collect the tickets first"
        )
    outcomes = evaluate_sla(tickets, policy, as_of=as_of, definitions=definitions)
    return outcomes, outcomes.as_of


def _with(outcomes: SlaOutcomes, rows: npt.NDArray[np.intp], **extra: Any) -> SlaOutcomes:
    selected = outcomes.select(rows)
    return SlaOutcomes({**selected.columns, **extra}, outcomes.as_of)


def sla_at_risk(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy] | None = None,
    as_of: datetime | None = None,
    *,
    within: timedelta | float = timedelta(hours=1),
) -> SlaOutcomes:
    """The running target instances that will breach within ``within``, soonest first.

    Only ``active`` instances are at risk: a paused clock cannot breach until it
    resumes, and its due time moves by the length of the pause. ``within`` is
    wall-clock time from ``as_of``, the horizon of whoever watches the queue.

    Parameters
    ----------
    tickets : iterable of Ticket, TicketBatch or SlaOutcomes
    policy : SlaPolicy, SlaPolicySet or sequence of SlaPolicy, optional
        Needed unless ``tickets`` are outcomes.
    as_of : datetime, optional
        Default: now (or the outcomes' instant).
    within : timedelta or seconds, default=1 hour

    Returns
    -------
    SlaOutcomes
        The rows at risk sorted by due time, with an extra ``time_to_due`` column
        (wall-clock seconds from ``as_of`` to the due time).

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> policy = SlaPolicy(name="std", targets=[SlaTarget(metric="first_reply", within="PT2H")])
    >>> tickets = [Ticket(id=i, created_at=t0 + timedelta(minutes=m))
    ...            for i, m in enumerate([0, 30, 90])]
    >>> risk = sla_at_risk(tickets, policy, as_of=t0 + timedelta(hours=1), within=5400)
    >>> risk["ticket_id"].tolist(), risk.to_dict()["time_to_due"]
    (['0', '1'], [datetime.timedelta(seconds=3600), datetime.timedelta(seconds=5400)])
    """
    horizon = within.total_seconds() if isinstance(within, timedelta) else float(within)
    if not horizon >= 0:
        raise InvalidParameterError(
            f"The 'within' parameter of sla_at_risk must be a non-negative duration. "
            f"Got {within!r} instead."
        )
    outcomes, now = _live(tickets, policy, as_of, "sla_at_risk")
    status = outcomes.codes("status")[0]
    due = outcomes["due_at"]
    # A due time exactly at the horizon is at risk: "breaches within the hour".
    rows = np.flatnonzero((status == ACTIVE) & (due <= now + horizon))
    rows = rows[np.argsort(due[rows], kind="stable")]
    return _with(outcomes, rows, time_to_due=due[rows] - now)


def sla_breached_backlog(
    tickets: Any,
    policy: SlaPolicy | SlaPolicySet | Iterable[SlaPolicy] | None = None,
    as_of: datetime | None = None,
) -> SlaOutcomes:
    """The open target instances already past their due time, most overdue first.

    These are the tickets to rescue: still unanswered or unsolved at ``as_of``
    although a target has been breached. Completed breaches are history and not
    listed.

    Returns
    -------
    SlaOutcomes
        With an extra ``overdue`` column: wall-clock seconds since the due time.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Ticket
    >>> from cxmetrics.sla import SlaPolicy, SlaTarget
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> policy = SlaPolicy(name="std", targets=[SlaTarget(metric="first_reply", within="PT1H")])
    >>> tickets = [Ticket(id=i, created_at=t0 + timedelta(hours=h)) for i, h in enumerate([1, 0, 3])]
    >>> late = sla_breached_backlog(tickets, policy, as_of=t0 + timedelta(hours=3))
    >>> late["ticket_id"].tolist(), late.to_dict()["overdue"]
    (['1', '0'], [datetime.timedelta(seconds=7200), datetime.timedelta(seconds=3600)])
    """
    outcomes, now = _live(tickets, policy, as_of, "sla_breached_backlog")
    status = outcomes.codes("status")[0]
    due = outcomes["due_at"]
    rows = np.flatnonzero((status == BREACHED) & np.isnan(outcomes["completed_at"]))
    rows = rows[np.argsort(due[rows], kind="stable")]
    return _with(outcomes, rows, overdue=now - due[rows])
