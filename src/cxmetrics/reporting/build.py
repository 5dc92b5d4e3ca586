"""Many metrics, per period, in one table: the KPI report.

:func:`report` runs every requested metric (by default every registered metric
that the given data can feed and that needs no parameter) over the whole input and,
with ``period=``, per calendar period in a timezone. Each row carries the value,
its ``n``, its confidence interval and, per period, the change against the previous
period with whether that change is statistically significant.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.core.base import Metric, MetricResult
from cxmetrics.core.periods import Period, local_wall_time, period_labels
from cxmetrics.core.state import MeanState, RatioState
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.customer import Customer
from cxmetrics.models.interaction import Call
from cxmetrics.models.survey import SurveyResponse
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.registry import available_metrics, get_metric
from cxmetrics.stats import compare_means, compare_nps, compare_proportions
from cxmetrics.tables.inputs import as_record_table, as_ticket_batch
from cxmetrics.tables.schema import RecordTable, records_to_table
from cxmetrics.tables.ticket_batch import CREATED_BY, Categorical, TicketBatch, rows_of_tickets
from cxmetrics.tickets.cache import measure_as_subset, shared_measures

__all__ = ["Period", "Report", "ReportRow", "report"]


@dataclass(frozen=True)
class ReportRow:
    """One metric over one period.

    ``change`` is the difference with the previous period's value (``None`` for the
    first period or when either is undefined); ``significant`` says whether that
    change is statistically significant at the result's confidence level (``None``
    when no test applies to the metric). ``segment`` holds the ``(by, value)``
    pairs of the row's segment (empty without ``by``): ``"(none)"`` is the
    segment of rows without a value, ``"(all)"`` marks a ``by`` field the metric's
    input does not have.
    """

    metric: str
    period: str
    value: Any
    n: int
    unit: str
    low: Any = None
    high: Any = None
    change: float | None = None
    significant: bool | None = None
    segment: tuple[tuple[str, str], ...] = ()
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_plain(self) -> dict[str, Any]:
        """Return the row with durations in seconds and nan as None (JSON-able).

        Each ``by`` key of the segment becomes a column of its own.
        """
        # Field by field, not dataclasses.asdict: that deep-copies the details,
        # which are dropped here, and costs a second per 10,000 rows.
        plain = {f.name: getattr(self, f.name) for f in _ROW_FIELDS}
        plain.update(self.segment)
        return {key: _plain(value) for key, value in plain.items()}


_ROW_FIELDS = tuple(f for f in fields(ReportRow) if f.name not in ("details", "segment"))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):  # a copy: the row's own dict stays the row's
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


@dataclass(frozen=True)
class Report:
    """The rows of a KPI report, with exports to common formats.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
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
        return json.dumps({"rows": self.to_dicts(), "skipped": list(self.skipped)}, indent=2)

    def to_csv(self) -> str:
        """Return the report as CSV text."""
        out = io.StringIO()
        names = [n for n in ReportRow.__dataclass_fields__ if n not in ("segment", "details")]
        writer = csv.DictWriter(out, fieldnames=[*names, *self.by])
        writer.writeheader()
        writer.writerows(self.to_dicts())
        return out.getvalue()

    def to_pandas(self) -> Any:
        """Return the report as a pandas DataFrame (needs the ``dataframes`` extra)."""
        pandas = import_optional("pandas", extra="dataframes", feature="Report.to_pandas")
        return pandas.DataFrame(self.to_dicts())

    def to_polars(self) -> Any:
        """Return the report as a polars DataFrame (needs the ``dataframes`` extra)."""
        polars = import_optional("polars", extra="dataframes", feature="Report.to_polars")
        return polars.DataFrame(self.to_dicts())

    def _cells(self) -> list[list[str]]:
        header = ["metric", "period", *self.by, "value", "n", "95% interval", "change", ""]
        lines = [header]
        for row in self.rows:
            segment = dict(row.segment)
            lines.append(
                [
                    row.metric,
                    row.period,
                    *(segment.get(name, "") for name in self.by),
                    _fmt(row.value, row.unit),
                    str(row.n),
                    ""
                    if row.low is None
                    else f"{_fmt(row.low, row.unit)} – {_fmt(row.high, row.unit)}",
                    "" if row.change is None else _fmt_change(row.change, row.unit),
                    {True: "significant", False: "", None: ""}[row.significant],
                ]
            )
        return lines

    def to_markdown(self) -> str:
        """Return the report as a Markdown table."""
        cells = self._cells()
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
        lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
        return "\n".join(lines)

    def to_text(self) -> str:
        """Return the report as an aligned plain-text table."""
        cells = self._cells()
        widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in cells
        ]
        lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
        return "\n".join(lines)

    def to_html(self) -> str:
        """Return the report as a standalone HTML page: the table, then the charts.

        Charts (``report(..., charts=True)``) are embedded as PNG data URIs, so the
        page is one self-contained file.
        """
        from html import escape

        cells = self._cells()
        head = "".join(f"<th>{escape(c)}</th>" for c in cells[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells[1:]
        )
        figures = "".join(
            f"<figure><img alt='{escape(title)}' src='data:image/png;base64,{png}'>"
            f"<figcaption>{escape(title)}</figcaption></figure>"
            for title, png in self.charts
        )
        skipped = "".join(f"<li>{escape(item)}</li>" for item in self.skipped)
        notes = f"<h2>Not computed</h2><ul>{skipped}</ul>" if skipped else ""
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>cxmetrics report</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
            "figure{display:inline-block;margin:1em}</style>"
            f"</head><body><h1>KPI report</h1><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{figures}{notes}</body></html>"
        )


_MAX_CELL_WIDTH = 60


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return _fmt_seconds(value.total_seconds())
    if isinstance(value, dict):
        cells = [f"{k} {_fmt(v, unit)}" for k, v in value.items()]
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


def _fmt_change(change: float, unit: str) -> str:
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


def _compare(
    metric: Metric[Any, Any],
    before: Metric[Any, Any],
    details: dict[str, Any] | None = None,
    previous_details: dict[str, Any] | None = None,
) -> bool | None:
    state, previous = metric.state, before.state
    confidence = metric.params.confidence
    counts = ("achieved", "breached")
    if details and previous_details and all(k in details and k in previous_details for k in counts):
        # Compliance rates (SLA) carry their counts in the details.
        achieved, total = int(details["achieved"]), int(details["achieved"] + details["breached"])
        before_achieved = int(previous_details["achieved"])
        before_total = before_achieved + int(previous_details["breached"])
        if min(total, before_total) == 0:
            return None
        return compare_proportions(
            before_achieved, before_total, achieved, total, confidence
        ).significant
    try:
        if isinstance(state, RatioState):
            if min(state.denominator, previous.denominator) == 0:
                return None
            return compare_proportions(
                previous.numerator,
                previous.denominator,
                state.numerator,
                state.denominator,
                confidence,
            ).significant
        if isinstance(state, MeanState):
            if min(state.count, previous.count) < 2:
                return None
            return compare_means(
                (previous.total, previous.total_squares, previous.count),
                (state.total, state.total_squares, state.count),
                confidence,
            ).significant
        if type(state).__name__ == "NPSState":
            if min(state.total, previous.total) == 0:
                return None
            return compare_nps(
                (previous.promoters, previous.passives, previous.detractors),
                (state.promoters, state.passives, state.detractors),
                confidence,
            ).significant
    except ValueError:
        return None
    return None


def _change(value: Any, previous: Any) -> float | None:
    if isinstance(value, timedelta) and isinstance(previous, timedelta):
        return (value - previous).total_seconds()
    if isinstance(value, (int, float)) and isinstance(previous, (int, float)):
        difference = float(value) - float(previous)
        return None if math.isnan(difference) else difference
    return None


_TICKET_CODES = {
    "priority": PRIORITIES,
    "status": TICKET_STATUSES,
    "created_by": CREATED_BY,
}


def _normalise(kind: str, data: Any) -> Any:
    """Inputs as the report reads them: a batch for tickets, column tables where possible."""
    if kind == "tickets":
        return as_ticket_batch(data)
    table = as_record_table(kind, data)
    if table is not None:
        return table
    items = list(data)
    model = {"surveys": SurveyResponse, "calls": Call, "customers": Customer}[kind]
    if all(isinstance(item, model) for item in items):
        return records_to_table(kind, items)
    return items


def _instants(kind: str, data: Any) -> npt.NDArray[np.float64]:
    if kind == "tickets":
        return np.asarray(data.created_at, dtype=np.float64)
    column = {"surveys": "responded_at", "calls": "at", "customers": "since"}[kind]
    if isinstance(data, RecordTable):
        return np.asarray(data[column], dtype=np.float64)
    return np.array(
        [np.nan if getattr(item, column, None) is None else getattr(item, column).timestamp()
         for item in data],
        dtype=np.float64,
    )  # fmt: skip


def _segment_codes(kind: str, data: Any, name: str) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Integer codes of the ``name`` value of every row and their labels.

    Rows without a value are ``"(none)"``; an input without the field is one
    ``"(all)"`` segment.
    """
    n = len(data)
    if kind == "tickets":
        column = getattr(data, name, None)
        if isinstance(column, Categorical):
            # Segments in alphabetical order, whatever order the categories came in.
            order = np.argsort(np.array(column.categories, dtype=str))
            rank = np.empty(len(order) + 1, dtype=np.int64)
            rank[order] = np.arange(len(order))
            rank[-1] = len(order)
            codes = rank[np.where(column.codes < 0, len(order), column.codes)]
            return codes, [*sorted(column.categories), "(none)"]
        if name in _TICKET_CODES and column is not None:
            names = _TICKET_CODES[name]
            return np.where(column < 0, len(names), column).astype(np.int64), [*names, "(none)"]
        return np.zeros(n, dtype=np.int64), ["(all)"]
    if isinstance(data, RecordTable):
        values = data.get(name)
    elif data and all(hasattr(item, name) for item in data):
        values = np.empty(n, dtype=object)
        values[:] = [getattr(item, name) for item in data]
    else:
        values = None
    if values is None:
        return np.zeros(n, dtype=np.int64), ["(all)"]
    none: Any = None
    missing = np.asarray(np.equal(values, none), dtype=bool)
    labels, codes = np.unique(np.asarray(values)[~missing].astype(str), return_inverse=True)
    out = np.full(n, labels.size, dtype=np.int64)  # "(none)" sorts last, as for tickets
    out[~missing] = codes.ravel()
    return out, [*(str(label) for label in labels.tolist()), "(none)"]


Groups = dict[tuple[tuple[str, str], ...], list[tuple[str, npt.NDArray[np.int64]]]]
"""Per segment, its periods in order, each with the (ascending) row positions in it."""


def _subset(kind: str, data: Any, positions: npt.NDArray[np.int64]) -> Any:
    if isinstance(data, TicketBatch):
        part = data.select(positions)
        measure_as_subset(part, data, positions)  # cut from one measurement of the whole
        return part
    if isinstance(data, RecordTable):
        return data.select(positions)
    return [data[i] for i in positions.tolist()]


def _parts(groups: Groups, cut: Any) -> dict[tuple[tuple[str, str], ...], list[tuple[str, Any]]]:
    """The groups with each position array replaced by ``cut(positions)``."""
    return {
        segment: [(label, cut(positions)) for label, positions in periods]
        for segment, periods in groups.items()
    }


def _outcome_cutter(outcomes: Any) -> Any:
    """Cut SLA outcomes by ticket positions: equal to evaluating those tickets alone.

    Outcomes depend on their ticket only, so a report evaluates the whole batch
    once and hands each group the rows of its tickets (in their original order,
    tickets renumbered), instead of evaluating every group again.
    """
    ticket = np.asarray(outcomes.raw("ticket"), dtype=np.int64)
    by_ticket = np.argsort(ticket, kind="stable")
    size = int(ticket.max()) + 2 if ticket.size else 1
    starts = np.searchsorted(ticket[by_ticket], np.arange(size), side="left")

    def cut(positions: npt.NDArray[np.int64]) -> Any:
        rows = np.sort(by_ticket[rows_of_tickets(starts, positions)[0]])
        part = outcomes.select(rows)
        part.columns["ticket"][:] = np.searchsorted(positions, ticket[rows])
        return part

    return cut


def _groups(kind: str, data: Any, period: str | None, tz: str, by: Sequence[str]) -> Groups:
    """The rows of the input by segment, then by period (labels sorted)."""
    n = len(data)
    if n == 0:
        everything = np.arange(0, dtype=np.int64)
        return (
            {tuple((name, "(all)") for name in by): [("all", everything)]} if period is None else {}
        )
    if period is None:
        period_names, period_code = ["all"], np.zeros(n, dtype=np.int64)
    else:
        period_code, period_names = _period_codes(_instants(kind, data), period, tz)
    segment_code = np.zeros(n, dtype=np.int64)
    segment_names: list[list[str]] = []
    for name in by:
        codes, names = _segment_codes(kind, data, name)
        segment_code = segment_code * len(names) + codes
        segment_names.append(names)
    key = segment_code * len(period_names) + period_code
    order = np.argsort(key, kind="stable")  # stable: positions ascend within a group
    distinct, starts = np.unique(key[order], return_index=True)
    ends = np.r_[starts[1:], n]
    out: Groups = {}
    for value, start, end in zip(distinct.tolist(), starts.tolist(), ends.tolist(), strict=True):
        segment, label = divmod(value, len(period_names))
        parts = []
        for names in reversed(segment_names):
            segment, code = divmod(segment, len(names))
            parts.append(names[code])
        segment_key = tuple(zip(by, reversed(parts), strict=True))
        out.setdefault(segment_key, []).append((period_names[label], order[start:end]))
    return out


def _period_codes(
    seconds: npt.NDArray[np.float64], period: str, tz: str
) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Integer period of every instant and the sorted labels (``"unknown"`` last).

    Periods are told apart by integers (local day, month, or the Thursday of the
    ISO week); only one instant per period is turned into a label.
    """
    known = ~np.isnan(seconds)
    local = np.zeros(seconds.size, dtype=np.int64)
    if known.any():
        days_of = local_wall_time(seconds[known], tz).astype("datetime64[D]")
        days = days_of.astype(np.int64)
        if period == "day":
            key = days
        elif period == "week":
            key = days - (days + 3) % 7 + 3  # the Thursday decides the ISO week
        else:
            months = days_of.astype("datetime64[M]").astype(np.int64)
            key = {"month": months, "quarter": months // 3, "year": months // 12}[period]
        local[known] = key
    _, first, inverse = np.unique(local[known], return_index=True, return_inverse=True)
    labels = period_labels(seconds[known][first], period, tz).tolist() if first.size else []
    codes = np.full(seconds.size, len(labels), dtype=np.int64)  # unknown: after the rest
    codes[known] = inverse.ravel()
    if not known.all():
        labels.append("unknown")
    return codes, [str(label) for label in labels]


def _has_field(kind: str, data: Any, name: str) -> bool:
    if kind == "tickets":
        return isinstance(getattr(data, name, None), Categorical) or name in _TICKET_CODES
    if isinstance(data, RecordTable):
        return name in data.columns
    return bool(data) and hasattr(data[0], name)


def _has_kind(data: Any, survey_kind: str) -> bool:
    if isinstance(data, RecordTable):
        return bool(np.any(data["kind"] == survey_kind))
    return any(getattr(s, "kind", survey_kind) == survey_kind for s in data)


def _only_kind(data: Any, survey_kind: str) -> Any:
    if isinstance(data, RecordTable):
        return data.select(np.asarray(data["kind"] == survey_kind, dtype=bool))
    return [s for s in data if getattr(s, "kind", survey_kind) == survey_kind]


def report(
    *,
    tickets: Any = None,
    surveys: Any = None,
    calls: Any = None,
    customers: Any = None,
    metrics: Sequence[str] | None = None,
    period: Period | None = None,
    by: Sequence[str] | str | None = None,
    timezone: str = "UTC",
    calendar: Any = None,
    sla: Any = None,
    params: dict[str, dict[str, Any]] | None = None,
    charts: bool = False,
) -> Report:
    """Compute many metrics, overall or per period and segment, into one table.

    Parameters
    ----------
    tickets : list of Ticket, TicketBatch or DataFrame, optional
        A DataFrame is a tickets table (see :func:`cxmetrics.io.to_ticket_batch`
        for history tables and column names).
    surveys : list of SurveyResponse or DataFrame, optional
        Each survey metric reads the answers of its kind.
    calls : list of Call or DataFrame, optional
    customers : list of Customer or DataFrame, optional
    metrics : list of str, optional
        Registry names (see :func:`~cxmetrics.available_metrics`). By default every
        metric the given data can feed and that runs with default parameters.
    period : {"day", "week", "month", "quarter", "year"}, optional
        Group by local period: tickets by creation, surveys by response, calls by
        arrival. Survey answers without ``responded_at`` are reported in a period
        labelled ``"unknown"``, never dropped.
    by : str or list of str, optional
        Segment every metric by these fields (``"channel"``, ``"group"``,
        ``"priority"``, ``"agent_id"``, ``"queue"``…); changes are measured within
        a segment. Inputs without the field are reported whole, as ``"(all)"``.
    timezone : str, default="UTC"
        IANA timezone that periods are cut in.
    calendar : BusinessCalendar, optional
        Measure durations in business time (for every metric that takes a
        calendar, unless ``params`` says otherwise).
    sla : SlaPolicy or SlaPolicySet, optional
        Add SLA compliance (the ``sla_compliance`` metric of :mod:`cxmetrics.sla`)
        evaluated with this policy.
    params : dict, optional
        Parameters per metric name, e.g. ``{"csat": {"scale": 10}}``.
    charts : bool, default=False
        Draw the charts (needs the ``plot`` extra): trends with intervals, the
        response and resolution time distributions, and the volume by hour and
        weekday; :meth:`Report.to_html` embeds them.

    Returns
    -------
    Report
        Metrics named in ``metrics`` that cannot run on the data are an error;
        default metrics that cannot run are listed in ``Report.skipped``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import SurveyResponse
    >>> day = lambda d: datetime(2024, 3, d, 12, tzinfo=timezone.utc)
    >>> answers = [SurveyResponse(kind="nps", score=s, responded_at=day(d))
    ...            for d, s in [(4, 10), (4, 3), (12, 9), (12, 10), (12, 8)]]
    >>> r = report(surveys=answers, metrics=["nps"], period="week")
    >>> [(row.period, row.value, row.change) for row in r.rows]
    [('2024-W10', 0.0, None), ('2024-W11', 66.66666666666667, 66.66666666666667)]
    >>> answers = [SurveyResponse(kind="csat", score=s, channel=c)
    ...            for s, c in [(5, "chat"), (2, "chat"), (4, "email")]]
    >>> [(dict(r.segment)["channel"], r.value) for r in
    ...  report(surveys=answers, metrics=["csat"], by="channel").rows]
    [('chat', 0.5), ('email', 1.0)]
    """
    by_fields = (by,) if isinstance(by, str) else tuple(by or ())
    inputs: dict[str, Any] = {}
    for kind, data in (
        ("tickets", tickets),
        ("surveys", surveys),
        ("calls", calls),
        ("customers", customers),
    ):
        if data is not None:
            inputs[kind] = _normalise(kind, data)
    for field_name in by_fields:
        if not any(_has_field(kind, data, field_name) for kind, data in inputs.items()):
            raise InvalidParameterError(
                f"cannot segment by {field_name!r}: no input has that field (tickets have "
                "channel, group, segment, priority, status, agent_id, customer_id, created_by)"
            )
    params = dict(params or {})
    names = list(metrics) if metrics is not None else available_metrics()
    if sla is not None:
        try:  # importing the package registers its sla_compliance metric
            importlib.import_module("cxmetrics.sla")
        except ImportError as exc:
            raise InvalidParameterError(
                "sla= needs cxmetrics.sla, which this version does not have"
            ) from exc
        # One instant of evaluation for every group (the default "now" would drift).
        params["sla_compliance"] = {
            "policy": sla,
            "as_of": datetime.now(dt_timezone.utc),
            **params.get("sla_compliance", {}),
        }
        if "sla_compliance" not in names:
            names.append("sla_compliance")
    explicit = metrics is not None
    rows: list[ReportRow] = []
    skipped: list[str] = []
    grouped: dict[tuple[str, str | None], tuple[Any, Groups]] = {}
    tickets_given = inputs.get("tickets")
    with ThreadPoolExecutor(max_workers=1) as pool, shared_measures():
        # SLA outcomes depend on nothing else the report computes: evaluate them
        # on a second core while the ticket metrics run (numpy releases the GIL).
        sla_outcomes = (
            pool.submit(
                _evaluate_once,
                tickets_given,
                _options(get_metric("sla_compliance"), params, calendar),
            )
            if sla is not None
            and "sla_compliance" in names
            and isinstance(tickets_given, TicketBatch)
            else None
        )
        for name in names:
            cls = get_metric(name)
            if cls.input_kind not in inputs:
                if explicit:
                    raise InvalidParameterError(
                        f"metric {name!r} needs {cls.input_kind}, which report was not given"
                    )
                continue
            data = inputs[cls.input_kind]
            if cls.survey_kind is not None:
                if not _has_kind(data, cls.survey_kind) and not explicit:
                    continue
                data = _only_kind(data, cls.survey_kind)
            options = _options(cls, params, calendar)
            key = (cls.input_kind, cls.survey_kind)
            if key not in grouped:
                groups = _groups(cls.input_kind, data, period, timezone, by_fields)
                subset = partial(_subset, cls.input_kind, data)
                grouped[key] = _parts(groups, subset), groups
            parts, groups = grouped[key]
            try:
                if name == "sla_compliance" and isinstance(data, TicketBatch):
                    outcomes = (
                        sla_outcomes.result()
                        if sla_outcomes is not None
                        else _evaluate_once(data, options)
                    )
                    parts = _parts(groups, _outcome_cutter(outcomes))
                rows.extend(_metric_rows(cls, options, parts))
            except (InvalidParameterError, TypeError, ValueError) as exc:
                if explicit:
                    raise
                skipped.append(f"{name}: {exc}")
        result = Report(tuple(rows), tuple(skipped), by_fields)
        if charts:  # inside the block: the duration chart reuses the measurement
            from cxmetrics.reporting.charts import report_charts

            result = replace(
                result,
                charts=report_charts(result, inputs.get("tickets"), calendar, timezone),
            )
    return result


def _options(cls: type[Metric[Any, Any]], params: dict[str, Any], calendar: Any) -> dict[str, Any]:
    """The parameters of one metric: its own, and the report's calendar if it takes one."""
    options = dict(params.get(cls.name, {}))
    if calendar is not None and "calendar" in cls.Params.model_fields:
        options.setdefault("calendar", calendar)
    return options


def _evaluate_once(tickets: TicketBatch, options: dict[str, Any]) -> Any:
    """SLA outcomes of every ticket, evaluated as the ``sla_compliance`` options say."""
    from cxmetrics.sla import evaluate_sla

    params = get_metric("sla_compliance")(**options).params
    if params.policy is None:
        raise InvalidParameterError("sla_compliance needs a policy: pass report(sla=...)")
    return evaluate_sla(tickets, params.policy, as_of=params.as_of)


def _metric_rows(
    cls: type[Metric[Any, Any]],
    options: dict[str, Any],
    groups: dict[tuple[tuple[str, str], ...], list[tuple[str, Any]]],
) -> list[ReportRow]:
    rows = []
    for segment, parts in groups.items():
        previous: Metric[Any, Any] | None = None
        previous_value: Any = None
        previous_details: dict[str, Any] = {}
        for label, part in parts:
            metric = cls(**options)
            metric.update(part)
            result: MetricResult = _quiet(metric)
            change = significant = None
            if previous is not None and label != "unknown":
                change = _change(result.value, previous_value)
                significant = (
                    _compare(metric, previous, dict(result.details), previous_details)
                    if change is not None
                    else None
                )
            low, high = result.interval if result.interval is not None else (None, None)
            rows.append(
                ReportRow(
                    metric=cls.name,
                    period=label,
                    value=result.value,
                    n=result.n,
                    unit=result.unit,
                    low=low,
                    high=high,
                    change=change,
                    significant=significant,
                    segment=segment,
                    details=dict(result.details),
                )
            )
            if label != "unknown":
                previous, previous_value = metric, result.value
                previous_details = dict(result.details)
    return rows


def _quiet(metric: Metric[Any, Any]) -> MetricResult:
    import warnings

    from cxmetrics.exceptions import UndefinedMetricWarning

    # An empty period is reported as n = 0 and "n/a", which says more than a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return metric.compute()
