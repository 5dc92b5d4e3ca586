"""The KPI report as a value: its rows, what was skipped, and its exports."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import cxmetrics.reporting.html as html
import cxmetrics.reporting.render as render
from cxmetrics._optional import import_optional
from cxmetrics.reporting.context import ReportContext
from cxmetrics.reporting.figures import Chart
from cxmetrics.reporting.insights import Insights, row_targets
from cxmetrics.reporting.row import ReportRow

__all__ = ["Report"]

_REPR_ROWS = 12


@dataclass(frozen=True)
class Report:
    """The rows of a KPI report, with exports to common formats.

    Attributes
    ----------
    rows : tuple of ReportRow
        One per metric, period and segment.
    skipped : tuple of str
        ``"metric: reason"`` for each metric left out (absent input, no parameter).
    by : tuple of str
        The segment fields.
    charts : tuple of Chart
        Drawn with ``report(..., charts=True)``; :meth:`to_html` places them.
    context : ReportContext
        What the header states: data range, timezone, calendar, SLA, statistic.
    totals : tuple of ReportRow
        With ``by``: each metric per period over all segments (the headline cards).
    insights : Insights
        Targets met or missed, alerts, and what customers said (see
        :mod:`cxmetrics.reporting.insights`).

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> from cxmetrics.reporting import report
    >>> r = report(surveys=[SurveyResponse(kind="csat", score=s) for s in (5, 4, 2)])
    >>> [(row.metric, round(row.value, 3), row.n) for row in r.rows]
    [('csat', 0.667, 3), ('csat_mean', 3.667, 3)]
    >>> print(r)  # doctest: +ELLIPSIS
    KPI report: 2 rows, 2 metrics (whole data, UTC)
    metric     period  value  n  95% interval   change  significant
    ...
    """

    rows: tuple[ReportRow, ...]
    skipped: tuple[str, ...] = ()
    by: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = field(default=(), repr=False)
    context: ReportContext = field(default_factory=ReportContext, repr=False)
    totals: tuple[ReportRow, ...] = field(default=(), repr=False)
    insights: Insights = field(default_factory=Insights, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        metrics = len({r.metric for r in self.rows})
        context = self.context
        lines = [
            f"KPI report: {len(self.rows)} rows, {metrics} metrics "
            f"({context.period or 'whole data'}, {context.timezone})"
        ]
        table = render.as_text(self.rows[:_REPR_ROWS], self.by).splitlines()
        lines += table
        if len(self.rows) > _REPR_ROWS:
            lines.append(f"… {len(self.rows) - _REPR_ROWS} more rows (to_text() shows all)")
        if self.skipped:
            lines.append(f"not computed: {len(self.skipped)} (see .skipped)")
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """The notebook display: the report page's content."""
        return html.fragment(self)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Return one plain dict per row.

        With ``report(targets=...)`` each row also has ``target`` (seconds for
        durations) and ``target_met`` (``None`` for a metric without a target).
        """
        return row_targets(self, [row.as_plain() for row in self.rows])

    def to_json(self) -> str:
        """Return the report as a JSON document.

        ``rows`` and ``skipped``, and what was computed of ``targets`` (each
        headline figure against its target), ``alerts`` (flagged periods, tag
        spikes, the false-alarm rate), ``customers_said`` (low-score comments and
        reasons) and ``response_rates``.
        """
        return render.as_json(self.to_dicts(), self.skipped, self.insights.to_plain())

    def to_csv(self) -> str:
        """Return the report as CSV text (with ``target`` and ``target_met`` when targets are given)."""
        extra = ("target", "target_met") if self.context.goals else ()
        return render.as_csv(self.to_dicts(), self.by, extra)

    def to_pandas(self) -> Any:
        """Return the report as a pandas DataFrame with real dtypes (``dataframes`` extra).

        One row per report row: ``metric``, ``period``, ``value`` (float64: rates in [0, 1], durations in seconds, see
        ``unit``), ``n`` (int64), ``low`` and ``high`` (float64), ``change``
        (float64), ``significant`` (nullable boolean), ``p_value`` (float64) and
        ``details`` (a dict per row; a breakdown such as the channel mix is in
        ``details["values"]`` and its ``value`` is NaN), then one column per ``by``
        field.

        Examples
        --------
        >>> from cxmetrics import SurveyResponse
        >>> from cxmetrics.reporting import report
        >>> r = report(surveys=[SurveyResponse(kind="csat", score=s) for s in (5, 4, 2)])
        >>> r.to_pandas().dtypes[["value", "n", "significant"]].astype(str).tolist()
        ['float64', 'int64', 'boolean']
        """
        pandas = import_optional("pandas", extra="dataframes", feature="Report.to_pandas")
        columns: dict[str, list[Any]] = {name: [] for name in _FRAME_COLUMNS}
        segments: dict[str, list[Any]] = {name: [] for name in self.by}
        for row in self.rows:
            details = dict(row.details)
            value = _number(row.value)
            if isinstance(row.value, dict):
                details["values"] = dict(row.value)
            for name, item in (
                ("metric", row.metric), ("period", row.period), ("value", value),
                ("n", int(row.n)), ("unit", row.unit), ("low", _number(row.low)),
                ("high", _number(row.high)), ("change", _number(row.change)),
                ("significant", row.significant), ("p_value", _number(row.p_value)),
                ("details", details),
            ):  # fmt: skip
                columns[name].append(item)
            segment = dict(row.segment)
            for name in self.by:
                segments[name].append(segment.get(name))
        frame = pandas.DataFrame(
            {
                name: pandas.Series(columns[name], dtype=kind)
                for name, kind in _FRAME_COLUMNS.items()
            }
        )
        for name, values in segments.items():  # the by columns last, as in to_csv
            frame[name] = pandas.Series(values, dtype=object, index=frame.index)
        return frame

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
        """Return the report as a standalone HTML page (see :mod:`cxmetrics.reporting.html`).

        The header, headline KPI cards, one section per family with its charts
        (``report(..., charts=True)``, embedded as PNG data URIs) and its table,
        and the metrics not computed with their reasons.
        """
        return html.page(self)


_FRAME_COLUMNS: dict[str, Any] = {
    "metric": object,
    "period": object,
    "value": "float64",
    "n": "int64",
    "unit": object,
    "low": "float64",
    "high": "float64",
    "change": "float64",
    "significant": "boolean",
    "p_value": "float64",
    "details": object,
}


def _number(value: Any) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
