"""Required agents for every interval of a forecast: Erlang C or A, shrinkage, totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.planning._grid import FloatArray, Grid
from cxmetrics.planning.forecast import VolumeForecast
from cxmetrics.staffing import ErlangA, ErlangC
from cxmetrics.staffing.intervals import erlang_c_staffing
from cxmetrics.tables.inputs import call_columns

__all__ = ["StaffingPlan", "staffing_plan"]

Model = Literal["erlang_c", "erlang_a"]
_HOUR = 3600.0


@dataclass(frozen=True, eq=False)
class StaffingPlan:
    """Agents per interval and what they are expected to achieve.

    Attributes
    ----------
    start_at : numpy.ndarray of float64
        UTC epoch seconds of each interval's start.
    forecast, aht, traffic : numpy.ndarray of float64
        Contacts expected, AHT (seconds) and offered load (Erlangs) per interval.
    agents : numpy.ndarray of float64
        Agents needed on the phones (whole numbers unless ``fractional``).
    scheduled : numpy.ndarray of float64
        Agents to schedule: ``agents / (1 - shrinkage)``, rounded up unless
        ``fractional``.
    service_level, asa, abandonment, occupancy : numpy.ndarray of float64
        Expected per interval at ``agents`` (ASA in seconds; the service level
        at ``target``, or the share answered at once without a target); 0
        agents: 1, 0, 0, 0.
    interval : float
        Interval length in seconds.
    timezone : str
    model : str
    shrinkage : float
    hours_per_fte : float
        Paid hours of one full-time agent per week.
    """

    start_at: FloatArray
    forecast: FloatArray
    aht: FloatArray
    traffic: FloatArray
    agents: FloatArray
    scheduled: FloatArray
    service_level: FloatArray
    asa: FloatArray
    abandonment: FloatArray
    occupancy: FloatArray
    interval: float
    timezone: str
    model: str
    shrinkage: float
    hours_per_fte: float

    def __len__(self) -> int:
        return len(self.start_at)

    @property
    def agent_hours(self) -> float:
        """Scheduled agent-hours over the whole plan."""
        return float(self.scheduled.sum() * self.interval / _HOUR)

    @property
    def fte(self) -> float:
        """Full-time equivalents: agent-hours per week of plan / ``hours_per_fte``."""
        weeks = len(self) * self.interval / (7 * 86400.0)
        return self.agent_hours / weeks / self.hours_per_fte if weeks > 0 else 0.0

    @property
    def starts(self) -> list[datetime]:
        """Aware local start of each interval."""
        grid = Grid(self.interval, self.timezone)
        return grid.starts(grid.slot_of(self.start_at))

    COLUMNS = (
        "forecast",
        "aht",
        "traffic",
        "agents",
        "scheduled",
        "service_level",
        "asa",
        "abandonment",
        "occupancy",
    )

    def to_dict(self) -> dict[str, list[Any]]:
        """``{column: values}``: ``start_at`` (aware datetimes) and the per-interval columns."""
        table: dict[str, list[Any]] = {"start_at": self.starts}
        for name in self.COLUMNS:
            table[name] = getattr(self, name).tolist()
        return table

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by ``start_at`` (tz-aware); needs pandas."""
        pd = import_optional("pandas", extra="dataframes", feature="StaffingPlan.to_pandas")
        return pd.DataFrame(self.to_dict()).set_index("start_at")

    def totals(self) -> dict[str, float]:
        """Contacts, agent-hours and FTE over the plan."""
        return {
            "contacts": float(self.forecast.sum()),
            "agent_hours": self.agent_hours,
            "fte": self.fte,
        }


def staffing_plan(
    forecast: VolumeForecast,
    *,
    aht: timedelta | float | None = None,
    history: Any = None,
    service_level: float | None = 0.8,
    target: timedelta | float | None = 20.0,
    asa: timedelta | float | None = None,
    model: Model = "erlang_c",
    patience: timedelta | float | None = None,
    max_abandonment: float | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    fractional: bool = False,
    hours_per_fte: float = 40.0,
) -> StaffingPlan:
    r"""Required agents for every interval of ``forecast``, with expected service per interval.

    Each interval is one queue: ``forecast`` contacts over the interval, handled
    in ``aht``, staffed with the fewest agents meeting the targets, as
    :meth:`ErlangC.required_agents <cxmetrics.staffing.ErlangC.required_agents>`
    or :meth:`ErlangA.required_agents <cxmetrics.staffing.ErlangA.required_agents>`
    would answer for that interval alone (a test checks they agree). Intervals
    with no contacts expected (closed) get 0 agents. Erlang C runs vectorised
    over all intervals; Erlang A interval by interval.

    Parameters
    ----------
    forecast : VolumeForecast
        From :func:`~cxmetrics.planning.forecast_volume`.
    aht : timedelta or float, optional
        Average handle time (numbers are seconds). When not given, the AHT of
        ``history`` per interval of the week (contacts answered in that
        interval), or its overall AHT where an interval of the week saw no
        answered contact.
    history : calls, optional
        Past calls (records or a table), for the AHT and the patience.
    service_level, target : float and timedelta or float, default=0.8 and 20 s
        Share to answer within ``target``; ``None`` for no service-level goal.
    asa : timedelta or float, optional
        Maximum average speed of answer.
    model : {"erlang_c", "erlang_a"}, default="erlang_c"
    patience : timedelta or float, optional
        Mean patience for Erlang A; estimated from ``history`` when not given
        (total wait of all contacts / abandoned contacts).
    max_abandonment : float, optional
        Erlang A only: largest abandonment probability allowed.
    shrinkage : float, default=0.0
        Share of paid time agents are unavailable, in [0, 1).
    max_occupancy : float, optional
    fractional : bool, default=False
        Fractional agents: the least real number of agents meeting the targets
        (the Erlang formulas are defined for real agents), and scheduled agents
        not rounded up. Slower: a bisection per interval.
    hours_per_fte : float, default=40.0
        Paid hours of one full-time agent per week, for :attr:`StaffingPlan.fte`.

    Returns
    -------
    StaffingPlan
        ``to_pandas()`` has one row per interval indexed by ``start_at``;
        ``totals()`` gives contacts, agent-hours and FTE.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Call
    >>> from cxmetrics.planning import forecast_volume
    >>> day0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> calls = [Call(at=day0 + timedelta(days=d, hours=9, minutes=m), talk=240)
    ...          for d in range(14) for m in range(0, 60, 2)]
    >>> f = forecast_volume(calls, interval="1h", horizon="1D", method="weekly_mean",
    ...                     as_of=day0 + timedelta(days=14))
    >>> plan = staffing_plan(f, history=calls, service_level=0.8, target=20, shrinkage=0.25)
    >>> plan.forecast[9].round(6), plan.aht[9], plan.agents[9], plan.scheduled[9]
    (np.float64(30.0), np.float64(240.0), np.float64(4.0), np.float64(6.0))
    >>> plan.totals()["agent_hours"]
    6.0
    """
    owner = "staffing_plan"
    if model not in ("erlang_c", "erlang_a"):
        raise InvalidParameterError(
            f"The 'model' parameter of {owner} must be 'erlang_c' or 'erlang_a'. Got {model!r}."
        )
    if not 0.0 <= shrinkage < 1.0:
        raise InvalidParameterError(
            f"The 'shrinkage' parameter of {owner} must be in [0, 1). Got {shrinkage!r} instead."
        )
    if not hours_per_fte > 0:
        raise InvalidParameterError(
            f"The 'hours_per_fte' parameter of {owner} must be positive. Got {hours_per_fte!r}."
        )
    if max_abandonment is not None and model != "erlang_a":
        raise InvalidParameterError(
            f"The 'max_abandonment' parameter of {owner} needs model='erlang_a' "
            "(Erlang C callers never abandon)."
        )
    grid = Grid(forecast.interval, forecast.timezone)
    handle = _aht_per_interval(forecast, grid, aht, history, owner)
    # The goals go through ErlangC's own checks (same messages, same ranges).
    probe = ErlangC(1.0, forecast.interval, 1.0)
    goals = probe._goals(
        service_level,
        target,
        asa,
        max_occupancy,
        shrinkage,
        owner=owner,
        extra_goal=max_abandonment is not None,
    )
    # As ErlangC computes it: arrivals / interval, times AHT.
    traffic = forecast.forecast / forecast.interval * handle
    if model == "erlang_c":
        measures = _erlang_c(forecast, traffic, handle, goals, fractional)
    else:
        wait_patience = _patience(patience, history, owner)
        measures = _erlang_a(
            forecast, handle, wait_patience, goals, max_abandonment, max_occupancy, fractional
        )
    agents = measures[0]
    scheduled = agents / (1.0 - shrinkage)
    if not fractional:
        scheduled = np.ceil(np.round(scheduled, 9))
    return StaffingPlan(
        start_at=forecast.start_at,
        forecast=forecast.forecast,
        aht=handle,
        traffic=traffic,
        agents=agents,
        scheduled=scheduled,
        service_level=measures[1],
        asa=measures[2],
        abandonment=measures[3],
        occupancy=measures[4],
        interval=forecast.interval,
        timezone=forecast.timezone,
        model=model,
        shrinkage=shrinkage,
        hours_per_fte=hours_per_fte,
    )


Measures = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]


def _aht_per_interval(
    forecast: VolumeForecast, grid: Grid, aht: Any, history: Any, owner: str
) -> FloatArray:
    size = len(forecast)
    if aht is not None:
        seconds = aht.total_seconds() if isinstance(aht, timedelta) else aht
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise InvalidParameterError(
                f"The 'aht' parameter of {owner} must be a positive duration. Got {aht!r} instead."
            )
        return np.full(size, float(seconds))
    if history is None:
        raise InvalidParameterError(
            f"{owner} needs the AHT: give aht=, or history= (past calls) to measure it."
        )
    calls = call_columns(history, owner=owner).only(inbound=True)
    answered = calls.answered
    if not answered.any():
        raise InvalidParameterError(f"{owner}: the history has no answered call to measure AHT.")
    week_slots = grid.week_slot(grid.slot_of(calls.at[answered]))
    handled = calls.handle[answered]
    sums = np.bincount(week_slots, weights=handled, minlength=grid.per_week)
    seen = np.bincount(week_slots, minlength=grid.per_week)
    overall = float(handled.mean())
    per_slot = np.divide(sums, seen, out=np.full(grid.per_week, overall), where=seen > 0)
    result: FloatArray = per_slot[grid.week_slot(grid.slot_of(forecast.start_at))]
    return result


def _patience(patience: Any, history: Any, owner: str) -> float:
    if patience is not None:
        seconds = patience.total_seconds() if isinstance(patience, timedelta) else patience
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise InvalidParameterError(
                f"The 'patience' parameter of {owner} must be a positive duration. "
                f"Got {patience!r} instead."
            )
        return float(seconds)
    if history is None:
        raise InvalidParameterError(
            f"{owner}(model='erlang_a') needs patience=, or history= to estimate it."
        )
    calls = call_columns(history, owner=owner).only(inbound=True)
    abandoned = int(calls.abandoned.sum())
    if abandoned == 0:
        raise InvalidParameterError(
            f"{owner}: no abandoned call in the history to estimate patience; give patience=."
        )
    return float(calls.wait.sum()) / abandoned


def _erlang_c(
    forecast: VolumeForecast,
    traffic: FloatArray,
    handle: FloatArray,
    goals: dict[str, float],
    fractional: bool,
) -> Measures:
    staffed = erlang_c_staffing(
        traffic,
        handle,
        service_level=goals.get("service_level"),
        target=goals.get("target"),
        asa=goals.get("asa"),
        max_occupancy=goals.get("max_occupancy"),
    )
    agents = staffed.agents.astype(np.float64)
    level, asa, occupancy = staffed.service_level, staffed.asa_seconds, staffed.occupancy
    if fractional:
        for i in np.flatnonzero(agents > 0).tolist():
            queue = ErlangC(float(forecast.forecast[i]), forecast.interval, float(handle[i]))
            low = max(float(traffic[i]), agents[i] - 1.0)
            agents[i] = _least(lambda n, q=queue: _meets(q, n, goals, None), low, agents[i])
        level, asa, occupancy = level.copy(), asa.copy(), occupancy.copy()
        for i in np.flatnonzero(agents > 0).tolist():
            queue = ErlangC(float(forecast.forecast[i]), forecast.interval, float(handle[i]))
            level[i] = queue.service_level(agents[i], goals.get("target", 0.0))
            asa[i] = queue.average_speed_of_answer(agents[i]).total_seconds()
            occupancy[i] = queue.occupancy(agents[i])
    return agents, level, asa, np.zeros(agents.size), occupancy


def _meets(
    queue: ErlangC | ErlangA, n: float, goals: dict[str, float], max_abandonment: float | None
) -> bool:
    """Whether ``n`` (real) agents meet every goal; Erlang C needs n above the load."""
    if n <= (queue.traffic if isinstance(queue, ErlangC) else 0.0):
        return False
    if (
        "service_level" in goals
        and queue.service_level(n, goals["target"]) < goals["service_level"]
    ):
        return False
    if "asa" in goals and queue.average_speed_of_answer(n).total_seconds() > goals["asa"]:
        return False
    if (
        isinstance(queue, ErlangA)
        and max_abandonment is not None
        and queue.abandonment_probability(n) > max_abandonment
    ):
        return False
    return not ("max_occupancy" in goals and queue.occupancy(n) > goals["max_occupancy"] + 1e-12)


def _least(meets: Any, low: float, high: float) -> float:
    """The least n in (low, high] with meets(n), to 1e-6 agents (meets(high) holds)."""
    while high - low > 1e-6:
        middle = (low + high) / 2.0
        if meets(middle):
            high = middle
        else:
            low = middle
    return high


def _erlang_a(
    forecast: VolumeForecast,
    handle: FloatArray,
    patience: float,
    goals: dict[str, float],
    max_abandonment: float | None,
    max_occupancy: float | None,
    fractional: bool,
) -> Measures:
    size = len(forecast)
    agents = np.zeros(size)
    level, asa, abandonment, occupancy = (
        np.ones(size),
        np.zeros(size),
        np.zeros(size),
        np.zeros(size),
    )
    for i in np.flatnonzero(forecast.forecast > 0).tolist():
        queue = ErlangA(float(forecast.forecast[i]), forecast.interval, float(handle[i]), patience)
        whole = queue.required_agents(
            goals.get("service_level"),
            goals.get("target"),
            asa=goals.get("asa"),
            max_occupancy=max_occupancy,
            max_abandonment=max_abandonment,
        )
        n: float = whole
        if fractional:
            n = _least(
                lambda x, q=queue: _meets(q, x, goals, max_abandonment),
                max(whole - 1.0, 0.0),
                float(whole),
            )
        agents[i] = n
        level[i] = queue.service_level(n, goals.get("target", 0.0))
        asa[i] = queue.average_speed_of_answer(n).total_seconds()
        abandonment[i] = queue.abandonment_probability(n)
        occupancy[i] = queue.occupancy(n)
    return agents, level, asa, abandonment, occupancy
