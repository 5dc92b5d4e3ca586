"""Erlang A (M/M/N+M, Palm's model): a queue whose callers abandon when impatient."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.staffing._gamma import log_lower_gamma_p as _log_lower_gamma_p
from cxmetrics.staffing.erlang_c import (
    _HUGE,
    _MAX_AGENTS,
    ErlangC,
    _check_agents,
    _inverse_erlang_b,
    _seconds,
)

__all__ = ["ErlangA"]

Abandons = Literal["exclude_short", "offered", "answered", "short_as_met"]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(24)


@dataclass(frozen=True)
class ErlangA:
    r"""Erlang A queue (M/M/N+M): Erlang C plus callers who abandon after an exponential patience.

    Arrivals at rate :math:`\lambda`, handle times of mean :math:`1/\mu`
    (``aht``), patience of mean :math:`1/\theta` (``patience``) and :math:`N`
    agents. With :math:`a = N\mu/\theta`, :math:`x = \lambda/\theta`, the lower
    incomplete gamma :math:`\gamma` and
    :math:`J = a\,x^{-a} e^{x}\,\gamma(a, x)` (the expected queue factor),
    :math:`B` Erlang B of :math:`N` agents and load :math:`A = \lambda/\mu`:

    .. math::
        P_w = \frac{J}{1/B + J - 1},\qquad
        P_{ab} = P_w\Big(1 - \frac{1}{\rho} + \frac{1}{\rho J}\Big),\ \rho = \frac{A}{N},\qquad
        P(V > t) = P_w \frac{\gamma(a, x e^{-\theta t})}{\gamma(a, x)}

    (Palm 1943; Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn 2007),
    where :math:`V` is the wait a caller would have if infinitely patient. A caller
    is answered when their patience exceeds :math:`V`. Every function is computed
    in log space, so thousands of agents are fine. Unlike Erlang C the queue is
    stable for any :math:`N \ge 1`, also :math:`N \le A`: callers abandon instead.
    :math:`N` may be fractional (every formula above is defined for real
    :math:`N > 0`), as in the Excel Erlang add-ins.

    Parameters
    ----------
    arrivals : float
        Contacts arriving per ``interval``.
    interval : timedelta or float
        Interval length (numbers are seconds).
    aht : timedelta or float
        Average handle time.
    patience : timedelta or float
        Mean time a caller is willing to wait before hanging up. Estimate it as
        (abandoned contacts) / (total wait of all contacts, answered and abandoned).

    Examples
    --------
    >>> from datetime import timedelta
    >>> q = ErlangA(100, timedelta(minutes=30), timedelta(minutes=3), patience=timedelta(minutes=2))
    >>> round(q.waiting_probability(12), 4), round(q.abandonment_probability(12), 4)
    (0.2798, 0.0616)
    >>> round(q.service_level(12, 20), 4)
    0.8546
    >>> q.required_agents(0.8, 20)
    12
    """

    arrivals: float
    interval: timedelta | float
    aht: timedelta | float
    patience: timedelta | float

    def __post_init__(self) -> None:
        # Erlang C validates the shared fields with the same messages.
        ErlangC(self.arrivals, self.interval, self.aht)
        _seconds(self.patience, "patience", type(self).__name__)

    @property
    def _erlang_c(self) -> ErlangC:
        return ErlangC(self.arrivals, self.interval, self.aht)

    @property
    def traffic(self) -> float:
        """Offered load A in Erlangs: arrivals × AHT / interval."""
        return self._erlang_c.traffic

    @property
    def _theta(self) -> float:
        return 1.0 / _seconds(self.patience, "patience", type(self).__name__)

    @property
    def _mu(self) -> float:
        return 1.0 / self._erlang_c.aht_seconds

    def _core(self, agents: Any) -> tuple[float, float, float, float]:
        """Return (N, P_w, log J, log P(a, x)) for ``agents``."""
        n = _check_agents(agents, type(self).__name__)
        return (n, *_core(self.arrivals, self._erlang_c.arrival_rate, self._mu, self._theta, n))

    def waiting_probability(self, agents: float) -> float:
        """Probability that an arriving contact finds every agent busy, in [0, 1].

        Examples
        --------
        >>> round(ErlangA(100, 1800, 180, 120).waiting_probability(10), 4)
        0.4969
        """
        return self._core(agents)[1]

    def abandonment_probability(self, agents: float) -> float:
        """Probability that a contact abandons before being answered, in [0, 1].

        Examples
        --------
        >>> round(ErlangA(100, 1800, 180, 120).abandonment_probability(8), 4)
        0.258
        """
        n, p_wait, log_j, _ = self._core(agents)
        load = self.traffic
        if load == 0 or p_wait == 0:
            return 0.0
        rho = load / n
        value = p_wait * (1.0 - 1.0 / rho + math.exp(-log_j) / rho)
        return min(1.0, max(0.0, value))

    def _tail(self, agents: float, t: Any) -> Any:
        """P(V > t) for an array of waits ``t`` (seconds)."""
        n, p_wait, _, log_p_x = self._core(agents)
        times = np.atleast_1d(np.asarray(t, dtype=np.float64))
        if p_wait == 0.0:
            return np.zeros_like(times)
        theta = self._theta
        a = n * self._mu / theta
        x = self._erlang_c.arrival_rate / theta
        log_p = np.array([_log_lower_gamma_p(a, x * math.exp(-theta * s)) for s in times])
        return p_wait * np.exp(log_p - log_p_x)

    def _abandoned_within(self, agents: float, target: float) -> float:
        # P(patience ≤ t and patience < V) = ∫_0^t θ e^{-θs} P(V > s) ds.
        if target <= 0:
            return 0.0
        theta = self._theta
        s = (target / 2.0) * (_NODES + 1.0)
        integrand = theta * np.exp(-theta * s) * self._tail(agents, s)
        return float((target / 2.0) * np.dot(_WEIGHTS, integrand))

    def _answered_within(self, agents: float, target: float) -> float:
        # P(answered, wait ≤ t) = 1 - P(min(V, patience) > t) - P(abandoned by t).
        survive = math.exp(-self._theta * target) * float(self._tail(agents, target)[0])
        return max(0.0, 1.0 - survive - self._abandoned_within(agents, target))

    def service_level(
        self, agents: float, target: timedelta | float, *, abandons: Abandons = "exclude_short"
    ) -> float:
        """Share of contacts answered within ``target``, abandons treated as in the metric.

        ``abandons`` follows :func:`cxmetrics.metrics.service_level.service_level`
        with the short-abandon threshold equal to ``target``: ``"exclude_short"``
        (default) answered in time / (1 − abandoned in time); ``"offered"``
        answered in time / all; ``"answered"`` answered in time / answered;
        ``"short_as_met"`` (answered + abandoned in time) / all.

        Examples
        --------
        >>> q = ErlangA(100, 1800, 180, 120)
        >>> round(q.service_level(12, 20), 4), round(q.service_level(12, 20, abandons="offered"), 4)
        (0.8546, 0.8256)
        """
        wait_target = _seconds(target, "target", type(self).__name__, positive=False)
        agents = _check_agents(agents, type(self).__name__)
        answered_in_time = self._answered_within(agents, wait_target)
        if abandons == "offered":
            return answered_in_time
        abandoned_in_time = self._abandoned_within(agents, wait_target)
        if abandons == "short_as_met":
            return min(1.0, answered_in_time + abandoned_in_time)
        if abandons == "answered":
            answered = 1.0 - self.abandonment_probability(agents)
            return min(1.0, answered_in_time / answered) if answered > 0 else math.nan
        if abandons == "exclude_short":
            return min(1.0, answered_in_time / (1.0 - abandoned_in_time))
        raise InvalidParameterError(
            "The 'abandons' parameter of ErlangA.service_level must be 'exclude_short', "
            f"'offered', 'answered' or 'short_as_met'. Got {abandons!r} instead."
        )

    def average_wait(self, agents: float) -> timedelta:
        r"""Mean time in queue of all contacts, answered or abandoned: :math:`P_{ab}/\theta`.

        Examples
        --------
        >>> ErlangA(100, 1800, 180, 120).average_wait(12).total_seconds() < 30
        True
        """
        return timedelta(seconds=self.abandonment_probability(agents) / self._theta)

    def average_speed_of_answer(self, agents: float) -> timedelta:
        r"""Mean wait of the answered contacts, :math:`E[V e^{-\theta V}] / (1 - P_{ab})`.

        Examples
        --------
        >>> q = ErlangA(100, 1800, 180, 120)
        >>> round(q.average_speed_of_answer(12).total_seconds(), 2)
        6.33
        """
        agents = _check_agents(agents, type(self).__name__)
        answered = 1.0 - self.abandonment_probability(agents)
        if answered <= 0:
            return timedelta(0)
        return timedelta(seconds=self._answered_wait_mass(agents) / answered)

    def _answered_wait_mass(self, agents: float) -> float:
        # E[V e^{-θV}] = ∫_0^∞ (1 - θv) e^{-θv} P(V > v) dv, on geometric panels that
        # resolve both the service scale 1/(Nμ) and the patience scale 1/θ.
        theta = self._theta
        scale = min(1.0 / (agents * self._mu), 1.0 / theta)
        edges = np.concatenate([[0.0], scale / 16.0 * 2.0 ** np.arange(0, 64)])
        edges = edges[edges <= 60.0 / theta + scale]
        total = 0.0
        for low, high in itertools.pairwise(edges):
            v = low + (high - low) / 2.0 * (_NODES + 1.0)
            f = (1.0 - theta * v) * np.exp(-theta * v) * self._tail(agents, v)
            total += (high - low) / 2.0 * float(np.dot(_WEIGHTS, f))
        return max(0.0, total)

    def occupancy(self, agents: float) -> float:
        """Share of agent time handling contacts: answered load / N.

        Examples
        --------
        >>> round(ErlangA(100, 1800, 180, 120).occupancy(10), 4)
        0.8625
        """
        n = _check_agents(agents, type(self).__name__)
        # Clipped: rounding in P_ab can push a saturated queue a hair above 1.
        return min(1.0, self.traffic * (1.0 - self.abandonment_probability(n)) / n)

    def required_agents(
        self,
        service_level: float | None = None,
        target: timedelta | float | None = None,
        *,
        asa: timedelta | float | None = None,
        max_occupancy: float | None = None,
        max_abandonment: float | None = None,
        shrinkage: float = 0.0,
        abandons: Abandons = "exclude_short",
    ) -> int:
        """The fewest agents meeting every given target, grossed up for shrinkage.

        Same parameters as :meth:`ErlangC.required_agents`, plus
        ``max_abandonment`` (largest abandonment probability allowed) and the
        service-level ``abandons`` treatment. Every measure improves with more
        agents, so a bisection below the Erlang C answer finds the least.

        Examples
        --------
        >>> q = ErlangA(100, 1800, 180, 120)
        >>> q.required_agents(0.8, 20), q.required_agents(max_abandonment=0.05)
        (12, 13)
        """
        owner = f"{type(self).__name__}.required_agents"
        goals = self._erlang_c._goals(
            service_level,
            target,
            asa,
            max_occupancy,
            shrinkage,
            owner=owner,
            extra_goal=max_abandonment is not None,
        )
        if max_abandonment is not None:
            if not 0.0 < max_abandonment < 1.0:
                raise InvalidParameterError(
                    f"The 'max_abandonment' parameter of {owner} must be in (0, 1). "
                    f"Got {max_abandonment!r} instead."
                )
            goals["max_abandonment"] = float(max_abandonment)
        goals.pop("max_occupancy", None)  # Erlang A occupancy falls with N; checked below

        def meets(n: int) -> bool:
            if "service_level" in goals and (
                self.service_level(n, goals["target"], abandons=abandons) < goals["service_level"]
            ):
                return False
            if "asa" in goals and self.average_speed_of_answer(n).total_seconds() > goals["asa"]:
                return False
            if "max_abandonment" in goals and (
                self.abandonment_probability(n) > goals["max_abandonment"]
            ):
                return False
            return not (max_occupancy is not None and self.occupancy(n) > max_occupancy + 1e-12)

        low, high = 0, max(1, math.floor(self.traffic) + 1)
        while not meets(high):  # doubling, then bisection on the monotone criteria
            low, high = high, high * 2
            if high > _MAX_AGENTS:  # pragma: no cover - unreachable for finite targets
                raise InvalidParameterError(
                    f"no staffing below {_MAX_AGENTS} agents meets the targets"
                )
        while high - low > 1:
            middle = (low + high) // 2
            if meets(middle):
                high = middle
            else:
                low = middle
        return math.ceil(round(high / (1.0 - shrinkage), 9))


@lru_cache(maxsize=4096)
def _core(
    arrivals: float, lam: float, mu: float, theta: float, n: float
) -> tuple[float, float, float]:
    """(P_w, log J, log P(a, x)) of M/M/n+M; cached because every measure needs them."""
    if arrivals == 0:
        return (0.0, 0.0, -math.inf)
    a = n * mu / theta
    x = lam / theta
    log_p = _log_lower_gamma_p(a, x)
    log_j = x - a * math.log(x) + math.lgamma(a + 1.0) + log_p
    inverse_b = _inverse_erlang_b(n, lam / mu)
    if inverse_b >= _HUGE:
        return (0.0, log_j, log_p)
    # P_w = J / (1/B + J - 1) = 1 / (1 + (1/B - 1) / J), in logs to survive huge J.
    ratio = (inverse_b - 1.0) * math.exp(-log_j) if log_j < 700 else 0.0
    return (1.0 / (1.0 + ratio), log_j, log_p)
