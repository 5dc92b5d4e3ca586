"""The top of the stack: the KPI report (build, render) and its charts.

:func:`report` runs many metrics per period and segment in one pass and returns a
:class:`Report`, which renders itself as text, Markdown, HTML (with the charts of
:mod:`cxmetrics.reporting.charts`), JSON or CSV.

Modules: ``build`` (:func:`report`, step by step), ``inputs`` (normalising the
inputs), ``grouping`` (segments and periods), ``compare`` (period-over-period
change and significance), ``row`` (:class:`ReportRow`), ``result``
(:class:`Report`), ``render`` (formatting and the text, Markdown, HTML, JSON and
CSV renders) and ``charts``.
"""

from cxmetrics.core.periods import Period
from cxmetrics.reporting.build import report
from cxmetrics.reporting.result import Report
from cxmetrics.reporting.row import ReportRow

__all__ = ["Period", "Report", "ReportRow", "report"]
