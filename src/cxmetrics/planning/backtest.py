"""Rolling-origin backtest of the volume forecasts: MASE and prediction-interval coverage."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from cxmetrics.calendars import BusinessCalendar
from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.planning._grid import Grid
from cxmetrics.planning.forecast import (
    Method,
    _check,
    _open,
    _zone,
    forecast_counts,
    history_counts,
)

__all__ = ["backtest_forecast"]


def backtest_forecast(
    items: Any,
    *,
    methods: Sequence[Method] = ("seasonal_naive", "weekly_mean", "holt_winters", "auto"),
    interval: Any = "30min",
    horizon: Any = "1D",
    initial: Any = "14D",
    step: Any = "1D",
    level: float = 0.8,
    calendar: BusinessCalendar | None = None,
    timezone: str | None = None,
    as_of: datetime | None = None,
) -> MetricTable:
    r"""Rolling-origin backtest: refit at every origin, forecast ``horizon``, score against what came.

    The first origin leaves ``initial`` of history; the next ones move by
    ``step`` while a whole ``horizon`` of actual counts follows. Scored over the
    intervals in which ``calendar`` is open (all when no calendar):

    * **MASE**: mean absolute error divided by the in-sample mean absolute error
      of the weekly seasonal naive forecast on the same origin's history (open
      intervals only)
      (Hyndman & Koehler 2006), averaged over origins. Below 1 beats a
      one-week-back guess made in sample; compare methods with each other.
    * **coverage**: share of actual counts inside the prediction interval (aim:
      ``level``).

    Parameters
    ----------
    items : calls (records or a table)
        As :func:`forecast_volume` with ``contacts="calls"``.
    methods : sequence of {"seasonal_naive", "weekly_mean", "holt_winters", "auto"}
    interval, horizon, initial, step : str, timedelta or float
        Interval length; forecast length; history before the first origin (at
        least a week); distance between origins.
    level : float, default=0.8
    calendar : BusinessCalendar, optional
    timezone : str, optional
    as_of : datetime, optional
        End of the data used (default: the end of the last contact's interval).

    Returns
    -------
    MetricTable
        One row per method: ``method``, ``mase``, ``mae``, ``coverage``,
        ``origins``, ``intervals``.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Call
    >>> day0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> calls = [Call(at=day0 + timedelta(days=d, hours=9 + d % 7)) for d in range(21)]
    >>> table = backtest_forecast(calls, methods=["seasonal_naive"], interval="1h",
    ...                           initial="8D", as_of=day0 + timedelta(days=21))
    >>> table.column("mae"), table.column("origins")
    ([0.0], [12])
    """
    owner = "backtest_forecast"
    for method in methods:
        _check(method, level, owner)
    grid = Grid.of(interval, _zone(calendar, timezone, owner), owner)
    steps = grid.steps(horizon, "horizon", owner)
    first_origin = grid.steps(initial, "initial", owner)
    stride = grid.steps(step, "step", owner)
    if first_origin < grid.per_week:
        raise InvalidParameterError(
            f"The 'initial' parameter of {owner} must leave at least one week of history."
        )
    counts, first = history_counts(
        items, grid, as_of=as_of, contacts="calls", channel=None, owner=owner
    )
    origins = list(range(first_origin, counts.size - steps + 1, stride))
    if not origins:
        raise InvalidParameterError(
            f"{owner}: the data hold no origin with {first_origin} intervals of history "
            f"and {steps} to score."
        )
    rows = []
    for method in methods:
        errors: list[float] = []
        scaled: list[float] = []
        inside = scored = 0
        for origin in origins:
            history = counts[:origin]
            result = forecast_counts(
                history,
                first_slot=first,
                steps=steps,
                grid=grid,
                method=method,
                level=level,
                calendar=calendar,
            )
            actual = counts[origin : origin + steps]
            keep = result.open
            error = np.abs(actual - result.forecast)[keep]
            was_open = _open(calendar, grid.epochs(first + np.arange(origin)), grid.width)
            both = was_open[grid.per_week :] & was_open[: -grid.per_week]
            naive = np.abs(history[grid.per_week :] - history[: -grid.per_week])[both]
            scale = float(np.mean(naive)) if naive.size else 0.0
            errors.extend(error.tolist())
            scaled.append(float(np.mean(error)) / scale if scale > 0 else math.nan)
            hit = (actual >= result.lower - 1e-9) & (actual <= result.upper + 1e-9)
            inside += int(hit[keep].sum())
            scored += int(keep.sum())
        rows.append(
            (
                method,
                float(np.mean(finite)) if (finite := [x for x in scaled if x == x]) else math.nan,
                float(np.mean(errors)) if errors else math.nan,
                inside / scored if scored else math.nan,
                len(origins),
                scored,
            )
        )
    return MetricTable(
        columns=("method", "mase", "mae", "coverage", "origins", "intervals"),
        rows=tuple(rows),
        index=("method",),
    )
