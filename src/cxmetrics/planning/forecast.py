"""Contacts per interval ahead: seasonal naive and weekly means always, Holt-Winters with statsmodels."""

from __future__ import annotations

import importlib.util
import math
import warnings
from dataclasses import dataclass
from datetime import datetime
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.calendars import BusinessCalendar
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.planning._grid import FloatArray, Grid, IntArray
from cxmetrics.tables.inputs import as_ticket_batch, call_columns

__all__ = ["Method", "VolumeForecast", "forecast_counts", "forecast_volume"]

Method = Literal["auto", "seasonal_naive", "weekly_mean", "holt_winters"]
Contacts = Literal["calls", "tickets"]

_METHODS = ("auto", "seasonal_naive", "weekly_mean", "holt_winters")


@dataclass(frozen=True, eq=False)
class VolumeForecast:
    """Forecast contacts per interval, with a prediction interval.

    Attributes
    ----------
    start_at : numpy.ndarray of float64
        UTC epoch seconds of each interval's start.
    forecast, lower, upper : numpy.ndarray of float64
        Point forecast and the bounds of the ``level`` prediction interval (contacts).
    open : numpy.ndarray of bool
        Whether the calendar is open in the interval (closed intervals forecast 0).
    interval : float
        Interval length in seconds.
    timezone : str
        Zone whose wall clock aligns the intervals.
    level : float
        Coverage of the prediction interval.
    method : str
        The model that made it.
    history_start_at, history : numpy.ndarray
        The counts the model was fitted on (for charts).
    """

    start_at: FloatArray
    forecast: FloatArray
    lower: FloatArray
    upper: FloatArray
    open: npt.NDArray[np.bool_]
    interval: float
    timezone: str
    level: float
    method: str
    history_start_at: FloatArray
    history: FloatArray

    def __len__(self) -> int:
        return len(self.start_at)

    @property
    def starts(self) -> list[datetime]:
        """Aware local start of each interval."""
        grid = Grid(self.interval, self.timezone)
        return grid.starts(grid.slot_of(self.start_at))

    def to_dict(self) -> dict[str, list[Any]]:
        """``{column: values}`` with ``start_at`` as aware datetimes."""
        return {
            "start_at": self.starts,
            "forecast": self.forecast.tolist(),
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
        }

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by ``start_at`` (tz-aware); needs pandas."""
        pd = import_optional("pandas", extra="dataframes", feature="VolumeForecast.to_pandas")
        return pd.DataFrame(self.to_dict()).set_index("start_at")


def forecast_volume(
    items: Any,
    *,
    interval: Any = "30min",
    horizon: Any = "14D",
    method: Method = "auto",
    level: float = 0.8,
    calendar: BusinessCalendar | None = None,
    timezone: str | None = None,
    as_of: datetime | None = None,
    contacts: Contacts = "calls",
    channel: str | None = None,
) -> VolumeForecast:
    r"""Forecast contacts per interval over ``horizon``, with weekly × intraday seasonality.

    The history is counted per interval of the local wall clock (as
    :func:`~cxmetrics.metrics.contact_volume.contact_volume` does). Methods:

    * ``"seasonal_naive"``: each interval repeats the same interval one week
      earlier (the last observed week, over and over). The baseline.
    * ``"weekly_mean"``: the mean of the same interval of the week over the last
      three weeks (on the square-root scale, which steadies the Poisson-like
      noise of counts). numpy only.
    * ``"holt_winters"``: statsmodels' Holt-Winters (additive weekly season) on
      daily totals, spread over the day by the intraday shape of the weekly
      mean. Needs two weeks of history and the ``forecast`` extra
      (``pip install "cxmetrics[forecast]"``).
    * ``"auto"`` (default): forecasts each of the last seven days from the
      history before it with every available method, and keeps the one with
      the least error ("compare a few, keep what backtests best").

    The prediction interval is empirical: the quantiles of the chosen method's
    one-day-ahead errors over those last seven days (square-root scale, open
    intervals with contacts forecast or seen; for Holt-Winters its one-step-ahead fitted daily totals, from
    one fit), widened by :math:`\sqrt{k+1}` in the :math:`k`-th week
    ahead (as the seasonal naive interval of Hyndman & Athanasopoulos, *FPP3*
    §5.5). With less than eight days of history it falls back on the spread of
    week-on-week changes.

    Intervals in which ``calendar`` is closed (nights, holidays) forecast 0
    contacts; closed intervals of the history are filled with the mean of the
    same interval of the week before fitting, so a past holiday does not echo
    a week later.

    Parameters
    ----------
    items : Call records, tickets, or a DataFrame / mapping of columns
        With ``contacts="calls"``, anything :func:`cxmetrics.aht` takes (inbound
        calls are counted at their ``at``); with ``contacts="tickets"``, tickets
        (records or a table), counted at ``created_at``.
    interval : str, timedelta or float, default="30min"
        Interval length; must divide a day.
    horizon : str, timedelta or float, default="14D"
        How far ahead to forecast, from ``as_of``.
    method : {"auto", "seasonal_naive", "weekly_mean", "holt_winters"}, default="auto"
    level : float, default=0.8
        Coverage of the prediction interval, in (0, 1).
    calendar : BusinessCalendar, optional
        Opening hours and holidays; its timezone aligns the intervals.
    timezone : str, optional
        Zone of the intervals when no calendar is given (default UTC).
    as_of : datetime, optional
        Where the forecast starts (rounded down to an interval); default: the end
        of the interval of the last contact. Contacts from ``as_of`` on are ignored.
    contacts : {"calls", "tickets"}, default="calls"
    channel : str, optional
        Only calls of this channel.

    Returns
    -------
    VolumeForecast
        ``to_pandas()`` has one row per interval indexed by ``start_at`` with
        columns ``forecast``, ``lower`` and ``upper``.

    Raises
    ------
    InvalidParameterError
        For a bad parameter, or a history shorter than one week (two weeks for
        ``"holt_winters"``).

    Examples
    --------
    Two weeks of calls, five at 09:00 and one at 10:00 every day:

    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Call
    >>> day0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> calls = [Call(at=day0 + timedelta(days=d, hours=h, minutes=m))
    ...          for d in range(14) for h, m in [(9, 0), (9, 5), (9, 9), (9, 15), (9, 20), (10, 0)]]
    >>> f = forecast_volume(calls, interval="1h", horizon="1D", method="seasonal_naive",
    ...                     as_of=day0 + timedelta(days=14))
    >>> len(f), f.forecast[8:12].round(9).tolist()
    (24, [0.0, 5.0, 1.0, 0.0])
    >>> f.to_pandas().index[9].isoformat()
    '2024-03-18T09:00:00+00:00'
    """
    owner = "forecast_volume"
    _check(method, level, owner)
    grid = Grid.of(interval, _zone(calendar, timezone, owner), owner)
    steps = grid.steps(horizon, "horizon", owner)
    counts, first = history_counts(
        items, grid, as_of=as_of, contacts=contacts, channel=channel, owner=owner
    )
    return forecast_counts(
        counts,
        first_slot=first,
        steps=steps,
        grid=grid,
        method=method,
        level=level,
        calendar=calendar,
    )


def forecast_counts(
    counts: FloatArray,
    *,
    first_slot: int,
    steps: int,
    grid: Grid,
    method: Method,
    level: float,
    calendar: BusinessCalendar | None,
) -> VolumeForecast:
    """Forecast ``steps`` intervals after ``counts`` (the history from ``first_slot`` on)."""
    if counts.size < grid.per_week:
        raise InvalidParameterError(
            "forecast_volume needs at least one week of history; got "
            f"{counts.size} interval(s) of {grid.width:g} s."
        )
    history_slots = np.arange(first_slot, first_slot + counts.size, dtype=np.int64)
    future_slots = np.arange(history_slots[-1] + 1, history_slots[-1] + 1 + steps, dtype=np.int64)
    history_at = grid.epochs(history_slots)
    future_at = grid.epochs(future_slots)
    # A local interval that the clock skips (spring forward) does not exist: drop it.
    exists = grid.slot_of(future_at) == future_slots
    future_slots, future_at = future_slots[exists], future_at[exists]
    history_open = _open(calendar, history_at, grid.width)
    future_open = _open(calendar, future_at, grid.width)
    filled = _fill_closed(counts, history_open, grid.week_slot(history_slots), grid)
    chosen, residuals = _calibrate(method, filled, history_open, grid)
    point = np.sqrt(np.clip(_MODELS[chosen](filled, steps, grid), 0.0, None))[exists]
    if residuals.size >= 20:
        low, high = np.quantile(residuals, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    else:  # too little history to calibrate: the spread of week-on-week changes
        root = np.sqrt(filled)
        sigma = float(np.sqrt(np.mean((root[grid.per_week :] - root[: -grid.per_week]) ** 2)))
        high = _z(level) * sigma
        low = -high
    widen = np.sqrt(np.arange(steps)[exists] // grid.per_week + 1.0)
    lower = np.clip(point + low * widen, 0.0, None) ** 2
    upper = np.clip(point + high * widen, 0.0, None) ** 2
    forecast = point**2
    closed = ~future_open
    forecast[closed] = lower[closed] = upper[closed] = 0.0
    return VolumeForecast(
        start_at=future_at,
        forecast=forecast,
        lower=lower,
        upper=upper,
        open=future_open,
        interval=grid.width,
        timezone=grid.timezone,
        level=level,
        method=chosen,
        history_start_at=history_at,
        history=counts,
    )


def _check(method: str, level: float, owner: str) -> None:
    if method not in _METHODS:
        raise InvalidParameterError(
            f"The 'method' parameter of {owner} must be one of {_METHODS}. Got {method!r} instead."
        )
    if not 0.0 < level < 1.0:
        raise InvalidParameterError(
            f"The 'level' parameter of {owner} must be in (0, 1). Got {level!r} instead."
        )


def _zone(calendar: BusinessCalendar | None, timezone: str | None, owner: str) -> str:
    if calendar is not None and timezone is not None and timezone != calendar.timezone:
        raise InvalidParameterError(
            f"The 'timezone' parameter of {owner} ({timezone!r}) differs from the calendar's "
            f"({calendar.timezone!r}); give one of them."
        )
    return calendar.timezone if calendar is not None else (timezone or "UTC")


def history_counts(
    items: Any,
    grid: Grid,
    *,
    as_of: datetime | None,
    contacts: str,
    channel: str | None,
    owner: str,
) -> tuple[FloatArray, int]:
    """Contacts per interval from the first contact's interval to ``as_of``, and that first slot."""
    instants = _arrivals(items, contacts, channel, owner)
    if instants.size == 0:
        raise InvalidParameterError(f"{owner} needs a history; got no contacts.")
    slots = grid.slot_of(instants)
    end = grid.slot_of_instant(as_of) if as_of is not None else int(slots.max()) + 1
    first = int(slots.min())
    slots = slots[slots < end]
    counts = np.bincount(slots - first, minlength=max(end - first, 0)).astype(np.float64)
    return counts, first


def _arrivals(items: Any, contacts: str, channel: str | None, owner: str) -> FloatArray:
    if contacts == "calls":
        calls = call_columns(items, owner=owner).only(channel=channel, inbound=True)
        return calls.at
    if contacts == "tickets":
        created: FloatArray = as_ticket_batch(items).created_at
        return created[np.isfinite(created)]
    raise InvalidParameterError(
        f"The 'contacts' parameter of {owner} must be 'calls' or 'tickets'. Got {contacts!r} instead."
    )


def _open(
    calendar: BusinessCalendar | None, starts: FloatArray, width: float
) -> npt.NDArray[np.bool_]:
    if calendar is None:
        return np.ones(starts.size, dtype=bool)
    opened: npt.NDArray[np.bool_] = calendar.business_seconds(starts, starts + width) > 0
    return opened


def _fill_closed(
    values: FloatArray, opened: npt.NDArray[np.bool_], week_slots: IntArray, grid: Grid
) -> FloatArray:
    """Closed intervals take the mean of the open ones in the same slot of the week (else 0)."""
    if opened.all():
        return values
    sums = np.bincount(week_slots[opened], weights=values[opened], minlength=grid.per_week)
    seen = np.bincount(week_slots[opened], minlength=grid.per_week)
    means = np.divide(sums, seen, out=np.zeros(grid.per_week), where=seen > 0)
    return np.where(opened, values, means[week_slots])


_CALIBRATION_DAYS = 7
_WEEKS_AVERAGED = 3


def _seasonal_naive(history: FloatArray, steps: int, grid: Grid) -> FloatArray:
    season = grid.per_week
    point: FloatArray = history[-season:][np.arange(steps) % season]
    return point


def _weekly_mean(history: FloatArray, steps: int, grid: Grid) -> FloatArray:
    season = grid.per_week
    weeks = min(_WEEKS_AVERAGED, history.size // season)
    recent = history[history.size - weeks * season :].reshape(weeks, season)
    mean_root = np.sqrt(recent).mean(axis=0)  # averaged on the square-root scale
    point: FloatArray = mean_root[np.arange(steps) % season] ** 2
    return point


def _spread_over_days(totals: FloatArray, history: FloatArray, grid: Grid) -> FloatArray:
    """Daily totals spread over their days by the weekly-mean intraday shape."""
    day = grid.per_day
    shape = _weekly_mean(history, totals.size * day, grid).reshape(totals.size, day)
    sums = shape.sum(axis=1, keepdims=True)
    shares = np.divide(shape, sums, out=np.full_like(shape, 1.0 / day), where=sums > 0)
    spread: FloatArray = (shares * totals[:, None]).reshape(-1)
    return spread


def _holt_winters_fit(
    history: FloatArray, blocks: int, grid: Grid
) -> tuple[FloatArray, FloatArray]:
    """Holt-Winters on the daily totals (days ending where the history ends).

    Returns the forecast of the next ``blocks`` daily totals and the one-step-ahead
    fitted totals of the history's days, from one fit.
    """
    holtwinters = import_optional(
        "statsmodels.tsa.holtwinters",
        extra="forecast",
        feature="forecast_volume(method='holt_winters')",
    )
    day = grid.per_day
    days = history.size // day
    totals = history[history.size - days * day :].reshape(days, day).sum(axis=1)
    with warnings.catch_warnings():
        # statsmodels warns about convergence on short, flat series; the fit is still used.
        warnings.simplefilter("ignore")
        model = holtwinters.ExponentialSmoothing(
            totals, seasonal="add", seasonal_periods=7, initialization_method="estimated"
        ).fit()
        ahead = np.asarray(model.forecast(blocks), dtype=np.float64)
    fitted = np.asarray(model.fittedvalues, dtype=np.float64)
    return np.clip(ahead, 0.0, None), np.clip(fitted, 0.0, None)


def _holt_winters(history: FloatArray, steps: int, grid: Grid) -> FloatArray:
    ahead, _ = _holt_winters_fit(history, math.ceil(steps / grid.per_day), grid)
    return _spread_over_days(ahead, history, grid)[:steps]


_MODELS = {
    "seasonal_naive": _seasonal_naive,
    "weekly_mean": _weekly_mean,
    "holt_winters": _holt_winters,
}


def _feasible(method: str, size: int, grid: Grid) -> bool:
    if method == "holt_winters":
        return size >= 14 * grid.per_day
    return size >= grid.per_week


def _calibrate(
    method: Method, history: FloatArray, opened: npt.NDArray[np.bool_], grid: Grid
) -> tuple[str, FloatArray]:
    """The method to use and its one-day-ahead errors (square-root scale) over the last days.

    ``"auto"`` scores every feasible method on the same origins and keeps the one
    with the least mean absolute error.
    """
    if method == "auto":
        candidates = ["seasonal_naive", "weekly_mean"]
        if importlib.util.find_spec("statsmodels") is not None:
            candidates.append("holt_winters")
    else:
        candidates = [method]
        if not _feasible(method, history.size, grid):
            raise InvalidParameterError(
                f"forecast_volume(method={method!r}) needs more history: at least "
                f"{'two weeks' if method == 'holt_winters' else 'one week'}."
            )
    day = grid.per_day
    scored: dict[str, tuple[float, FloatArray]] = {}
    most = 0
    for candidate in candidates:
        origins = [
            history.size - back * day
            for back in range(_CALIBRATION_DAYS, 0, -1)
            if _feasible(candidate, history.size - back * day, grid)
        ]
        most = max(most, len(origins))
        if len(origins) < most:
            continue  # scored on fewer origins than the baseline: not comparable
        errors = []
        if candidate == "holt_winters" and origins:
            # One fit: its one-step-ahead fitted totals of the last days stand for refits.
            _, fitted = _holt_winters_fit(history, 1, grid)
            totals = dict(zip(origins, fitted[-len(origins) :].tolist(), strict=True))
        for origin in origins:
            past = history[:origin]
            if candidate == "holt_winters":
                point = _spread_over_days(np.array([totals[origin]]), past, grid)
            else:
                point = np.clip(_MODELS[candidate](past, day, grid), 0.0, None)
            actual = history[origin : origin + day]
            # Open intervals only; none expected and none came says nothing about the spread.
            keep = opened[origin : origin + day] & ((actual > 0) | (point > 0))
            errors.append((np.sqrt(actual) - np.sqrt(point))[keep])
        residuals = np.concatenate(errors) if errors else np.zeros(0)
        mae = float(np.mean(np.abs(residuals))) if residuals.size else math.inf
        scored[candidate] = (mae, residuals)
    chosen = min(scored, key=lambda name: scored[name][0])
    return chosen, scored[chosen][1]


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2.0)
