"""Headline KPI cards: this period's value, its change against the last, significance.

A card is one metric over all segments (the report's totals when it is
segmented). :data:`CARD_ANNOTATORS` holds functions ``(card, report) -> card``
run on every card in turn: a later feature (targets met or missed, alerts) adds
its note to :attr:`Card.notes` by appending a function, without touching the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cxmetrics.reporting.catalog import IMPORTANCE, info
from cxmetrics.reporting.render import duration_scale, format_change, format_value, metric_scales
from cxmetrics.reporting.row import ReportRow

__all__ = ["CARD_ANNOTATORS", "Card", "headline_cards"]


@dataclass(frozen=True)
class Card:
    """One headline KPI.

    Attributes
    ----------
    metric, title : str
    value : str
        The latest period's value, formatted.
    period : str
        Its period (``"all"`` without periods).
    change : str
        Against the previous period, formatted (``""`` without one).
    direction : {"better", "worse", "flat", ""}
        Whether the change is good news for this metric (``""``: no direction).
    significant : bool or None
        After Benjamini-Hochberg over the report's comparisons.
    n : int
    interval : str
    notes : tuple of str
        Annotations added by :data:`CARD_ANNOTATORS` (targets, alerts).
    """

    metric: str
    title: str
    value: str
    period: str
    change: str = ""
    direction: str = ""
    significant: bool | None = None
    n: int = 0
    interval: str = ""
    notes: tuple[str, ...] = ()

    def with_note(self, note: str) -> Card:
        """Return the card with one more annotation."""
        return replace(self, notes=(*self.notes, note))


CardAnnotator = Callable[[Card, Any], Card]
CARD_ANNOTATORS: list[CardAnnotator] = []
"""Functions run on every card (e.g. a target check adding "target 80% missed")."""

_CARD_LIMIT = 8


def headline_cards(report: Any, limit: int = _CARD_LIMIT) -> list[Card]:
    """The cards of ``report``: its most important metrics with a value, latest period.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> from cxmetrics.reporting import report
    >>> r = report(surveys=[SurveyResponse(kind="csat", score=s) for s in (5, 4, 2)])
    >>> [(c.title, c.value) for c in headline_cards(r)][:1]
    [('CSAT', '66.7%')]
    """
    rows: list[ReportRow] = list(report.totals) if report.by else list(report.rows)
    by_metric: dict[str, list[ReportRow]] = {}
    for row in rows:
        if row.period != "unknown":
            by_metric.setdefault(row.metric, []).append(row)
    order = [m for m in IMPORTANCE if m in by_metric]
    cards = []
    for metric in order:
        latest = _latest_full(by_metric[metric])
        if _missing(latest.value) or isinstance(latest.value, dict):
            continue
        # The card's unit is its own value's (2.4 h, not 0.1 d beside a series of days).
        card = _card(metric, latest, metric_scales([latest]).get(metric))
        for annotate in CARD_ANNOTATORS:
            card = annotate(card, report)
        cards.append(card)
        if len(cards) == limit:
            break
    return cards


def _latest_full(rows: list[ReportRow]) -> ReportRow:
    """The last period that is not a sliver: ``n`` at least a quarter of the largest ``n``.

    A report cut at an arbitrary date ends with a partial period (a few days of a
    month); its value and its change are noise, so the card shows the period before.
    """
    floor = max(row.n for row in rows) / 4
    for row in reversed(rows):
        if row.n >= floor:
            return row
    return rows[-1]


def _card(metric: str, row: ReportRow, scale: tuple[float, str] | None) -> Card:
    from cxmetrics.registry import get_metric

    better = get_metric(metric).higher_is_better if metric != "sla_compliance" else True
    direction = ""
    if row.change is not None:
        if row.change == 0:
            direction = "flat"
        elif better is not None:
            direction = "better" if (row.change > 0) == better else "worse"
    return Card(
        metric=metric,
        title=info(metric).title,
        value=format_value(row.value, row.unit, scale),
        period=row.period,
        change="" if row.change is None else format_change(row.change, row.unit, _own(row.change)),
        direction=direction,
        significant=row.significant,
        n=row.n,
        interval=""
        if row.low is None
        else f"{format_value(row.low, row.unit, scale)} – {format_value(row.high, row.unit, scale)}",
        notes=(),
    )


def _own(change: float) -> tuple[float, str]:
    """The unit of a change of this size (a week's -8.8 d beside a value of 28.1 h)."""
    return duration_scale([change])


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
