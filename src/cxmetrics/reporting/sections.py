"""The page's sections: one per metric family, each with its charts and its table.

A section builder is a function ``(report) -> Section | None``;
:data:`SECTION_BUILDERS` lists them in page order. The default builds one
section per family (surveys, tickets, SLA, contact center, retention) that has
rows or charts. A new kind of content (alerts, drivers, targets) is a new builder
appended to the list, or given to :func:`sections`; the page renders any
:class:`Section` the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cxmetrics.reporting.catalog import FAMILIES, info
from cxmetrics.reporting.figures import Chart
from cxmetrics.reporting.row import ReportRow

__all__ = ["SECTION_BUILDERS", "Section", "family_sections", "sections"]


@dataclass(frozen=True)
class Section:
    """A titled part of the page: notes, charts, then a table of rows.

    Attributes
    ----------
    key : str
        Anchor id on the page.
    title : str
    charts : tuple of Chart
    rows : tuple of ReportRow
    notes : tuple of str
        Short paragraphs shown before the charts (a builder's findings).
    table : tuple of tuple of str
        A table of the builder's own, formatted cells with the header first
        (empty: none), shown after the notes.
    """

    key: str
    title: str
    charts: tuple[Chart, ...] = ()
    rows: tuple[ReportRow, ...] = ()
    notes: tuple[str, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()


SectionBuilder = Callable[[Any], Sequence[Section]]


def family_sections(report: Any) -> list[Section]:
    """One section per family with data: its charts (by importance) and its rows.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> from cxmetrics.reporting import report
    >>> r = report(surveys=[SurveyResponse(kind="nps", score=s) for s in (9, 10, 3)])
    >>> [(s.title, len(s.rows)) for s in family_sections(r)]
    [('Surveys', 1)]
    """
    out = []
    for family in FAMILIES:
        rows = tuple(r for r in report.rows if info(r.metric).family == family)
        charts = tuple(c for c in report.charts if info(c.metric).family == family)
        if rows or charts:
            title = "SLA" if family == "sla" else family.capitalize()
            out.append(Section(family.replace(" ", "-"), title, charts, rows))
    return out


SECTION_BUILDERS: list[SectionBuilder] = [family_sections]
"""Builders run in order; each returns zero or more sections."""


def sections(report: Any, builders: Sequence[SectionBuilder] | None = None) -> list[Section]:
    """Every section of ``report``, from ``builders`` (default :data:`SECTION_BUILDERS`)."""
    out: list[Section] = []
    for build in SECTION_BUILDERS if builders is None else builders:
        out.extend(build(report))
    return out
