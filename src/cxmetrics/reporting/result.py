"""The KPI report as a value: its rows, what was skipped, and its exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cxmetrics._optional import import_optional
from cxmetrics.reporting import render
from cxmetrics.reporting.row import ReportRow

__all__ = ["Report"]


@dataclass(frozen=True)
class Report:
    """The rows of a KPI report, with exports to common formats.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> from cxmetrics.reporting import report
    >>> r = report(surveys=[SurveyResponse(kind="csat", score=s) for s in (5, 4, 2)])
    >>> [(row.metric, round(row.value, 3), row.n) for row in r.rows]
    [('csat', 0.667, 3), ('csat_mean', 3.667, 3)]
    """

    rows: tuple[ReportRow, ...]
    skipped: tuple[str, ...] = ()
    by: tuple[str, ...] = ()
    charts: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """``(title, base64 PNG)`` pairs embedded by :meth:`to_html` (``charts=True``)."""

    def __len__(self) -> int:
        return len(self.rows)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Return one plain dict per row."""
        return [row.as_plain() for row in self.rows]

    def to_json(self) -> str:
        """Return the report as a JSON document."""
        return render.as_json(self.to_dicts(), self.skipped)

    def to_csv(self) -> str:
        """Return the report as CSV text."""
        return render.as_csv(self.to_dicts(), self.by)

    def to_pandas(self) -> Any:
        """Return the report as a pandas DataFrame (needs the ``dataframes`` extra)."""
        pandas = import_optional("pandas", extra="dataframes", feature="Report.to_pandas")
        return pandas.DataFrame(self.to_dicts())

    def to_polars(self) -> Any:
        """Return the report as a polars DataFrame (needs the ``dataframes`` extra)."""
        polars = import_optional("polars", extra="dataframes", feature="Report.to_polars")
        return polars.DataFrame(self.to_dicts())

    def to_markdown(self) -> str:
        """Return the report as a Markdown table."""
        return render.as_markdown(self.rows, self.by)

    def to_text(self) -> str:
        """Return the report as an aligned plain-text table."""
        return render.as_text(self.rows, self.by)

    def to_html(self) -> str:
        """Return the report as a standalone HTML page: the table, then the charts.

        Charts (``report(..., charts=True)``) are embedded as PNG data URIs, so the
        page is one self-contained file.
        """
        return render.as_html(self.rows, self.by, self.charts, self.skipped)
