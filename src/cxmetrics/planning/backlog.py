"""Backlog of asynchronous work (e-mail, tickets): forecast arrivals against solve capacity."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.calendars import BusinessCalendar
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.planning._grid import FloatArray, Grid
from cxmetrics.planning.forecast import VolumeForecast

__all__ = ["BacklogProjection", "project_backlog"]

_DAY = 86400.0
_HOUR = 3600.0


@dataclass(frozen=True, eq=False)
class BacklogProjection:
    """Open work at the end of every interval, under the forecast and its band.

    Attributes
    ----------
    start_at : numpy.ndarray of float64
        UTC epoch seconds of each interval's start.
    arrivals, capacity : numpy.ndarray of float64
        Forecast arrivals and tickets the agents can solve in each interval.
    backlog, backlog_low, backlog_high : numpy.ndarray of float64
        Open tickets at each interval's end with the forecast, lower and upper
        arrivals.
    days_to_clear, days_to_clear_low, days_to_clear_high : float
        Days from the start until the backlog first reaches 0 (``inf`` when it
        does not within the horizon; 0 when it starts empty). ``low`` uses the
        lower arrivals, ``high`` the upper ones.
    agents_needed, agents_needed_high : float or None
        The fewest agents (constant over the open hours) with which every ticket
        is solved within ``resolution_target`` (forecast and upper arrivals);
        ``None`` without a target.
    interval : float
    timezone : str
    """

    start_at: FloatArray
    arrivals: FloatArray
    capacity: FloatArray
    backlog: FloatArray
    backlog_low: FloatArray
    backlog_high: FloatArray
    days_to_clear: float
    days_to_clear_low: float
    days_to_clear_high: float
    agents_needed: float | None
    agents_needed_high: float | None
    interval: float
    timezone: str

    def __len__(self) -> int:
        return len(self.start_at)

    def to_dict(self) -> dict[str, list[Any]]:
        """``{column: values}`` with ``start_at`` as aware datetimes."""
        grid = Grid(self.interval, self.timezone)
        table: dict[str, list[Any]] = {"start_at": grid.starts(grid.slot_of(self.start_at))}
        for name in ("arrivals", "capacity", "backlog", "backlog_low", "backlog_high"):
            table[name] = getattr(self, name).tolist()
        return table

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by ``start_at``; needs pandas."""
        pd = import_optional("pandas", extra="dataframes", feature="BacklogProjection.to_pandas")
        return pd.DataFrame(self.to_dict()).set_index("start_at")


def project_backlog(
    arrivals: VolumeForecast,
    *,
    agents: float | Any,
    tickets_per_agent_hour: float,
    backlog: float = 0.0,
    calendar: BusinessCalendar | None = None,
    shrinkage: float = 0.0,
    resolution_target: timedelta | float | None = None,
) -> BacklogProjection:
    r"""Project the backlog from forecast arrivals and solve capacity; days to clear; agents needed.

    Work is a fluid served first come, first served. In interval :math:`t`
    agents solve :math:`c_t = \text{agents}_t (1 - \text{shrinkage})
    \cdot \text{tickets per agent-hour} \cdot \text{open hours}_t` tickets and
    the backlog follows Lindley's recursion
    :math:`B_{t+1} = \max(0, B_t + a_t - c_t)`, computed in closed form with
    cumulative sums. Run with the forecast's lower and upper arrivals it gives
    the band, and the "days to clear" an interval.

    With ``resolution_target``, the fewest agents (constant, on the calendar's
    open hours) such that every ticket, the starting backlog included (taken as
    arriving at the start), is solved within the target: the ticket at
    cumulative position :math:`P` is solved when the work done (work offered
    minus backlog; idle capacity is not banked) reaches :math:`P`. Tickets whose fate lies beyond the horizon count only when they
    have already waited longer than the target by its end.

    Parameters
    ----------
    arrivals : VolumeForecast
        Forecast arrivals per interval (forecast without a calendar when tickets
        arrive around the clock: the calendar here says when agents work).
    agents : float or array of float
        Agents scheduled, one number or one per interval.
    tickets_per_agent_hour : float
        Solve rate of one productive agent.
    backlog : float, default=0
        Open tickets at the start.
    calendar : BusinessCalendar, optional
        Working hours; agents solve only while it is open (always, without one).
    shrinkage : float, default=0
        Share of scheduled time not spent solving, in [0, 1).
    resolution_target : timedelta or float, optional
        Time to resolution every ticket should meet (numbers are seconds).

    Returns
    -------
    BacklogProjection

    Examples
    --------
    200 tickets open, 10 new per hour around the clock, 3 agents solving 5 an hour each:
    the backlog falls by 5 an hour and is gone after 40 hours.

    >>> from datetime import datetime, timezone
    >>> import numpy as np
    >>> from cxmetrics.planning import VolumeForecast
    >>> hours = 72
    >>> start = datetime(2024, 3, 4, tzinfo=timezone.utc).timestamp()
    >>> flat = np.full(hours, 10.0)
    >>> f = VolumeForecast(start_at=start + 3600.0 * np.arange(hours), forecast=flat,
    ...                    lower=flat * 0.8, upper=flat * 1.2, open=flat > 0, interval=3600.0,
    ...                    timezone="UTC", level=0.8, method="given",
    ...                    history_start_at=np.zeros(0), history=np.zeros(0))
    >>> p = project_backlog(f, agents=3, tickets_per_agent_hour=5, backlog=200,
    ...                     resolution_target=86400)
    >>> p.backlog[:3].tolist(), p.days_to_clear * 24
    ([195.0, 190.0, 185.0], 40.0)
    >>> round(p.days_to_clear_low * 24, 2), round(p.days_to_clear_high * 24, 2)
    (28.57, 66.67)

    Two agents solve 10 an hour, as many as come: every ticket waits the 20 hours
    the starting backlog takes, within a one-day target; one agent is not enough.

    >>> p.agents_needed, p.agents_needed_high
    (2.0, 3.0)
    """
    owner = "project_backlog"
    size = len(arrivals)
    if not 0.0 <= shrinkage < 1.0:
        raise InvalidParameterError(
            f"The 'shrinkage' parameter of {owner} must be in [0, 1). Got {shrinkage!r} instead."
        )
    rate = _positive(tickets_per_agent_hour, "tickets_per_agent_hour", owner)
    if not (math.isfinite(backlog) and backlog >= 0):
        raise InvalidParameterError(
            f"The 'backlog' parameter of {owner} must be a number >= 0. Got {backlog!r} instead."
        )
    staff = np.broadcast_to(np.asarray(agents, dtype=np.float64), (size,))
    if not np.all(np.isfinite(staff) & (staff >= 0)):
        bad = int(np.flatnonzero(~(np.isfinite(staff) & (staff >= 0)))[0])
        raise InvalidParameterError(
            f"The 'agents' parameter of {owner} must be numbers >= 0; interval {bad} has "
            f"{staff[bad]!r}."
        )
    if calendar is None:
        open_hours = np.full(size, arrivals.interval / _HOUR)
    else:
        ends = arrivals.start_at + arrivals.interval
        open_hours = calendar.business_seconds(arrivals.start_at, ends) / _HOUR
    per_agent = (1.0 - shrinkage) * rate * open_hours
    capacity = staff * per_agent
    projected = [
        _lindley(a, capacity, backlog) for a in (arrivals.forecast, arrivals.lower, arrivals.upper)
    ]
    clear = [
        _days_to_clear(b, a, capacity, backlog, arrivals.interval)
        for b, a in zip(projected, (arrivals.forecast, arrivals.lower, arrivals.upper), strict=True)
    ]
    needed: list[float | None] = [None, None]
    if resolution_target is not None:
        target = _positive(
            resolution_target.total_seconds()
            if isinstance(resolution_target, timedelta)
            else resolution_target,
            "resolution_target",
            owner,
        )
        needed = [
            _agents_needed(a, per_agent, backlog, arrivals.interval, target)
            for a in (arrivals.forecast, arrivals.upper)
        ]
    return BacklogProjection(
        start_at=arrivals.start_at,
        arrivals=arrivals.forecast,
        capacity=capacity,
        backlog=projected[0],
        backlog_low=projected[1],
        backlog_high=projected[2],
        days_to_clear=clear[0],
        days_to_clear_low=clear[1],
        days_to_clear_high=clear[2],
        agents_needed=needed[0],
        agents_needed_high=needed[1],
        interval=arrivals.interval,
        timezone=arrivals.timezone,
    )


def _positive(value: Any, name: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a positive number. Got {value!r} instead."
        )
    return float(value)


def _lindley(arrivals: FloatArray, capacity: FloatArray, start: float) -> FloatArray:
    """B_n = S_n − min(−B_0, min_{k≤n} S_k) with S_n = Σ_{i<n} (a_i − c_i): Lindley in closed form."""
    drift = np.cumsum(arrivals - capacity)
    lowest = np.minimum(np.minimum.accumulate(drift), -start)
    result: FloatArray = np.maximum(drift - lowest, 0.0)
    return result


def _days_to_clear(
    backlog: FloatArray, arrivals: FloatArray, capacity: FloatArray, start: float, interval: float
) -> float:
    """Days until the backlog first reaches 0, linear within the interval where it does."""
    if start <= 0:
        return 0.0
    empty = np.flatnonzero(backlog <= 1e-9)
    if empty.size == 0:
        return math.inf
    t = int(empty[0])
    before = start if t == 0 else float(backlog[t - 1])
    fall = float(capacity[t] - arrivals[t])  # > 0: the interval ends empty
    return (t + min(1.0, before / fall)) * interval / _DAY


def _solve_times(positions: FloatArray, departed: FloatArray, interval: float) -> FloatArray:
    """Time (seconds from the start) at which cumulative departures reach each position.

    ``departed[i]`` is the work done by the end of interval ``i`` (linear within
    it); ``inf`` beyond the horizon.
    """
    edges = np.concatenate([[0.0], departed])
    index = np.searchsorted(edges, positions, side="left")
    inside = index < edges.size
    result = np.full(positions.size, np.inf)
    i = index[inside]
    low = edges[np.maximum(i - 1, 0)]
    high = edges[i]
    width = np.where(high > low, high - low, 1.0)
    share = np.where(i > 0, (positions[inside] - low) / width, 0.0)
    result[inside] = (np.maximum(i - 1, 0) + share) * interval
    return result


def _longest_wait(
    arrivals: FloatArray, capacity: FloatArray, start: float, interval: float
) -> float:
    came = np.cumsum(arrivals)
    # Work done = work offered − work left: idle capacity is not banked.
    departed = start + came - _lindley(arrivals, capacity, start)
    horizon = arrivals.size * interval
    # The first and the last ticket of each interval (the starting backlog arrives at 0).
    first_position = start + np.concatenate([[0.0], came[:-1]]) + 1e-9
    last_position = start + came
    begins = np.arange(arrivals.size) * interval
    waits = []
    for position, arrived in ((first_position, begins), (last_position, begins + interval)):
        solved = _solve_times(position, departed, interval)
        wait = np.where(np.isfinite(solved), solved - arrived, horizon - arrived)
        waits.append(wait[arrivals > 0])  # an interval without arrivals has no ticket to wait
    if start > 0:
        waits.append(_solve_times(np.array([start]), departed, interval))
    return float(max(np.max(w) if w.size else 0.0 for w in waits))


def _agents_needed(
    arrivals: FloatArray, per_agent: FloatArray, start: float, interval: float, target: float
) -> float:
    def meets(agents: float) -> bool:
        return _longest_wait(arrivals, agents * per_agent, start, interval) <= target

    if not meets(1e9):  # closed longer than the target: no staffing is enough
        return math.inf
    low, high = 0.0, 1.0
    while not meets(high):
        low, high = high, high * 2.0
    while high - low > 1.0:
        middle = math.floor((low + high) / 2.0)
        if meets(middle):
            high = middle
        else:
            low = middle
    return float(high)
