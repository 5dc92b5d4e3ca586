"""Charts of a report and of tickets (the ``plot`` extra: matplotlib).

Everything draws on a matplotlib ``Axes`` (a new figure when ``ax`` is None) and
returns it, so charts compose with the user's own figures. No pyplot state is
touched: figures are built from :class:`matplotlib.figure.Figure` on the Agg
canvas, which also works without a display.

:func:`report_charts` picks what a report shows: the trends of the most important
metrics that have data (see :data:`~cxmetrics.reporting.catalog.IMPORTANCE`), in
human units (percent for rates, minutes or hours by magnitude for durations), with
the SLA or service-level target as a dashed line, then the response and
resolution time distribution and the ticket volume by hour and weekday.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.core.dispatch import engine_function
from cxmetrics.core.periods import period_index
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.reporting.catalog import IMPORTANCE, info
from cxmetrics.reporting.figures import Chart
from cxmetrics.reporting.render import duration_scale
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = [
    "EXTRA_CHARTS",
    "figure_png",
    "figure_svg",
    "plot_durations",
    "plot_trend",
    "plot_volume_heatmap",
    "report_charts",
    "volume_grid",
]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_TICK_LABELS = 10
_SEGMENT_LINES = 5
_TREND_LIMIT = 8
EXTRA_CHARTS = ("durations", "volume_by_hour")
"""Chart names beyond metric trends: the duration distribution, the volume heatmap."""
_UNIT_NAMES = {"s": "seconds", "min": "minutes", "h": "hours", "d": "days"}
_DPI = 80
_SVG = "image/svg+xml"


def _axes(ax: Any, size: tuple[float, float] = (6.4, 3.0)) -> Any:
    if ax is not None:
        return ax
    figure_module = import_optional("matplotlib.figure", extra="plot", feature="charts")
    backend = import_optional("matplotlib.backends.backend_agg", extra="plot", feature="charts")
    figure = figure_module.Figure(figsize=size, dpi=_DPI)
    backend.FigureCanvasAgg(figure)
    figure.subplots_adjust(left=0.11, right=0.78, top=0.88, bottom=0.22)
    return figure.add_subplot()


def _seconds(value: Any) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if value is None or isinstance(value, dict):
        return math.nan
    return float(value)


def _display(unit: str, values: Sequence[float]) -> tuple[float, str]:
    """Divisor and axis label: percent for rates, a time unit by magnitude for durations."""
    if unit == "ratio":
        return 0.01, "%"
    if unit == "seconds":
        size, name = duration_scale(values)
        return size, _UNIT_NAMES[name]
    return 1.0, {"score": "score", "count": "count"}.get(unit, unit)


_SPARSE = 0.01
"""Periods with fewer than this share of the busiest period's count are not drawn."""


def _trend_rows(report: Any, metric: str) -> tuple[list[Any], list[Any]]:
    """The rows of ``metric`` per segment and its totals over segments (dated periods).

    A period holding a sliver of the data (a stray ticket years before the rest)
    would stretch the axis and swamp the trend: periods whose count is under 1 %
    of the busiest period's are left out of the chart (the table keeps them).
    """
    rows = [r for r in report.rows if r.metric == metric and r.period != "unknown"]
    totals = [r for r in getattr(report, "totals", ()) if r.metric == metric]
    totals = [r for r in totals if r.period != "unknown"]
    sizes: dict[str, int] = {}
    for row in totals or rows:
        sizes[row.period] = sizes.get(row.period, 0) + int(row.n)
    floor = _SPARSE * max(sizes.values(), default=0)
    kept = {period for period, size in sizes.items() if size >= floor}
    return [r for r in rows if r.period in kept], [r for r in totals if r.period in kept]


def _value(row: Any) -> float:
    """A row's number: its value, or for a breakdown (volume per day) its ``n``."""
    if isinstance(row.value, dict):
        return float(row.n)
    return _seconds(row.value)


def plot_trend(report: Any, metric: str, ax: Any = None, target: float | None = None) -> Any:
    """Draw one metric per period, one line per segment, with its interval as a band.

    Parameters
    ----------
    report : Report
        From :func:`cxmetrics.reporting.report`, usually with ``period=``.
    metric : str
        A metric name of the report. Rates are drawn in percent, durations in
        minutes, hours or days by their size; a breakdown (ticket volume) as its count.
    ax : matplotlib Axes, optional
    target : float, optional
        A target in the metric's own unit (seconds for durations) drawn as a
        dashed line.

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
    >>> ax = plot_trend(r, "csat")
    >>> ax.get_title(), ax.get_ylabel()
    ('CSAT by week', '%')
    """
    rows, totals = _trend_rows(report, metric)
    if not totals and report.by and rows and isinstance(rows[0].value, dict):
        totals = _summed(rows)
    ax = _axes(ax)
    periods = sorted({r.period for r in rows} | {r.period for r in totals})
    position = _positions(periods)
    unit = rows[0].unit if rows else (totals[0].unit if totals else "")
    size, label = _display(unit, [_value(r) for r in (totals or rows)])
    segments: dict[tuple[tuple[str, str], ...], list[Any]] = {}
    for row in rows:
        segments.setdefault(row.segment, []).append(row)
    # The largest segments get a line each; the rest are in the "all" line.
    shown = sorted(segments.items(), key=lambda item: -sum(r.n for r in item[1]))[:_SEGMENT_LINES]
    lines: list[tuple[str, list[Any], dict[str, Any]]] = [
        (" / ".join(v for _, v in segment) or "all", items, {}) for segment, items in shown
    ]
    if totals and len(segments) > 1:
        lines.insert(0, ("all", totals, {"color": "black", "linewidth": 2.2}))
    for name, items, style in lines:
        x = np.array([position[r.period] for r in items], dtype=float)
        y = np.array([_value(r) for r in items]) / size
        low = np.array([_seconds(r.low) for r in items]) / size
        high = np.array([_seconds(r.high) for r in items]) / size
        x, y, low, high = _broken_at_gaps(x, y, low, high)
        (line,) = ax.plot(x, y, marker="o" if len(items) <= 30 else None, markersize=3,
                          label=name, **style)  # fmt: skip
        if np.isfinite(low).any() and (len(lines) == 1 or name == "all"):
            ax.fill_between(x, low, high, alpha=0.18, color=line.get_color(), linewidth=0)
    if target is not None:
        ax.axhline(target / size, color="#c0392b", linestyle="--", linewidth=1.2,
                   label=f"target {target / size:.3g} {label}")  # fmt: skip
    step = max(1, math.ceil(len(periods) / _TICK_LABELS))
    ax.set_xticks([position[p] for p in periods[::step]], periods[::step], rotation=35,
                  ha="right", fontsize=8)  # fmt: skip
    if unit == "ratio":
        low_edge, high_edge = ax.get_ylim()
        ax.set_ylim(max(low_edge, 0.0), min(high_edge, 100.0))
    ax.set_ylabel(label)
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    ax.grid(axis="y", alpha=0.3)
    period_name = _period_name(periods)
    ax.set_title(f"{info(metric).title} by {period_name}", fontsize=11)
    if len(lines) > 1 or target is not None:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def _positions(periods: Sequence[str]) -> dict[str, float]:
    """Each period's place on the x axis: periods elapsed since the first, gaps kept.

    Labels that are not calendar periods (``period=None``: one ``"all"``) are
    placed one after another.
    """
    name = _period_name(periods)
    try:
        index = {p: period_index(p, name) for p in periods}
    except (InvalidParameterError, ValueError):
        return {p: float(i) for i, p in enumerate(periods)}
    first = min(index.values(), default=0)
    return {p: float(i - first) for p, i in index.items()}


def _broken_at_gaps(x: Any, *series: Any) -> tuple[Any, ...]:
    """The points with a NaN between periods that are not neighbours (the line breaks there)."""
    gaps = np.flatnonzero(np.diff(x) > 1) + 1
    if gaps.size == 0:
        return (x, *series)
    return tuple(np.insert(np.asarray(s, dtype=float), gaps, np.nan) for s in (x, *series))


def _summed(rows: Sequence[Any]) -> list[Any]:
    """Rows of a breakdown (volume per day) summed over segments: one per period, its ``n``."""
    first: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    for row in rows:
        first.setdefault(row.period, row)
        sizes[row.period] = sizes.get(row.period, 0) + int(row.n)
    return [replace(first[p], n=sizes[p], segment=(), low=None, high=None) for p in sorted(first)]


def _period_name(periods: Sequence[str]) -> str:
    first = periods[0] if periods else ""
    if "-W" in first:
        return "week"
    if "-Q" in first:
        return "quarter"
    return {4: "year", 7: "month", 10: "day"}.get(len(first), "period")


_LOG_TICKS = (
    (60.0, "1 min"), (600.0, "10 min"), (3600.0, "1 h"), (86400.0, "1 day"),
    (7 * 86400.0, "1 week"), (60 * 86400.0, "2 months"),
)  # fmt: skip


def plot_durations(
    tickets: Any, calendar: Any = None, ax: Any = None, definitions: Any = "default"
) -> Any:
    """Draw the distribution of first-reply and resolution times (log scale, human ticks).

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> ax = plot_durations(generate(200, seed=1).tickets)
    >>> ax.get_xscale(), ax.get_xticklabels()[0].get_text()
    ('log', '1 min')
    """
    from cxmetrics.tickets.measure import ticket_metrics

    engine_function("plot_durations", tickets)  # a Dask or Spark input: a clear error
    table = ticket_metrics(tickets, calendar, definitions)
    ax = _axes(ax)
    series = {
        "first reply": np.asarray(table["first_reply"], dtype=float),
        "resolution": np.asarray(table["full_resolution"], dtype=float),
    }
    series = {k: v[np.isfinite(v) & (v > 0)] for k, v in series.items()}
    finite = np.concatenate(list(series.values()))
    if finite.size:
        bins = np.geomspace(max(float(finite.min()), 30.0), max(float(finite.max()), 120.0), 40)
        for name, values in series.items():
            if values.size:
                counts, edges = np.histogram(values, bins=bins)
                ax.stairs(counts, edges, fill=True, alpha=0.55, label=name)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_xscale("log")
    ticks = [(s, t) for s, t in _LOG_TICKS if finite.size and bins[0] <= s <= bins[-1]]
    ax.set_xticks([s for s, _ in ticks], [t for _, t in ticks], fontsize=8)
    ax.minorticks_off()
    ax.set_xlabel("business time" if calendar is not None else "elapsed time")
    ax.set_ylabel("tickets")
    ax.set_title("Response and resolution times", fontsize=11)
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
    image = ax.imshow(grid, aspect="auto", cmap="Blues")
    ax.set_yticks(range(7), _WEEKDAYS, fontsize=8)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)], fontsize=8)
    ax.set_xlabel("local hour")
    ax.set_title(f"Tickets created by hour and weekday ({timezone})", fontsize=11)
    ax.figure.colorbar(image, ax=ax, label="tickets", fraction=0.05, pad=0.02)
    return ax


def figure_png(ax: Any) -> str:
    """The figure of ``ax`` as a base64-encoded PNG (for an HTML data URI)."""
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=_DPI)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def figure_svg(ax: Any) -> str:
    """The figure of ``ax`` as a base64-encoded SVG, its text kept as text.

    Half the time of a PNG (no glyph rasterising, no compression), smaller, and
    sharp at any zoom; the page's fonts draw the labels.

    Examples
    --------
    >>> from cxmetrics.datasets import generate
    >>> svg = base64.b64decode(figure_svg(plot_volume_heatmap(generate(50, seed=1).tickets)))
    >>> svg[:5], b"<svg" in svg
    (b'<?xml', True)
    >>> b"<dc:date>" in svg  # no timestamp: the same figure gives the same bytes
    False
    """
    matplotlib = import_optional("matplotlib", extra="plot", feature="charts")
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cxmetrics"}):
        ax.figure.savefig(buffer, format="svg", dpi=_DPI, metadata={"Date": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def chartable(report: Any, metric: str) -> bool:
    """Whether ``metric`` has a trend worth drawing: two dated periods with a value.

    A constant series is not drawn either: all zero is most often absent input, all
    100% a log of finished work only (every ticket solved); the table still shows it.
    """
    rows, totals = _trend_rows(report, metric)
    values = np.array([_value(r) for r in (totals or rows)], dtype=float)
    finite = values[np.isfinite(values)]
    periods = {r.period for r in (totals or rows)}
    return len(periods) >= 2 and finite.size >= 2 and bool(np.ptp(finite) > 0)


def report_charts(
    report: Any,
    tickets: Any,
    calendar: Any,
    timezone: str,
    chosen: Sequence[str] | None = None,
) -> tuple[Chart, ...]:
    """The charts :meth:`~cxmetrics.reporting.Report.to_html` embeds.

    ``chosen`` names the metrics (and :data:`EXTRA_CHARTS`) to draw; by default
    the trends of the most important metrics that have data (at most eight),
    then, with tickets, the duration distribution and the volume heatmap.
    """
    names = {r.metric for r in report.rows}
    if chosen is not None:
        unknown = [c for c in chosen if c not in names and c not in EXTRA_CHARTS]
        if unknown:
            raise InvalidParameterError(
                f"charts: {', '.join(map(repr, unknown))} is not a metric of this report "
                f"(it has: {', '.join(sorted(names))}; or {', '.join(EXTRA_CHARTS)})"
            )
        trends = [c for c in chosen if c in names and chartable(report, c)]
    else:
        trends = [m for m in IMPORTANCE if m in names and chartable(report, m)][:_TREND_LIMIT]
    context = getattr(report, "context", None)
    units = {r.metric: r.unit for r in report.rows}
    # The SLA's lines are times (the service level's is its answer time, not a rate);
    # the report's own targets (report(targets=...)) are in the metric's unit and win.
    targets = {
        m: v for m, v in getattr(context, "targets", {}).items() if units.get(m) == "seconds"
    }
    targets.update({goal.metric: goal.number for goal in getattr(context, "goals", ())})
    charts = []
    for metric in trends:
        ax = plot_trend(report, metric, target=targets.get(metric))
        charts.append(
            Chart(metric, ax.get_title(), figure_svg(ax), _SVG, caption=_caption(report, metric))
        )
    wanted = set(EXTRA_CHARTS) if chosen is None else set(chosen)
    if tickets is not None and len(tickets):
        timed = [m for m in ("first_response_time", "resolution_time") if m in names]
        if "durations" in wanted and timed:
            ax = plot_durations(tickets, calendar)
            if ax.patches:
                if timed == ["resolution_time"]:
                    ax.set_title("Resolution times", fontsize=11)
                charts.append(Chart(timed[0], ax.get_title(), figure_svg(ax), _SVG,
                                    caption="Tickets per duration bin, log scale."))  # fmt: skip
        if "volume_by_hour" in wanted:
            ax = plot_volume_heatmap(tickets, timezone)
            charts.append(Chart("ticket_volume", "Tickets by hour and weekday", figure_svg(ax),
                                _SVG, caption=f"Local time, {timezone}."))  # fmt: skip
    return tuple(charts)


def _caption(report: Any, metric: str) -> str:
    rows, _ = _trend_rows(report, metric)
    if not rows:
        return ""
    statistic = rows[0].details.get("statistic") if rows[0].details else None
    band = "Band: 95% interval" + (" of all segments." if report.by else ".")
    if rows[0].unit == "seconds":
        return f"{str(statistic or 'mean').capitalize()} per period. {band}"
    return band if rows[0].low is not None else ""
