"""The report as text: value formatting and the table, Markdown, JSON and CSV renders.

Each renderer takes the report's rows (and what else it shows); :class:`Report`
exposes them as ``to_text``, ``to_markdown``, ``to_json`` and ``to_csv``; the HTML
page is :mod:`cxmetrics.reporting.html`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from cxmetrics.reporting.row import ReportRow

__all__ = [
    "as_csv",
    "as_json",
    "as_markdown",
    "as_text",
    "duration_scale",
    "format_change",
    "format_value",
    "metric_scales",
    "table_cells",
]


def table_cells(rows: Sequence[ReportRow], by: Sequence[str]) -> list[list[str]]:
    """The formatted cells of the report table, header first (one column per ``by`` field).

    Durations of one metric share one unit (minutes, hours…) chosen by their
    typical size, so a column reads at a glance.
    """
    header = ["metric", "period", *by, "value", "n", "95% interval", "change", "significant"]
    scales = metric_scales(rows)
    lines = [header]
    for row in rows:
        segment = dict(row.segment)
        scale = scales.get(row.metric)
        lines.append(
            [
                row.metric,
                row.period,
                *(segment.get(name, "") for name in by),
                format_value(row.value, row.unit, scale),
                str(row.n),
                ""
                if row.low is None
                else f"{format_value(row.low, row.unit, scale)} – "
                f"{format_value(row.high, row.unit, scale)}",
                "" if row.change is None else format_change(row.change, row.unit, scale),
                {True: "yes", False: "no", None: ""}[row.significant],
            ]
        )
    return lines


def metric_scales(rows: Sequence[ReportRow]) -> dict[str, tuple[float, str]]:
    """The display unit of each duration metric of ``rows``: ``(seconds per unit, name)``."""
    seconds: dict[str, list[float]] = {}
    for row in rows:
        if row.unit == "seconds":
            value = row.value.total_seconds() if isinstance(row.value, timedelta) else row.value
            if isinstance(value, (int, float)) and math.isfinite(value):
                seconds.setdefault(row.metric, []).append(float(value))
    return {name: duration_scale(values) for name, values in seconds.items()}


def duration_scale(seconds: Sequence[float]) -> tuple[float, str]:
    """The unit that reads best for durations of this typical (median) size.

    Examples
    --------
    >>> duration_scale([40.0, 90.0]), duration_scale([300.0, 7000.0])
    ((1.0, 's'), (60.0, 'min'))
    >>> duration_scale([9000.0]), duration_scale([400000.0])
    ((3600.0, 'h'), (86400.0, 'd'))
    """
    finite = [abs(s) for s in seconds if math.isfinite(s)]
    typical = float(np.median(finite)) if finite else 0.0
    if typical < 120:
        return 1.0, "s"
    if typical < 7200:
        return 60.0, "min"
    if typical < 172800:
        return 3600.0, "h"
    return 86400.0, "d"


def as_markdown(rows: Sequence[ReportRow], by: Sequence[str]) -> str:
    """Return the report as a Markdown table."""
    cells = table_cells(rows, by)
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(lines)


def as_text(rows: Sequence[ReportRow], by: Sequence[str]) -> str:
    """Return the report as an aligned plain-text table."""
    cells = table_cells(rows, by)
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)


def as_json(
    dicts: Sequence[dict[str, Any]],
    skipped: Sequence[str],
    extra: dict[str, Any] | None = None,
) -> str:
    """Return the plain rows (:meth:`ReportRow.as_plain`), the skipped notes and ``extra`` as JSON."""
    return json.dumps({"rows": list(dicts), "skipped": list(skipped), **(extra or {})}, indent=2)


def as_csv(dicts: Sequence[dict[str, Any]], by: Sequence[str], extra: Sequence[str] = ()) -> str:
    """Return the plain rows (:meth:`ReportRow.as_plain`) as CSV text, ``extra`` then ``by`` columns last."""
    out = io.StringIO()
    names = [n for n in ReportRow.__dataclass_fields__ if n not in ("segment", "details")]
    writer = csv.DictWriter(out, fieldnames=[*names, *extra, *by])
    writer.writeheader()
    writer.writerows(dicts)
    return out.getvalue()


_MAX_CELL_WIDTH = 60


def format_value(value: Any, unit: str, scale: tuple[float, str] | None = None) -> str:
    """A value as a table cell: percent for ratios, s/m/h/d for durations, "n/a" for nan.

    ``scale`` (``(seconds per unit, name)``) fixes the unit of a duration.

    Examples
    --------
    >>> format_value(timedelta(minutes=119), "seconds"), format_value(0.123, "ratio")
    ('119.0m', '12.3%')
    >>> format_value(timedelta(minutes=119), "seconds", (60.0, "min"))
    '119.0 min'
    """
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return _fmt_seconds(value.total_seconds(), scale)
    if isinstance(value, dict):
        cells = [f"{k} {format_value(v, unit)}" for k, v in value.items()]
        text = ", ".join(cells)
        if len(text) <= _MAX_CELL_WIDTH:
            return text
        # A long series (daily volume over months) would swamp a table cell: the
        # first entries that fit, then the count left. The JSON, CSV and DataFrame
        # exports carry every entry.
        shown: list[str] = []
        for cell in cells:
            if len(", ".join([*shown, cell, f"… {len(cells)} more"])) > _MAX_CELL_WIDTH:
                break
            shown.append(cell)
        return ", ".join([*shown, f"… {len(cells) - len(shown)} more"])
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if unit == "ratio":
        return f"{100 * value:.1f}%"
    if unit == "seconds":
        return _fmt_seconds(float(value), scale)
    return f"{value:.2f}"


def format_change(change: float, unit: str, scale: tuple[float, str] | None = None) -> str:
    """A change as a table cell: signed points for ratios, signed durations for seconds."""
    if unit == "ratio":
        return f"{100 * change:+.1f} pts"
    if unit == "seconds":
        sign = "+" if change >= 0 else "-"
        return sign + _fmt_seconds(abs(change), scale)
    return f"{change:+.2f}"


def _fmt_seconds(seconds: float, scale: tuple[float, str] | None = None) -> str:
    if math.isnan(seconds):
        return "n/a"
    if scale is not None:
        size, name = scale
        digits = 0 if name == "s" else (1 if abs(seconds) >= 0.095 * size or seconds == 0 else 2)
        return f"{seconds / size:.{digits}f} {name}"
    if abs(seconds) < 120:
        return f"{seconds:.0f}s"
    if abs(seconds) < 7200:
        return f"{seconds / 60:.1f}m"
    if abs(seconds) < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
