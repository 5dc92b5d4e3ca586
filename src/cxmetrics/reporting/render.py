"""The report as text: value formatting and the table, Markdown, HTML, JSON and CSV renders.

Each renderer takes the report's rows (and what else it shows); :class:`Report`
exposes them as ``to_text``, ``to_markdown``, ``to_html``, ``to_json`` and
``to_csv``.
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
    "as_html",
    "as_json",
    "as_markdown",
    "as_text",
    "format_change",
    "format_value",
    "table_cells",
]


def table_cells(rows: Sequence[ReportRow], by: Sequence[str]) -> list[list[str]]:
    """The formatted cells of the report table, header first (one column per ``by`` field)."""
    header = ["metric", "period", *by, "value", "n", "95% interval", "change", ""]
    lines = [header]
    for row in rows:
        segment = dict(row.segment)
        lines.append(
            [
                row.metric,
                row.period,
                *(segment.get(name, "") for name in by),
                format_value(row.value, row.unit),
                str(row.n),
                ""
                if row.low is None
                else f"{format_value(row.low, row.unit)} – {format_value(row.high, row.unit)}",
                "" if row.change is None else format_change(row.change, row.unit),
                {True: "significant", False: "", None: ""}[row.significant],
            ]
        )
    return lines


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


def as_html(
    rows: Sequence[ReportRow],
    by: Sequence[str],
    charts: Sequence[tuple[str, str]],
    skipped: Sequence[str],
) -> str:
    """Return the report as a standalone HTML page: the table, then the charts.

    ``charts`` are ``(title, base64 PNG)`` pairs, embedded as data URIs so the page
    is one self-contained file; ``skipped`` are listed under "Not computed".
    """
    from html import escape

    cells = table_cells(rows, by)
    head = "".join(f"<th>{escape(c)}</th>" for c in cells[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells[1:]
    )
    figures = "".join(
        f"<figure><img alt='{escape(title)}' src='data:image/png;base64,{png}'>"
        f"<figcaption>{escape(title)}</figcaption></figure>"
        for title, png in charts
    )
    notes_items = "".join(f"<li>{escape(item)}</li>" for item in skipped)
    notes = f"<h2>Not computed</h2><ul>{notes_items}</ul>" if notes_items else ""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>cxmetrics report</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
        "figure{display:inline-block;margin:1em}</style>"
        f"</head><body><h1>KPI report</h1><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{figures}{notes}</body></html>"
    )


def as_json(dicts: Sequence[dict[str, Any]], skipped: Sequence[str]) -> str:
    """Return the plain rows (:meth:`ReportRow.as_plain`) and the skipped notes as JSON."""
    return json.dumps({"rows": list(dicts), "skipped": list(skipped)}, indent=2)


def as_csv(dicts: Sequence[dict[str, Any]], by: Sequence[str]) -> str:
    """Return the plain rows (:meth:`ReportRow.as_plain`) as CSV text, ``by`` columns last."""
    out = io.StringIO()
    names = [n for n in ReportRow.__dataclass_fields__ if n not in ("segment", "details")]
    writer = csv.DictWriter(out, fieldnames=[*names, *by])
    writer.writeheader()
    writer.writerows(dicts)
    return out.getvalue()


_MAX_CELL_WIDTH = 60


def format_value(value: Any, unit: str) -> str:
    """A value as a table cell: percent for ratios, s/m/h/d for durations, "n/a" for nan."""
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return _fmt_seconds(value.total_seconds())
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
        return _fmt_seconds(float(value))
    return f"{value:.2f}"


def format_change(change: float, unit: str) -> str:
    """A change as a table cell: signed points for ratios, signed durations for seconds."""
    if unit == "ratio":
        return f"{100 * change:+.1f} pts"
    if unit == "seconds":
        sign = "+" if change >= 0 else "-"
        return sign + _fmt_seconds(abs(change))
    return f"{change:+.2f}"


def _fmt_seconds(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    if abs(seconds) < 120:
        return f"{seconds:.0f}s"
    if abs(seconds) < 7200:
        return f"{seconds / 60:.1f}m"
    if abs(seconds) < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
