"""The report as an HTML page a support lead would forward.

Top to bottom: the title and the header (data range, timezone, calendar, SLA
policy, definitions, statistic), the headline KPI cards
(:mod:`~cxmetrics.reporting.cards`), one section per family with its charts then
its table (:mod:`~cxmetrics.reporting.sections`), and "Not computed" with the
reason of each metric left out. Charts are embedded as data URIs, so the page is
one self-contained file with no script and no external resource.
"""

from __future__ import annotations

from html import escape
from typing import Any

from cxmetrics.reporting.cards import Card, headline_cards
from cxmetrics.reporting.render import table_cells
from cxmetrics.reporting.sections import Section, sections

__all__ = ["fragment", "page"]

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2933;
background:#f5f7fa}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 12px;border-bottom:1px solid
#d9e2ec;padding-bottom:4px}
.cx-header{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;font-size:14px;
color:#3e4c59;margin:12px 0 20px}
.cx-header dt{font-weight:600}.cx-header dd{margin:0}
.cx-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.cx-card{background:#fff;border:1px solid #d9e2ec;border-radius:8px;padding:12px 14px}
.cx-card .t{font-size:13px;color:#52606d}.cx-card .v{font-size:28px;font-weight:650;margin:2px 0}
.cx-card .c{font-size:13px}.cx-card .m{font-size:12px;color:#7b8794}
.better{color:#1b7f3b}.worse{color:#b42318}.flat{color:#52606d}
.cx-charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}
figure{background:#fff;border:1px solid #d9e2ec;border-radius:8px;margin:0;padding:8px}
figure img{width:100%;height:auto;display:block}
figcaption{font-size:12px;color:#52606d;padding:4px}
table{border-collapse:collapse;background:#fff;font-size:13px;margin-top:8px}
td,th{border:1px solid #d9e2ec;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eef2f7}details summary{cursor:pointer;margin-top:8px;color:#334e68}
.cx-skipped li{margin:2px 0}.cx-foot{font-size:12px;color:#7b8794;margin-top:32px}
"""

_OPEN_TABLE_ROWS = 30
_NUMERIC_COLUMNS = {"value", "n", "95% interval", "change"}


def page(report: Any) -> str:
    """Return ``report`` as a standalone HTML page."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(_title(report))}</title><style>{_STYLE}</style></head>"
        f"<body><main>{fragment(report)}</main></body></html>"
    )


def fragment(report: Any) -> str:
    """The page's content without ``<html>``: also the notebook display of a report."""
    parts = [f"<h1>{escape(_title(report))}</h1>", _header(report)]
    cards = headline_cards(report)
    if cards:
        parts.append("<div class='cx-cards'>" + "".join(_card(c) for c in cards) + "</div>")
    parts += [_section(s, report.by) for s in sections(report)]
    parts.append(_skipped((*report.skipped, *report.insights.left_out)))
    parts.append(
        "<p class='cx-foot'>Intervals are 95% confidence intervals, kept within each "
        "metric's scale. A change is marked significant when it passes the "
        "Benjamini-Hochberg procedure over all the changes this report tests "
        "(false discovery rate 5%). Made with cxmetrics.</p>"
    )
    return "".join(parts)


def _title(report: Any) -> str:
    context = report.context
    if context.start_at is not None and context.end_at is not None:
        return f"Support KPIs, {context.start_at:%d %b %Y} – {context.end_at:%d %b %Y}"
    return "Support KPIs"


def _header(report: Any) -> str:
    items = list(report.context.describe())
    if report.by:
        items.insert(2, ("Segments", ", ".join(report.by)))
    return (
        "<dl class='cx-header'>"
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items)
        + "</dl>"
    )


def _card(card: Card) -> str:
    # The arrow is the change's sign; its colour (the class) says whether that is good news.
    arrow = "■" if card.direction == "flat" else {"+": "▲", "-": "▼"}.get(card.change[:1], "")
    change = ""
    if card.change:
        verdict = {True: "significant", False: "not significant", None: "not tested"}[
            card.significant
        ]
        change = (
            f"<div class='c {card.direction}'>{arrow} {escape(card.change)} "
            f"<span class='m'>vs previous · {verdict}</span></div>"
        )
    notes = "".join(f"<div class='m'>{escape(n)}</div>" for n in card.notes)
    interval = f" · {escape(card.interval)}" if card.interval else ""
    return (
        f"<div class='cx-card' data-metric='{escape(card.metric)}'>"
        f"<div class='t'>{escape(card.title)}</div><div class='v'>{escape(card.value)}</div>"
        f"{change}<div class='m'>{escape(card.period)} · n={card.n}{interval}</div>{notes}</div>"
    )


def _section(section: Section, by: tuple[str, ...]) -> str:
    parts = [f"<section id='{escape(section.key)}'><h2>{escape(section.title)}</h2>"]
    parts += [f"<p>{escape(note)}</p>" for note in section.notes]
    if section.table:
        parts.append(_cells_table(section.table))
    if section.charts:
        parts.append("<div class='cx-charts'>")
        for chart in section.charts:
            parts.append(
                f"<figure><img alt='{escape(chart.title)}' src='{chart.data_uri()}'>"
                + (f"<figcaption>{escape(chart.caption)}</figcaption>" if chart.caption else "")
                + "</figure>"
            )
        parts.append("</div>")
    if section.rows:
        table = _table(section.rows, by)
        if len(section.rows) > _OPEN_TABLE_ROWS:
            table = f"<details><summary>Table: {len(section.rows)} rows</summary>{table}</details>"
        parts.append(table)
    parts.append("</section>")
    return "".join(parts)


def _table(rows: Any, by: tuple[str, ...]) -> str:
    cells = table_cells(rows, by)
    numeric = [name in _NUMERIC_COLUMNS for name in cells[0]]
    head = "".join(f"<th>{escape(c)}</th>" for c in cells[0])
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{escape(c)}</td>" if num else f"<td>{escape(c)}</td>"
            for c, num in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in cells[1:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cells_table(cells: tuple[tuple[str, ...], ...]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in cells[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells[1:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _skipped(skipped: tuple[str, ...]) -> str:
    if not skipped:
        return ""
    reasons: dict[str, list[str]] = {}
    for item in skipped:
        name, _, reason = item.partition(": ")
        reasons.setdefault(reason or "not computed", []).append(name)
    items = "".join(
        f"<li><b>{escape(', '.join(names))}</b>: {escape(reason)}</li>"
        for reason, names in reasons.items()
    )
    return f"<section id='not-computed'><h2>Not computed</h2><ul class='cx-skipped'>{items}</ul></section>"
