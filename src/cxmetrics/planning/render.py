"""A staffing plan as CSV, JSON, text or a self-contained HTML page with SVG charts."""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

import numpy as np

from cxmetrics.planning._grid import FloatArray, Grid
from cxmetrics.planning.backlog import BacklogProjection
from cxmetrics.planning.forecast import VolumeForecast
from cxmetrics.planning.plan import StaffingPlan

__all__ = ["plan_rows", "render_backlog", "render_plan"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_COLUMNS = ("start_at", "forecast", "lower", "upper", *StaffingPlan.COLUMNS[1:])


def plan_rows(forecast: VolumeForecast, plan: StaffingPlan) -> list[dict[str, Any]]:
    """One dict per interval: the forecast with its band and the plan's columns."""
    table = plan.to_dict()
    rows = []
    for i, start in enumerate(table["start_at"]):
        row: dict[str, Any] = {"start_at": start.isoformat()}
        row["forecast"] = round(float(forecast.forecast[i]), 4)
        row["lower"] = round(float(forecast.lower[i]), 4)
        row["upper"] = round(float(forecast.upper[i]), 4)
        for name in _COLUMNS[4:]:
            row[name] = round(float(table[name][i]), 6)
        rows.append(row)
    return rows


def render_plan(
    forecast: VolumeForecast, plan: StaffingPlan, *, fmt: str, settings: dict[str, Any]
) -> str:
    """The plan in ``fmt`` (``csv``, ``json``, ``table``, ``md`` or ``html``).

    ``settings`` (targets, model…) are echoed in the JSON and the page header.

    Examples
    --------
    >>> import numpy as np
    >>> from cxmetrics.planning import VolumeForecast, staffing_plan
    >>> f = VolumeForecast(start_at=np.array([0.0, 1800.0]), forecast=np.array([100.0, 0.0]),
    ...                    lower=np.array([80.0, 0.0]), upper=np.array([120.0, 0.0]),
    ...                    open=np.array([True, False]), interval=1800.0, timezone="UTC",
    ...                    level=0.8, method="given", history_start_at=np.zeros(0),
    ...                    history=np.zeros(0))
    >>> print(render_plan(f, staffing_plan(f, aht=180), fmt="csv", settings={}).rstrip())
    start_at,forecast,lower,upper,aht,traffic,agents,scheduled,service_level,asa,abandonment,occupancy
    1970-01-01T00:00:00+00:00,100.0,80.0,120.0,180.0,10.0,14.0,14.0,0.88835,7.835937,0.0,0.714286
    1970-01-01T00:30:00+00:00,0.0,0.0,0.0,180.0,0.0,0.0,0.0,1.0,0.0,0.0,0.0
    """
    rows = plan_rows(forecast, plan)
    totals = {key: round(value, 4) for key, value in plan.totals().items()}
    if fmt == "csv":
        return _csv(rows, _COLUMNS)
    if fmt == "json":
        document = {
            "settings": settings,
            "method": forecast.method,
            "level": forecast.level,
            "totals": totals,
            "intervals": rows,
        }
        return json.dumps(document, indent=2)
    if fmt in ("table", "md"):
        return _text(rows, totals, forecast, plan, markdown=fmt == "md")
    return _html(rows, totals, forecast, plan, settings)


def _summary(totals: dict[str, float], forecast: VolumeForecast, plan: StaffingPlan) -> str:
    return (
        f"{totals['contacts']:.0f} contacts forecast ({forecast.method}, "
        f"{forecast.level:.0%} band); {plan.model}; {totals['agent_hours']:.1f} agent-hours "
        f"scheduled = {totals['fte']:.2f} FTE at {plan.hours_per_fte:g} h/week"
    )


def _text(
    rows: list[dict[str, Any]],
    totals: dict[str, float],
    forecast: VolumeForecast,
    plan: StaffingPlan,
    *,
    markdown: bool,
) -> str:
    shown = ("start_at", "forecast", "lower", "upper", "agents", "scheduled", "service_level")
    busy = [row for row in rows if row["forecast"] > 0]
    lines = [_summary(totals, forecast, plan), ""]
    if markdown:
        lines.append("| " + " | ".join(shown) + " |")
        lines.append("|" + " --- |" * len(shown))
        lines.extend("| " + " | ".join(_cell(row[c]) for c in shown) + " |" for row in busy)
    else:
        widths = [27, 9, 9, 9, 7, 10, 14]
        lines.append("".join(c.ljust(w) for c, w in zip(shown, widths, strict=True)))
        for row in busy:
            lines.append(
                "".join(_cell(row[c]).ljust(w) for c, w in zip(shown, widths, strict=True))
            )
    return "\n".join(lines)


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _table_html(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> tuple[str, str]:
    """The header cells and the body rows of an HTML table."""
    header = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(row[c]))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return header, body


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if value != int(value) else f"{value:.0f}"
    return str(value)


def _html(
    rows: list[dict[str, Any]],
    totals: dict[str, float],
    forecast: VolumeForecast,
    plan: StaffingPlan,
    settings: dict[str, Any],
) -> str:
    header, body = _table_html(rows, _COLUMNS)
    chosen = ", ".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in settings.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Staffing plan</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #1f2933; }}
h1 {{ font-size: 22px; margin-bottom: 4px; }} h2 {{ font-size: 17px; margin-top: 28px; }}
p.note {{ color: #52606d; margin-top: 0; }}
table.plan {{ border-collapse: collapse; font-size: 12px; }}
table.plan th, table.plan td {{ border-bottom: 1px solid #e4e7eb; padding: 3px 8px; text-align: right; }}
table.plan th {{ position: sticky; top: 0; background: #f5f7fa; }}
svg text {{ font-family: system-ui, sans-serif; }}
</style></head><body>
<h1>Staffing plan</h1>
<p class="note">{html.escape(_summary(totals, forecast, plan))}</p>
<p class="note">{chosen}</p>
<h2>Contacts per interval: history, forecast and its {forecast.level:.0%} band</h2>
{_forecast_chart(forecast)}
<h2>Agents to schedule: mean by weekday and hour</h2>
{_heatmap(plan)}
<h2>Plan by interval</h2>
<table class="plan"><thead><tr>{header}</tr></thead><tbody>
{body}
</tbody></table>
</body></html>
"""


def _forecast_chart(forecast: VolumeForecast) -> str:
    width, height, left, right, top, bottom = 960.0, 300.0, 50.0, 16.0, 12.0, 36.0
    keep_history = min(forecast.history.size, 14 * 86400 // int(forecast.interval))
    past_at = forecast.history_start_at[forecast.history.size - keep_history :]
    past = forecast.history[forecast.history.size - keep_history :]
    start = float(past_at[0]) if past_at.size else float(forecast.start_at[0])
    end = float(forecast.start_at[-1] + forecast.interval)
    peak = max(float(np.max(forecast.upper, initial=0.0)), float(np.max(past, initial=0.0)), 1.0)

    def x(at: FloatArray) -> FloatArray:
        scaled: FloatArray = left + (at - start) / (end - start) * (width - left - right)
        return scaled

    def y(value: FloatArray) -> FloatArray:
        scaled: FloatArray = top + (1.0 - value / peak) * (height - top - bottom)
        return scaled

    def path(at: FloatArray, values: FloatArray) -> str:
        return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x(at), y(values), strict=True))

    mid = forecast.start_at + forecast.interval / 2.0
    band = path(mid, forecast.upper) + " " + path(mid[::-1], forecast.lower[::-1])
    ticks = []
    grid = Grid(forecast.interval, forecast.timezone)
    day = grid.per_day
    first_day = grid.slot_of(np.array([start]))[0] // day * day + day
    days_shown = (end - start) / 86400.0
    every = max(1, int(np.ceil(days_shown / 15.0)))  # at most ~15 labelled days
    for slot in range(int(first_day), int(grid.slot_of(np.array([end - 1.0]))[0]) + 1, day * every):
        label_at = grid.starts(np.array([slot], dtype=np.int64))[0]
        at = float(label_at.timestamp())
        if start <= at <= end:
            px = float(x(np.array([at]))[0])
            ticks.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{height - bottom}" '
                f'stroke="#e4e7eb"/><text x="{px + 2:.1f}" y="{height - bottom + 14}" '
                f'font-size="10" fill="#52606d">{label_at:%a %d}</text>'
            )
    origin_x = float(x(np.array([float(forecast.start_at[0])]))[0])
    y_ticks = "".join(
        f'<text x="{left - 6}" y="{float(y(np.array([v]))[0]) + 4:.1f}" font-size="10" '
        f'text-anchor="end" fill="#52606d">{v:.0f}</text>'
        for v in np.linspace(0.0, peak, 5)
    )
    history_line = (
        f'<polyline fill="none" stroke="#7b8794" stroke-width="1" points="{path(past_at + forecast.interval / 2.0, past)}"/>'
        if past.size
        else ""
    )
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" role="img" aria-label="forecast chart">
{"".join(ticks)}{y_ticks}
<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="#9aa5b1"/>
<polygon points="{band}" fill="#9fb3c8" fill-opacity="0.55" stroke="none"/>
{history_line}
<polyline fill="none" stroke="#1f6feb" stroke-width="1.5" points="{path(mid, forecast.forecast)}"/>
<line x1="{origin_x:.1f}" x2="{origin_x:.1f}" y1="{top}" y2="{height - bottom}" stroke="#cf1124" stroke-dasharray="4 3"/>
<text x="{origin_x + 4:.1f}" y="{top + 10}" font-size="11" fill="#cf1124">forecast from here</text>
<text x="{width - right}" y="{top + 10}" font-size="11" text-anchor="end" fill="#52606d">grey: history · blue: forecast · band: {forecast.level:.0%} interval</text>
</svg>"""


def _heatmap(plan: StaffingPlan) -> str:
    grid = Grid(plan.interval, plan.timezone)
    slots = grid.slot_of(plan.start_at)
    local = (slots * plan.interval) % (7 * 86400.0)
    weekday = ((np.floor_divide(slots, grid.per_day) + 3) % 7).astype(np.int64)
    hour = ((local % 86400.0) // 3600.0).astype(np.int64)
    cell = weekday * 24 + hour
    sums = np.bincount(cell, weights=plan.scheduled, minlength=7 * 24)
    seen = np.bincount(cell, minlength=7 * 24)
    mean = np.divide(sums, seen, out=np.zeros(7 * 24), where=seen > 0).reshape(7, 24)
    top = float(mean.max()) if mean.size and mean.max() > 0 else 1.0
    size, left, head = 34.0, 44.0, 20.0
    cells = []
    for d in range(7):
        cells.append(
            f'<text x="{left - 8}" y="{head + d * size + size / 2 + 4:.0f}" font-size="12" '
            f'text-anchor="end">{_WEEKDAYS[d]}</text>'
        )
        for h in range(24):
            value = float(mean[d, h])
            shade = value / top
            fill = f"rgb({int(255 - 224 * shade)},{int(255 - 144 * shade)},{int(255 - 20 * shade)})"
            ink = "#ffffff" if shade > 0.55 else "#1f2933"
            label = f"{value:.0f}" if value >= 9.5 else (f"{value:.1f}" if value > 0 else "")
            cells.append(
                f'<rect x="{left + h * size}" y="{head + d * size}" width="{size - 1}" '
                f'height="{size - 1}" fill="{fill}"><title>{_WEEKDAYS[d]} {h:02d}:00 '
                f"{value:.2f} agents</title></rect>"
                f'<text x="{left + h * size + size / 2:.0f}" y="{head + d * size + size / 2 + 4:.0f}" '
                f'font-size="11" text-anchor="middle" fill="{ink}">{label}</text>'
            )
    hours = "".join(
        f'<text x="{left + h * size + size / 2:.0f}" y="{head - 6}" font-size="10" '
        f'text-anchor="middle" fill="#52606d">{h:02d}</text>'
        for h in range(24)
    )
    width = left + 24 * size + 10
    height = head + 7 * size + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="required agents by weekday and hour">{hours}{"".join(cells)}</svg>'
    )


_BACKLOG_COLUMNS = (
    "start_at",
    "forecast",
    "lower",
    "upper",
    "capacity",
    "backlog",
    "backlog_low",
    "backlog_high",
)


def render_backlog(
    forecast: VolumeForecast, projection: BacklogProjection, *, fmt: str, settings: dict[str, Any]
) -> str:
    """A backlog projection in ``fmt`` (``csv``, ``json``, ``table``, ``md`` or ``html``)."""
    table = projection.to_dict()
    rows = [
        {
            "start_at": start.isoformat(),
            "forecast": round(float(forecast.forecast[i]), 4),
            "lower": round(float(forecast.lower[i]), 4),
            "upper": round(float(forecast.upper[i]), 4),
            **{name: round(float(table[name][i]), 4) for name in _BACKLOG_COLUMNS[4:]},
        }
        for i, start in enumerate(table["start_at"])
    ]
    summary = {
        "days_to_clear": projection.days_to_clear,
        "days_to_clear_low": projection.days_to_clear_low,
        "days_to_clear_high": projection.days_to_clear_high,
        "agents_needed": projection.agents_needed,
        "agents_needed_high": projection.agents_needed_high,
    }
    line = (
        f"{forecast.forecast.sum():.0f} tickets forecast ({forecast.method}, {forecast.level:.0%} "
        f"band); backlog clears in {projection.days_to_clear:.2f} days "
        f"({projection.days_to_clear_low:.2f}-{projection.days_to_clear_high:.2f})"
        + (
            f"; agents for the resolution target: {projection.agents_needed:g} "
            f"({projection.agents_needed_high:g} at the upper forecast)"
            if projection.agents_needed is not None
            else ""
        )
    )
    if fmt == "csv":
        return _csv(rows, _BACKLOG_COLUMNS)
    if fmt == "json":
        return json.dumps({"settings": settings, "summary": summary, "intervals": rows}, indent=2)
    if fmt in ("table", "md"):
        shown = _BACKLOG_COLUMNS
        body = [" | ".join(_cell(row[c]) for c in shown) for row in rows]
        return "\n".join([line, "", " | ".join(shown), *body])
    header, body_html = _table_html(rows, _BACKLOG_COLUMNS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Backlog projection</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 24px; }}
table {{ border-collapse: collapse; font-size: 12px; }}
td, th {{ border-bottom: 1px solid #e4e7eb; padding: 3px 8px; text-align: right; }}</style>
</head><body><h1>Backlog projection</h1><p>{html.escape(line)}</p>
<h2>Tickets per interval: history, forecast and its {forecast.level:.0%} band</h2>
{_forecast_chart(forecast)}
<table><thead><tr>{header}</tr></thead><tbody>
{body_html}
</tbody></table></body></html>
"""
