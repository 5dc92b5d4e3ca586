"""Charts of a report and of tickets (the ``plot`` extra: matplotlib).

Everything draws on a matplotlib ``Axes`` (a new figure when ``ax`` is None) and
returns it, so charts compose with the user's own figures. No pyplot state is
touched: figures are built from :class:`matplotlib.figure.Figure`, which also
works without a display.
"""

from __future__ import annotations

import base64
import io
import math
from datetime import timedelta
from typing import Any

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = [
    "figure_png",
    "plot_durations",
    "plot_trend",
    "plot_volume_heatmap",
    "report_charts",
]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


_TICK_LABELS = 12


def _axes(ax: Any, size: tuple[float, float] = (6.4, 3.6)) -> Any:
    if ax is not None:
        return ax
    figure_module = import_optional("matplotlib.figure", extra="plot", feature="charts")
    figure = figure_module.Figure(figsize=size, layout="constrained")
    return figure.add_subplot()


def _number(value: Any, unit: str) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if value is None or isinstance(value, dict):
        return math.nan
    number = float(value)
    return number / 3600.0 if unit == "seconds" else number


def plot_trend(report: Any, metric: str, ax: Any = None) -> Any:
    """Draw one metric per period, one line per segment, with its interval as a band.

    Parameters
    ----------
    report : Report
        From :func:`cxmetrics.reporting.report`, usually with ``period=``.
    metric : str
        A metric name of the report (durations are drawn in hours).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import SurveyResponse
    >>> from cxmetrics.reporting import report
    >>> day = lambda d: datetime(2024, 3, d, tzinfo=timezone.utc)
    >>> r = report(surveys=[SurveyResponse(kind="csat", score=s, responded_at=day(d))
    ...                     for d, s in [(4, 5), (4, 3), (12, 5)]], period="week")
    >>> plot_trend(r, "csat").get_title()
    'csat'
    """
    rows = [r for r in report.rows if r.metric == metric and r.period != "unknown"]
    ax = _axes(ax)
    periods = sorted({r.period for r in rows})
    position = {p: i for i, p in enumerate(periods)}
    segments: dict[tuple[tuple[str, str], ...], list[Any]] = {}
    for row in rows:
        segments.setdefault(row.segment, []).append(row)
    for segment, items in segments.items():
        x = np.array([position[r.period] for r in items], dtype=float)
        y = np.array([_number(r.value, r.unit) for r in items])
        low = np.array([_number(r.low, r.unit) for r in items])
        high = np.array([_number(r.high, r.unit) for r in items])
        label = " / ".join(v for _, v in segment) or metric
        (line,) = ax.plot(x, y, marker="o", label=label)
        if np.isfinite(low).any():
            ax.fill_between(x, low, high, alpha=0.2, color=line.get_color())
    # At most about a dozen labels: two years of weeks would overlap (and take
    # matplotlib seconds to lay out).
    step = max(1, math.ceil(len(periods) / _TICK_LABELS))
    ax.set_xticks(range(0, len(periods), step), periods[::step], rotation=45, ha="right",
                  fontsize=8)  # fmt: skip
    unit = rows[0].unit if rows else ""
    ax.set_ylabel("hours" if unit == "seconds" else unit)
    ax.set_title(metric)
    if len(segments) > 1:
        ax.legend(fontsize=7)
    return ax


def plot_durations(
    tickets: Any, calendar: Any = None, ax: Any = None, definitions: Any = "default"
) -> Any:
    """Draw the distribution of first-reply and resolution times (hours, log scale).

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> plot_durations(generate(200, seed=1).tickets).get_xscale()
    'log'
    """
    from cxmetrics.tickets.measure import ticket_metrics

    table = ticket_metrics(tickets, calendar, definitions)
    ax = _axes(ax)
    series = {
        "first reply": np.asarray(table["first_reply"], dtype=float) / 3600.0,
        "resolution": np.asarray(table["full_resolution"], dtype=float) / 3600.0,
    }
    finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in series.values()])
    if finite.size:
        bins = np.geomspace(max(finite.min(), 1 / 60), max(finite.max(), 1 / 30), 40)
        for name, values in series.items():
            ax.hist(values[np.isfinite(values) & (values > 0)], bins=bins, alpha=0.6, label=name)
        ax.legend(fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("business hours" if calendar is not None else "hours")
    ax.set_ylabel("tickets")
    ax.set_title("Response and resolution times")
    return ax


def volume_grid(tickets: Any, timezone: str = "UTC") -> np.ndarray[Any, np.dtype[np.int64]]:
    """Tickets created per local weekday (rows, Monday first) and hour (columns).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> monday_9 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> grid = volume_grid([Ticket(id="a", created_at=monday_9)], "Europe/Paris")
    >>> grid.shape, int(grid[0, 10])
    ((7, 24), 1)
    """
    from cxmetrics.core.local_time import local_seconds

    created = np.asarray(as_ticket_batch(tickets).created_at, dtype=float)
    local = local_seconds(created[np.isfinite(created)], timezone)
    days = np.floor(local / 86400.0).astype(np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    hour = np.floor((local - days * 86400.0) / 3600.0).astype(np.int64)
    grid = np.bincount(weekday * 24 + hour, minlength=7 * 24).reshape(7, 24)
    return grid.astype(np.int64)


def plot_volume_heatmap(tickets: Any, timezone: str = "UTC", ax: Any = None) -> Any:
    """Draw tickets created per hour of the day and weekday, in a timezone.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> plot_volume_heatmap(generate(200, seed=1).tickets).get_title()
    'Tickets created by hour and weekday (UTC)'
    """
    grid = volume_grid(tickets, timezone)
    ax = _axes(ax)
    image = ax.imshow(grid, aspect="auto", cmap="viridis")
    ax.set_yticks(range(7), _WEEKDAYS)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    ax.set_xlabel("hour")
    ax.set_title(f"Tickets created by hour and weekday ({timezone})")
    ax.figure.colorbar(image, ax=ax, label="tickets")
    return ax


def figure_png(ax: Any) -> str:
    """The figure of ``ax`` as a base64-encoded PNG (for an HTML data URI)."""
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=90)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_TREND_LIMIT = 6


def report_charts(
    report: Any, tickets: Any, calendar: Any, timezone: str
) -> tuple[tuple[str, str], ...]:
    """The charts :meth:`~cxmetrics.reporting.Report.to_html` embeds: ``(title, png)``.

    Trends of the first metrics with a number per period (at most six), then,
    with tickets, the duration distributions and the volume heatmap.
    """
    charts: list[tuple[str, str]] = []
    periods = {r.period for r in report.rows} - {"all", "unknown"}
    if periods:
        numeric = []
        for row in report.rows:
            if row.metric not in numeric and not isinstance(row.value, dict):
                numeric.append(row.metric)
        for metric in numeric[:_TREND_LIMIT]:
            charts.append((f"{metric} by period", figure_png(plot_trend(report, metric))))
    if tickets is not None and len(tickets):
        charts.append(
            ("Response and resolution times", figure_png(plot_durations(tickets, calendar)))
        )
        charts.append(
            ("Tickets by hour and weekday", figure_png(plot_volume_heatmap(tickets, timezone)))
        )
    return tuple(charts)
