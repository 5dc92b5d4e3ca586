"""The top of the stack: the KPI report (build, render) and its charts.

:func:`report` runs many metrics per period and segment in one pass and returns a
:class:`Report`, which renders itself as text, Markdown, HTML (with the charts of
:mod:`cxmetrics.reporting.charts`), JSON or CSV.
"""

from cxmetrics.reporting.build import Period, Report, ReportRow, report

__all__ = ["Period", "Report", "ReportRow", "report"]
