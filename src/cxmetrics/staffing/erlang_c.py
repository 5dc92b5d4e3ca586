"""Erlang C (M/M/N): waiting probability, service level, ASA and staffing."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cxmetrics.exceptions import CXMetricsError, InvalidParameterError
from cxmetrics.staffing._gamma import log_upper_gamma_q

__all__ = ["ErlangC", "UnstableQueueError", "erlang_b"]

_MAX_AGENTS = 10_000_000
_HUGE = 1e300
_LOG_HUGE = math.log(_HUGE)


_MAX_TIMEDELTA_SECONDS = timedelta.max.total_seconds()


class UnstableQueueError(CXMetricsError, ValueError):
    """Erlang C was asked about agents ≤ traffic load: the queue would grow forever.

    A ``ValueError``: the number of agents is a bad value for this model, not a
    computation that failed.
    """


def _seconds(value: timedelta | float, name: str, owner: str, *, positive: bool = True) -> float:
    if isinstance(value, timedelta):
        number = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a timedelta or a number of seconds. "
            f"Got {value!r} instead."
        )
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        bound = "positive" if positive else "zero or more"
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a {bound} duration. Got {value!r} instead."
        )
    return number


def _check_agents(agents: Any, owner: str) -> float:
    """``agents`` as an ``int`` when whole (the classic path), else a positive ``float``."""
    number = isinstance(agents, (int, float)) and not isinstance(agents, bool)
    if not number or not math.isfinite(agents) or agents <= 0:
        raise InvalidParameterError(
            f"The 'agents' parameter of {owner} must be a positive number of agents "
            f"(whole or fractional). Got {agents!r} instead."
        )
    if float(agents).is_integer():
        return int(agents)
    return float(agents)


def _inverse_erlang_b(agents: float, load: float) -> float:
    # B(n)^-1 = 1 + B(n-1)^-1 * n / A: stable, no factorials; capped when B underflows.
    # Whole agents start from B(0) = 1; fractional ones from B(f), f = agents - floor(agents),
    # through the incomplete gamma function (the same recursion holds for real n).
    whole = math.floor(agents)
    if agents == whole:
        inverse = 1.0
        steps: Iterable[float] = range(1, int(agents) + 1)
    else:
        fraction = agents - whole
        inverse = _inverse_erlang_b_below_one(fraction, load)
        steps = (fraction + k for k in range(1, whole + 1))
    for k in steps:
        inverse = 1.0 + inverse * k / load
        if inverse > _HUGE:
            return math.inf
    return inverse


def _inverse_erlang_b_below_one(fraction: float, load: float) -> float:
    r"""1 / B(f, A) for 0 < f < 1: :math:`e^{A} A^{-f}\,\Gamma(f + 1, A)`."""
    log_inverse = (
        load
        - fraction * math.log(load)
        + math.lgamma(fraction + 1.0)
        + log_upper_gamma_q(fraction + 1.0, load)
    )
    return math.inf if log_inverse > _LOG_HUGE else max(1.0, math.exp(log_inverse))


def erlang_b(agents: float, load: float) -> float:
    r"""Erlang B blocking probability of ``agents`` servers offered ``load`` Erlangs.

    Computed with the recursion :math:`B(n) = A B(n-1) / (n + A B(n-1))`, written
    on the inverse (:math:`B(n)^{-1} = 1 + B(n-1)^{-1} n / A`), which never
    forms a factorial or a power and is stable for any number of agents.

    ``agents`` may be fractional, as in the Excel Erlang add-ins: the
    continuous extension :math:`B(x, A) = A^{x} e^{-A} / \Gamma(x + 1, A)`
    (upper incomplete gamma) gives :math:`B(f)` for the fractional part
    :math:`f`, and the same recursion climbs from there. It agrees with the
    integer formula at whole numbers and rises smoothly between them.

    Examples
    --------
    >>> round(erlang_b(10, 8.0), 6)
    0.121661
    >>> erlang_b(5000, 100.0)
    0.0
    >>> round(erlang_b(10.5, 8.0), 6)  # between B(10) and B(11)
    0.100106
    """
    agents = _check_agents(agents, "erlang_b")
    if load < 0 or not math.isfinite(load):
        raise InvalidParameterError(
            f"The 'load' parameter of erlang_b must be a finite number >= 0. Got {load!r} instead."
        )
    if load == 0:
        return 0.0
    return 1.0 / _inverse_erlang_b(agents, load)


def _erlang_c_from_b(agents: float, load: float, blocking: float) -> float:
    return agents * blocking / (agents - load * (1.0 - blocking))


@dataclass(frozen=True)
class ErlangC:
    r"""Erlang C queue (M/M/N): Poisson arrivals, exponential handle times, no abandonment.

    The offered traffic is :math:`A = \lambda \cdot \mathrm{AHT}` Erlangs
    (``arrivals * aht / interval``). With :math:`N > A` agents:

    .. math::
        P_w = \frac{N B}{N - A (1 - B)},\qquad
        \mathrm{SL}(t) = 1 - P_w e^{-(N - A) t / \mathrm{AHT}},\qquad
        \mathrm{ASA} = \frac{P_w \cdot \mathrm{AHT}}{N - A},\qquad
        \text{occupancy} = \frac{A}{N}

    where :math:`B` is Erlang B (:func:`erlang_b`). With :math:`N \le A` the queue
    grows without bound and every method raises :class:`UnstableQueueError`.
    ``agents`` may be fractional (:func:`erlang_b` extends to real :math:`N`),
    as in the Excel Erlang add-ins; whole numbers give the classic results.
    Erlang C ignores callers who hang up, so it overstates waits and staffing when
    callers abandon; see :class:`~cxmetrics.staffing.ErlangA`.

    Parameters
    ----------
    arrivals : float
        Contacts arriving per ``interval`` (≥ 0).
    interval : timedelta or float
        Length of the interval (numbers are seconds), e.g. 30 minutes.
    aht : timedelta or float
        Average handle time (talk + hold + wrap).

    Examples
    --------
    100 calls per half hour, AHT 3 minutes: 10 Erlangs.

    >>> from datetime import timedelta
    >>> q = ErlangC(100, timedelta(minutes=30), timedelta(minutes=3))
    >>> q.traffic
    10.0
    >>> round(q.waiting_probability(12), 4), round(q.service_level(12, 20), 4)
    (0.4494, 0.6402)
    >>> q.average_speed_of_answer(12)
    datetime.timedelta(seconds=40, microseconds=444940)
    >>> q.required_agents(0.8, 20)
    14
    >>> q.required_agents(0.8, 20, shrinkage=0.3)
    20
    """

    arrivals: float
    interval: timedelta | float
    aht: timedelta | float

    def __post_init__(self) -> None:
        owner = type(self).__name__
        if (
            isinstance(self.arrivals, bool)
            or not isinstance(self.arrivals, (int, float))
            or not math.isfinite(self.arrivals)
            or self.arrivals < 0
        ):
            raise InvalidParameterError(
                f"The 'arrivals' parameter of {owner} must be a finite number >= 0. "
                f"Got {self.arrivals!r} instead."
            )
        _seconds(self.interval, "interval", owner)
        _seconds(self.aht, "aht", owner)

    @property
    def aht_seconds(self) -> float:
        """Average handle time in seconds."""
        return _seconds(self.aht, "aht", type(self).__name__)

    @property
    def arrival_rate(self) -> float:
        """Arrivals per second."""
        return float(self.arrivals) / _seconds(self.interval, "interval", type(self).__name__)

    @property
    def traffic(self) -> float:
        """Offered load A in Erlangs: arrivals × AHT / interval."""
        return self.arrival_rate * self.aht_seconds

    def _stable(self, agents: Any) -> float:
        n = _check_agents(agents, type(self).__name__)
        if n <= self.traffic:
            raise UnstableQueueError(
                f"{type(self).__name__}: {n} agents cannot serve a traffic load of "
                f"{self.traffic:.4g} Erlangs (arrivals × AHT / interval); the queue would grow "
                f"without bound. Use at least {math.floor(self.traffic) + 1} agents, or ErlangA, "
                "which lets callers abandon."
            )
        return n

    def waiting_probability(self, agents: float) -> float:
        """Probability that a contact waits at all (Erlang C formula), in [0, 1].

        Raises
        ------
        UnstableQueueError
            When ``agents`` ≤ the traffic load.

        Examples
        --------
        >>> round(ErlangC(100, 1800, 180).waiting_probability(11), 4)
        0.6821
        """
        n = self._stable(agents)
        load = self.traffic
        if load == 0:
            return 0.0
        return _erlang_c_from_b(n, load, 1.0 / _inverse_erlang_b(n, load))

    def service_level(self, agents: float, target: timedelta | float) -> float:
        """Share of contacts answered within ``target`` (numbers are seconds).

        Examples
        --------
        >>> round(ErlangC(100, 1800, 180).service_level(14, 20), 4)
        0.8884
        """
        wait_target = _seconds(target, "target", type(self).__name__, positive=False)
        n = self._stable(agents)
        p_wait = self.waiting_probability(n)
        return 1.0 - p_wait * math.exp(-(n - self.traffic) * wait_target / self.aht_seconds)

    def average_speed_of_answer(self, agents: float) -> timedelta:
        """Mean wait of all contacts (all are answered in Erlang C).

        Examples
        --------
        >>> ErlangC(100, 1800, 180).average_speed_of_answer(13).total_seconds() < 20
        True
        """
        n = self._stable(agents)
        seconds = self.waiting_probability(n) * self.aht_seconds / (n - self.traffic)
        if seconds > _MAX_TIMEDELTA_SECONDS:
            # Agents a hair above the load: stable on paper, a wait of millions of years.
            raise UnstableQueueError(
                f"{type(self).__name__}: {n} agents barely exceed the traffic load of "
                f"{self.traffic!r} Erlangs; the average speed of answer ({seconds:.3g} s) "
                "is beyond what a timedelta can hold. Add agents."
            )
        return timedelta(seconds=seconds)

    def occupancy(self, agents: float) -> float:
        """Share of agent time spent handling contacts: A / N.

        Examples
        --------
        >>> ErlangC(100, 1800, 180).occupancy(12)
        0.8333333333333334
        """
        return self.traffic / self._stable(agents)

    def required_agents(
        self,
        service_level: float | None = None,
        target: timedelta | float | None = None,
        *,
        asa: timedelta | float | None = None,
        max_occupancy: float | None = None,
        shrinkage: float = 0.0,
    ) -> int:
        r"""The fewest agents meeting every given target, grossed up for shrinkage.

        The smallest :math:`N > A` with service level ≥ ``service_level`` at
        ``target``, ASA ≤ ``asa`` and occupancy ≤ ``max_occupancy`` (each only when
        given), then :math:`\lceil N / (1 - \text{shrinkage}) \rceil` to cover
        breaks, training and absence.

        Parameters
        ----------
        service_level : float, optional
            Share in (0, 1) to answer within ``target``; given together with ``target``.
        target : timedelta or float, optional
            Answer-time target of the service level (numbers are seconds).
        asa : timedelta or float, optional
            Maximum average speed of answer.
        max_occupancy : float, optional
            Maximum occupancy in (0, 1].
        shrinkage : float, default=0.0
            Share of paid time agents are unavailable, in [0, 1).

        Returns
        -------
        int
            Agents to schedule.

        Raises
        ------
        InvalidParameterError
            When no target is given, ``service_level`` comes without ``target`` (or
            the reverse), or a value is out of range.

        Examples
        --------
        >>> q = ErlangC(100, 1800, 180)
        >>> q.required_agents(0.8, 20), q.required_agents(asa=15), q.required_agents(max_occupancy=0.85)
        (14, 14, 12)
        """
        goals = self._goals(service_level, target, asa, max_occupancy, shrinkage)
        load = self.traffic
        n = max(math.floor(load) + 1, 1)
        if max_occupancy is not None:
            n = max(n, math.ceil(round(load / max_occupancy, 9)))
        inverse = _inverse_erlang_b(n, load) if load > 0 else math.inf
        while not self._meets(n, inverse, goals):
            if n >= _MAX_AGENTS:  # pragma: no cover - unreachable for finite targets
                raise InvalidParameterError(
                    f"no staffing below {_MAX_AGENTS} agents meets the targets"
                )
            n += 1
            inverse = 1.0 + inverse * n / load if inverse < _HUGE else math.inf
        return math.ceil(round(n / (1.0 - shrinkage), 9))

    def _goals(
        self,
        service_level: float | None,
        target: timedelta | float | None,
        asa: timedelta | float | None,
        max_occupancy: float | None,
        shrinkage: float,
        *,
        owner: str = "ErlangC.required_agents",
        extra_goal: bool = False,
    ) -> dict[str, float]:
        goals: dict[str, float] = {}
        if (service_level is None) != (target is None):
            raise InvalidParameterError(
                f"The 'service_level' and 'target' parameters of {owner} go together: "
                f"give both or neither. Got service_level={service_level!r}, target={target!r}."
            )
        if service_level is not None and target is not None:
            if not 0.0 < service_level < 1.0:
                raise InvalidParameterError(
                    f"The 'service_level' parameter of {owner} must be a share in (0, 1). "
                    f"Got {service_level!r} instead."
                )
            goals["service_level"] = float(service_level)
            goals["target"] = _seconds(target, "target", owner, positive=False)
        if asa is not None:
            goals["asa"] = _seconds(asa, "asa", owner)
        if max_occupancy is not None:
            if not 0.0 < max_occupancy <= 1.0:
                raise InvalidParameterError(
                    f"The 'max_occupancy' parameter of {owner} must be in (0, 1]. "
                    f"Got {max_occupancy!r} instead."
                )
            goals["max_occupancy"] = float(max_occupancy)
        if not 0.0 <= shrinkage < 1.0:
            raise InvalidParameterError(
                f"The 'shrinkage' parameter of {owner} must be in [0, 1). Got {shrinkage!r} instead."
            )
        if not goals and not extra_goal:
            raise InvalidParameterError(
                f"{owner} needs a target: service_level and target, asa, or max_occupancy."
            )
        return goals

    def _meets(self, n: int, inverse_b: float, goals: dict[str, float]) -> bool:
        load = self.traffic
        p_wait = 0.0 if load == 0 else _erlang_c_from_b(n, load, 1.0 / inverse_b)
        if "service_level" in goals:
            level = 1.0 - p_wait * math.exp(-(n - load) * goals["target"] / self.aht_seconds)
            if level < goals["service_level"]:
                return False
        if "asa" in goals and p_wait * self.aht_seconds / (n - load) > goals["asa"]:
            return False
        return not ("max_occupancy" in goals and load / n > goals["max_occupancy"] + 1e-12)
