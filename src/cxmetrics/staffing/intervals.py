"""Erlang C staffing of many intervals at once: one numpy pass up the agent counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxmetrics.staffing.erlang_c import _HUGE

__all__ = ["IntervalStaffing", "erlang_c_staffing"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class IntervalStaffing:
    """Agents per interval and the Erlang C measures they give (arrays of one length)."""

    agents: IntArray
    waiting_probability: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray


def erlang_c_staffing(
    traffic: FloatArray,
    aht: FloatArray,
    *,
    service_level: float | None = None,
    target: float | None = None,
    asa: float | None = None,
    max_occupancy: float | None = None,
) -> IntervalStaffing:
    """The fewest agents meeting the targets in every interval, as :meth:`ErlangC.required_agents`.

    ``traffic`` (Erlangs) and ``aht`` (seconds) are per interval; targets are in
    seconds and already validated. Intervals without traffic need 0 agents.
    Erlang B's inverse recursion runs for every interval at once, one agent count
    at a time, so a year of 15-minute intervals costs as many numpy steps as the
    busiest interval needs agents. The decisions are those of
    :meth:`ErlangC.required_agents`, with the same floating-point steps.

    Examples
    --------
    >>> plan = erlang_c_staffing(np.array([10.0, 0.0, 2.5]), np.array([180.0] * 3),
    ...                          service_level=0.8, target=20.0)
    >>> plan.agents.tolist()
    [14, 0, 5]
    """
    load = np.asarray(traffic, dtype=np.float64)
    handle = np.asarray(aht, dtype=np.float64)
    start = np.floor(load).astype(np.int64) + 1
    if max_occupancy is not None:
        start = np.maximum(start, np.ceil(np.round(load / max_occupancy, 9)).astype(np.int64))
    agents = np.zeros(load.size, dtype=np.int64)
    p_wait_out = np.zeros(load.size)
    pending = np.flatnonzero(load > 0)
    inverse = np.ones(pending.size)
    k = 0
    while pending.size:
        k += 1
        a = load[pending]
        with np.errstate(over="ignore", invalid="ignore"):
            inverse = 1.0 + inverse * k / a
        inverse[~(inverse <= _HUGE)] = np.inf
        ready = start[pending] <= k
        if not ready.any():
            continue
        blocking = 1.0 / inverse[ready]
        n = float(k)
        p_wait = n * blocking / (n - a[ready] * (1.0 - blocking))
        meets = np.ones(p_wait.size, dtype=bool)
        if service_level is not None and target is not None:
            level = 1.0 - p_wait * np.exp(-(n - a[ready]) * target / handle[pending[ready]])
            meets &= level >= service_level
        if asa is not None:
            meets &= p_wait * handle[pending[ready]] / (n - a[ready]) <= asa
        if max_occupancy is not None:
            meets &= a[ready] / n <= max_occupancy + 1e-12
        done = np.flatnonzero(ready)[meets]
        agents[pending[done]] = k
        p_wait_out[pending[done]] = p_wait[meets]
        keep = np.ones(pending.size, dtype=bool)
        keep[done] = False
        pending, inverse = pending[keep], inverse[keep]
    staffed = agents > 0
    slack = np.where(staffed, agents - load, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        level_at = np.where(
            staffed, 1.0 - p_wait_out * np.exp(-slack * (target or 0.0) / handle), 1.0
        )
        asa_at = np.where(staffed, p_wait_out * handle / slack, 0.0)
        occupancy = np.where(staffed, load / np.maximum(agents, 1), 0.0)
    return IntervalStaffing(
        agents=agents,
        waiting_probability=p_wait_out,
        service_level=level_at,
        asa_seconds=asa_at,
        occupancy=occupancy,
    )
