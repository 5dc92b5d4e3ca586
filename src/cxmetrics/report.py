"""Many metrics, per period, in one table: the KPI report.

:func:`report` runs every requested metric (by default every registered metric
that the given data can feed and that needs no parameter) over the whole input and,
with ``period=``, per calendar period in a timezone. Each row carries the value,
its ``n``, its confidence interval and, per period, the change against the previous
period with whether that change is statistically significant.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.batch import TicketBatch, as_ticket_batch
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics.base import Metric, MetricResult
from cxmetrics.metrics.state import MeanState, RatioState
from cxmetrics.registry import available_metrics, get_metric
from cxmetrics.stats import compare_means, compare_nps, compare_proportions

__all__ = ["Period", "Report", "ReportRow", "report"]

Period = Literal["day", "week", "month", "quarter", "year"]
PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class ReportRow:
    """One metric over one period.

    ``change`` is the difference with the previous period's value (``None`` for the
    first period or when either is undefined); ``significant`` says whether that
    change is statistically significant at the result's confidence level (``None``
    when no test applies to the metric).
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
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_plain(self) -> dict[str, Any]:
        """Return the row with durations in seconds and nan as None (JSON-able)."""
        plain = asdict(self)
        plain.pop("details")
        return {key: _plain(value) for key, value in plain.items()}


def _plain(value: Any) -> Any:
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
        writer = csv.DictWriter(out, fieldnames=list(ReportRow.__dataclass_fields__)[:-1])
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
        header = ["metric", "period", "value", "n", "95% interval", "change", ""]
        lines = [header]
        for row in self.rows:
            lines.append(
                [
                    row.metric,
                    row.period,
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
        """Return the report as a standalone HTML table."""
        from html import escape

        cells = self._cells()
        head = "".join(f"<th>{escape(c)}</th>" for c in cells[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells[1:]
        )
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>cxmetrics report</title>"
            f"</head><body><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "</body></html>"
        )


_MAX_CELLS = 8


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return _fmt_seconds(value.total_seconds())
    if isinstance(value, dict):
        cells = [f"{k} {_fmt(v, unit)}" for k, v in value.items()]
        if len(cells) > _MAX_CELLS:
            # A long series (daily volume over months) would swamp a table cell;
            # the JSON, CSV and DataFrame exports carry every entry.
            head, tail = cells[: _MAX_CELLS - 2], cells[-2:]
            cells = [*head, f"… {len(cells) - len(head) - 2} more", *tail]
        return ", ".join(cells)
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


def period_labels(
    seconds: npt.NDArray[np.float64], period: str, tz: str = "UTC"
) -> npt.NDArray[np.str_]:
    """Label epoch-second instants with their local period (``2024-W09``, ``2024-03``…).

    The UTC offset is looked up once per distinct UTC hour, so a million instants
    cost a few thousand zone lookups. Weeks are ISO weeks (Monday to Sunday).

    Examples
    --------
    >>> from datetime import timezone
    >>> t = np.array([datetime(2024, 3, 31, 22, 30, tzinfo=timezone.utc).timestamp()])
    >>> period_labels(t, "day", "Europe/Berlin").tolist(), period_labels(t, "month").tolist()
    (['2024-04-01'], ['2024-03'])
    """
    if period not in PERIODS:
        raise InvalidParameterError(
            f"The 'period' parameter of report must be one of {', '.join(PERIODS)}. "
            f"Got {period!r} instead."
        )
    zone = ZoneInfo(tz)
    hours = np.floor(seconds / 3600.0)
    unique_hours, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array(
        [
            datetime.fromtimestamp(h * 3600.0, tz=zone).utcoffset().total_seconds()  # type: ignore[union-attr]
            for h in unique_hours
        ]
    )
    local = (seconds + offsets[inverse]).astype("datetime64[s]")
    days = local.astype("datetime64[D]")
    labels: npt.NDArray[np.str_]
    if period == "day":
        labels = days.astype(str)
        return labels
    if period == "month":
        labels = local.astype("datetime64[M]").astype(str)
        return labels
    if period == "year":
        labels = local.astype("datetime64[Y]").astype(str)
        return labels
    if period == "quarter":
        months = local.astype("datetime64[M]").astype(np.int64)
        return np.char.add(
            np.char.add((months // 12 + 1970).astype(str), "-Q"), (months % 12 // 3 + 1).astype(str)
        )
    # ISO week: the week of the Thursday of this week decides the year.
    weekday = (days.astype(np.int64) + 3) % 7  # Monday = 0
    thursday = days - weekday + 3
    iso_year = thursday.astype("datetime64[Y]")
    week = (thursday - iso_year.astype("datetime64[D]")).astype(np.int64) // 7 + 1
    return np.char.add(np.char.add(iso_year.astype(str), "-W"), np.char.zfill(week.astype(str), 2))


def _instants(kind: str, data: Any) -> npt.NDArray[np.float64]:
    if kind == "tickets":
        return np.asarray(data.created_at)
    if kind == "surveys":
        return np.array(
            [np.nan if s.responded_at is None else s.responded_at.timestamp() for s in data]
        )
    if kind == "calls":
        return np.array([c.at.timestamp() for c in data])
    return np.array([c.since.timestamp() for c in data])


def _subset(kind: str, data: Any, mask: npt.NDArray[np.bool_]) -> Any:
    if kind == "tickets":
        return data.select(mask)
    return [item for item, keep in zip(data, mask, strict=True) if keep]


def _compare(metric: Metric[Any, Any], before: Metric[Any, Any]) -> bool | None:
    state, previous = metric.state, before.state
    confidence = metric.params.confidence
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


def report(
    *,
    tickets: Iterable[Any] | TicketBatch | None = None,
    surveys: Sequence[Any] | None = None,
    calls: Sequence[Any] | None = None,
    customers: Sequence[Any] | None = None,
    metrics: Sequence[str] | None = None,
    period: Period | None = None,
    timezone: str = "UTC",
    params: dict[str, dict[str, Any]] | None = None,
) -> Report:
    """Compute many metrics, overall or per period, into one table.

    Parameters
    ----------
    tickets : list of Ticket or TicketBatch, optional
    surveys : list of SurveyResponse, optional
        Each survey metric reads the answers of its kind.
    calls : list of Call, optional
    customers : list of Customer, optional
    metrics : list of str, optional
        Registry names (see :func:`~cxmetrics.available_metrics`). By default every
        metric the given data can feed and that runs with default parameters.
    period : {"day", "week", "month", "quarter", "year"}, optional
        Group by local period: tickets by creation, surveys by response, calls by
        arrival. Survey answers without ``responded_at`` are reported in a period
        labelled ``"unknown"``, never dropped.
    timezone : str, default="UTC"
        IANA timezone that periods are cut in.
    params : dict, optional
        Parameters per metric name, e.g. ``{"csat": {"scale": 10}}``.

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
    """
    inputs: dict[str, Any] = {}
    if tickets is not None:
        inputs["tickets"] = as_ticket_batch(tickets)
    for kind, data in (("surveys", surveys), ("calls", calls), ("customers", customers)):
        if data is not None:
            inputs[kind] = list(data)
    params = params or {}
    names = list(metrics) if metrics is not None else available_metrics()
    explicit = metrics is not None
    rows: list[ReportRow] = []
    skipped: list[str] = []
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
            data = [s for s in data if getattr(s, "kind", cls.survey_kind) == cls.survey_kind]
            if not data and not explicit:
                continue
        try:
            rows.extend(_metric_rows(cls, params.get(name, {}), data, period, timezone))
        except (InvalidParameterError, TypeError, ValueError) as exc:
            if explicit:
                raise
            skipped.append(f"{name}: {exc}")
    return Report(tuple(rows), tuple(skipped))


def _metric_rows(
    cls: type[Metric[Any, Any]],
    options: dict[str, Any],
    data: Any,
    period: str | None,
    tz: str,
) -> list[ReportRow]:
    if period is None:
        groups: list[tuple[str, Any]] = [("all", data)]
    else:
        instants = _instants(cls.input_kind, data)
        labels = np.where(
            np.isnan(instants), "unknown", period_labels(np.nan_to_num(instants), period, tz)
        )
        groups = [
            (label, _subset(cls.input_kind, data, labels == label))
            for label in sorted(set(labels.tolist()))
        ]
    rows = []
    previous: Metric[Any, Any] | None = None
    previous_value: Any = None
    for label, part in groups:
        metric = cls(**options)
        metric.update(part)
        result: MetricResult = _quiet(metric)
        change = significant = None
        if previous is not None and label != "unknown":
            change = _change(result.value, previous_value)
            significant = _compare(metric, previous) if change is not None else None
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
                details=dict(result.details),
            )
        )
        if label != "unknown":
            previous, previous_value = metric, result.value
    return rows


def _quiet(metric: Metric[Any, Any]) -> MetricResult:
    import warnings

    from cxmetrics.exceptions import UndefinedMetricWarning

    # An empty period is reported as n = 0 and "n/a", which says more than a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return metric.compute()
