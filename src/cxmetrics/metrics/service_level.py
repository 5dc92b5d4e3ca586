"""Service level: share of contacts answered within a target time (TSF)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Literal

from pydantic import field_validator

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import State
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics._calls import CallParams
from cxmetrics.registry import register
from cxmetrics.stats import wilson_interval
from cxmetrics.tables.inputs import call_columns

__all__ = [
    "ABANDON_TREATMENTS",
    "AbandonTreatment",
    "ServiceLevel",
    "ServiceLevelParams",
    "ServiceLevelState",
    "service_level",
]

AbandonTreatment = Literal["exclude_short", "offered", "answered", "short_as_met"]
"""How abandoned contacts enter the service level (see :func:`service_level`)."""

ABANDON_TREATMENTS: dict[str, str] = {
    "exclude_short": "answered within target / (offered - abandoned within short_abandon)",
    "offered": "answered within target / offered",
    "answered": "answered within target / answered",
    "short_as_met": "(answered within target + abandoned within short_abandon) / offered",
}
"""The formula of each abandon treatment (offered = answered + abandoned)."""


@dataclass(frozen=True)
class ServiceLevelState(State):
    """Counts of answered (within target) and abandoned (within the short threshold)."""

    answered_within: int = 0
    answered: int = 0
    abandoned_short: int = 0
    abandoned: int = 0

    def ratio(self, abandons: str) -> tuple[int, int]:
        """Return (numerator, denominator) under an abandon treatment."""
        offered = self.answered + self.abandoned
        if abandons == "offered":
            return self.answered_within, offered
        if abandons == "answered":
            return self.answered_within, self.answered
        if abandons == "short_as_met":
            return self.answered_within + self.abandoned_short, offered
        return self.answered_within, offered - self.abandoned_short


class ServiceLevelParams(CallParams):
    """Parameters of :class:`ServiceLevel`.

    Parameters
    ----------
    target : timedelta, default=20 s
        Answer-time target; a contact answered after waiting *at most* this long
        meets it. Numbers are read as seconds.
    abandons : {"exclude_short", "offered", "answered", "short_as_met"}, default="exclude_short"
        Treatment of abandoned contacts (see :data:`ABANDON_TREATMENTS`).
    short_abandon : timedelta, optional
        Threshold of a short abandon for ``"exclude_short"`` and ``"short_as_met"``;
        ``None`` uses ``target``.
    """

    target: timedelta = timedelta(seconds=20)
    abandons: AbandonTreatment = "exclude_short"
    short_abandon: timedelta | None = None

    @field_validator("target", "short_abandon")
    @classmethod
    def _not_negative(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < timedelta(0):
            raise InvalidParameterError("durations must be zero or more")
        return value

    @property
    def short_threshold(self) -> timedelta:
        """The short-abandon threshold in force."""
        return self.target if self.short_abandon is None else self.short_abandon


def _service_level_update(items: Any, params: ServiceLevelParams) -> ServiceLevelState:
    columns = call_columns(items, owner="service_level").only(channel=params.channel, inbound=True)
    answered = columns.answered
    abandoned = columns.abandoned
    return ServiceLevelState(
        answered_within=int((answered & (columns.wait <= params.target.total_seconds())).sum()),
        answered=int(answered.sum()),
        abandoned_short=int(
            (abandoned & (columns.wait <= params.short_threshold.total_seconds())).sum()
        ),
        abandoned=int(abandoned.sum()),
    )


def _service_level_compute(state: ServiceLevelState, params: ServiceLevelParams) -> MetricResult:
    numerator, denominator = state.ratio(params.abandons)
    return MetricResult(
        value=safe_ratio(numerator, denominator, params.zero_division, "service_level"),
        n=denominator,
        unit="ratio",
        interval=wilson_interval(numerator, denominator, params.confidence),
        confidence=params.confidence,
        details={
            "target": params.target,
            "abandons": params.abandons,
            "answered_within": state.answered_within,
            "answered": state.answered,
            "abandoned": state.abandoned,
            "abandoned_short": state.abandoned_short,
        },
    )


def service_level(
    items: Any,
    *,
    target: timedelta | float = timedelta(seconds=20),
    abandons: AbandonTreatment = "exclude_short",
    short_abandon: timedelta | float | None = None,
    channel: str | None = None,
    zero_division: ZeroDivision = "warn",
) -> float:
    r"""Service level: the share of contacts answered within ``target``.

    There is no industry standard for abandoned contacts (ICMI lists five
    variants); ``abandons`` names the treatment. With ``ans≤X`` answered within
    the target, ``ab≤S`` abandoned within the short-abandon threshold ``S``
    (``short_abandon``, default ``target``) and offered = answered + abandoned:

    ==================  ===============================================  ============
    ``abandons``        formula                                          ICMI variant
    ==================  ===============================================  ============
    ``exclude_short``   ``ans≤X / (offered − ab≤S)`` (**default**)       4
    ``offered``         ``ans≤X / offered``                              3
    ``answered``        ``ans≤X / answered``                             2
    ``short_as_met``    ``(ans≤X + ab≤S) / offered``                     1 (5 if S < X)
    ==================  ===============================================  ============

    The default treats callers who hang up before the target as neutral: the
    centre could not have answered them in time without beating its own target,
    and counting them as either met or missed rewards or punishes noise (wrong
    numbers, quick hang-ups). Contacts that waited longer and gave up count as
    missed.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
        Inbound contacts offered to the queue (outbound ones are ignored).
    target : timedelta or float, default=20 s
        Answered after a wait of at most ``target`` meets the target.
    abandons : {"exclude_short", "offered", "answered", "short_as_met"}
    short_abandon : timedelta or float, optional
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float
        In [0, 1]; higher is better.

    See Also
    --------
    ServiceLevel : mergeable class with a Wilson interval and the counts.

    Examples
    --------
    Ten contacts: 6 answered within 20 s, 2 answered later, one abandon after
    5 s and one after 60 s:

    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls = ([Call(at=at, wait=10, talk=60)] * 6 + [Call(at=at, wait=45, talk=60)] * 2
    ...          + [Call(at=at, wait=5, abandoned=True), Call(at=at, wait=60, abandoned=True)])
    >>> service_level(calls, target=20)
    0.6666666666666666
    >>> service_level(calls, target=20, abandons="offered")
    0.6
    >>> service_level(calls, target=20, abandons="answered")
    0.75
    >>> service_level(calls, target=20, abandons="short_as_met")
    0.7
    """
    metric = ServiceLevel(
        target=target,
        abandons=abandons,
        short_abandon=short_abandon,
        channel=channel,
        zero_division=zero_division,
    )
    metric.update(items)
    return float(metric.compute().value)


@register
class ServiceLevel(Metric[ServiceLevelState, ServiceLevelParams]):
    """Service level (answered within target), mergeable, with a Wilson interval.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``ServiceLevel.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    target : timedelta, default=20 s
    abandons : {"exclude_short", "offered", "answered", "short_as_met"}, default="exclude_short"
    short_abandon : timedelta, optional
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> metric = ServiceLevel(target=30)
    >>> metric.update([Call(at=at, wait=10, talk=5), Call(at=at, wait=50, talk=5)])
    >>> result = metric.compute()
    >>> result.value, result.details["answered_within"]
    (0.5, 1)
    """

    name: ClassVar[str] = "service_level"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "calls"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = ServiceLevelState
    Params = ServiceLevelParams

    @staticmethod
    def _update(items: Any, params: Any) -> ServiceLevelState:
        return _service_level_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _service_level_compute(state, params)
