"""Why the scores move, in the report: targets, alerts, and what customers said.

:func:`gather_insights` runs the computations of :mod:`cxmetrics.insight` over a
built report and its inputs once, into :class:`Insights` (kept on
:attr:`Report.insights <cxmetrics.reporting.Report>`, exported by ``to_json``):

* **targets**: each target (``report(targets=...)``) against the headline figure
  of its metric (the latest period that is not a sliver, as on the cards);
* **alerts**: a control chart (:func:`~cxmetrics.insight.series_chart`: p-chart for
  rates, EWMA otherwise) on every period series of the report, and tag spikes
  (:func:`~cxmetrics.insight.tag_spikes`) when tickets carry tags;
* **what customers said**: the low-score comments of the latest period, worst
  first, the reason mix of its low scores, and the response rate when the
  surveys sent are given.

Importing the module appends its section builders to
:data:`~cxmetrics.reporting.sections.SECTION_BUILDERS` and its card note to
:data:`~cxmetrics.reporting.cards.CARD_ANNOTATORS`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from cxmetrics.core.base import MetricResult
from cxmetrics.core.periods import period_labels
from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.insight import (
    Target,
    evaluate_targets,
    low_score_comments,
    reason_mix,
    response_rates,
    series_chart,
    tag_spikes,
    targets_from_dict,
)
from cxmetrics.reporting.cards import CARD_ANNOTATORS, Card, _latest_full
from cxmetrics.reporting.render import format_change, format_value, metric_scales
from cxmetrics.reporting.row import ReportRow
from cxmetrics.reporting.sections import SECTION_BUILDERS, Section
from cxmetrics.tables.schema import RecordTable
from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = ["Insights", "as_targets", "gather_insights", "target_of"]

_MIN_PERIODS = 4
"""A series needs this many dated periods with a value before it is charted."""
_COMMENT_LIMIT = 10
_SURVEY_KINDS = ("csat", "nps", "ces", "review")


@dataclass(frozen=True)
class Insights:
    """What the report found beyond its rows.

    Attributes
    ----------
    targets : MetricTable or None
        :func:`~cxmetrics.insight.evaluate_targets` of the headline figures, with
        a ``period`` column (``None``: no targets given).
    alerts : MetricTable or None
        Flagged periods: ``metric``, ``segment``, ``period``, ``value``,
        ``statistic`` (what the limits apply to: the value, or its EWMA),
        ``signal``, ``lower``, ``upper``, ``rule``, ``unit`` (``None``: the
        report has no periods).
    points : int
        Periods checked against control limits, over all series.
    series : int
        Series charted.
    false_alarm_rate : float
        Nominal probability that one period of a stable series is flagged.
    spikes : MetricTable or None
        :func:`~cxmetrics.insight.tag_spikes` (``None``: no tagged tickets).
    said_period : str
        The period of the comments and reasons (``"all"``: the whole data).
    comments, reasons : dict of str to MetricTable
        Per survey kind with comments (reasons): the low-score comments and
        the reason mix of the low scores.
    response_rates : MetricTable or None
        :func:`~cxmetrics.insight.response_rates` per channel (and period, in a
        report with periods), with ``report(survey_sends=...)``.
    left_out : tuple of str
        What a report over partitioned input did not compute, with the reason
        (tag spikes, comments and response rates read the raw rows).
    """

    targets: MetricTable | None = None
    alerts: MetricTable | None = None
    points: int = 0
    series: int = 0
    false_alarm_rate: float = math.nan
    spikes: MetricTable | None = None
    said_period: str = ""
    comments: Mapping[str, MetricTable] | None = None
    reasons: Mapping[str, MetricTable] | None = None
    response_rates: MetricTable | None = None
    left_out: tuple[str, ...] = ()

    def to_plain(self) -> dict[str, Any]:
        """The JSON-ready parts that were computed (a key per part)."""
        out: dict[str, Any] = {}
        if self.targets is not None:
            out["targets"] = _records(self.targets)
        if self.alerts is not None:
            out["alerts"] = {
                "series": self.series,
                "points": self.points,
                "false_alarm_rate": _plain(self.false_alarm_rate),
                "flagged": _records(self.alerts),
                "tag_spikes": [] if self.spikes is None else _records(self.spikes),
            }
        if self.comments is not None:
            out["customers_said"] = {
                "period": self.said_period,
                "low_score_comments": {k: _records(t) for k, t in self.comments.items()},
                "reason_mix": {k: _records(t) for k, t in (self.reasons or {}).items()},
            }
        if self.response_rates is not None:
            out["response_rates"] = _records(self.response_rates)
        if self.left_out:
            out["left_out"] = list(self.left_out)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _records(table: MetricTable) -> list[dict[str, Any]]:
    return [
        {name: _plain(v) for name, v in zip(table.columns, row, strict=True)} for row in table.rows
    ]


def as_targets(targets: Any) -> tuple[Target, ...]:
    """``report(targets=...)`` as targets: a mapping (as in a TOML file) or ``Target`` objects.

    Examples
    --------
    >>> [(t.metric, t.direction) for t in as_targets({"csat": 0.8, "first_response_time": "4h"})]
    [('csat', 'at_least'), ('first_response_time', 'at_most')]
    """
    if targets is None:
        return ()
    if isinstance(targets, Mapping):
        return targets_from_dict(targets)
    if isinstance(targets, Target):
        return (targets,)
    items = tuple(targets) if isinstance(targets, Iterable) else (targets,)
    if not all(isinstance(t, Target) for t in items):
        raise InvalidParameterError(
            "targets must be a mapping of metric name to target (as in targets.toml) "
            "or a sequence of cxmetrics.insight.Target"
        )
    return items


def target_of(report: Any, metric: str) -> Target | None:
    """The target the report was given for ``metric`` (``None``: none)."""
    goals: tuple[Target, ...] = getattr(report.context, "goals", ())
    for target in goals:
        if target.metric == metric:
            return target
    return None


def _headline_rows(report: Any) -> dict[str, list[ReportRow]]:
    """Per metric, the dated rows over all segments (the cards' rows)."""
    rows = list(report.totals) if report.by else list(report.rows)
    out: dict[str, list[ReportRow]] = {}
    for row in rows:
        if row.period != "unknown" and not isinstance(row.value, dict):
            out.setdefault(row.metric, []).append(row)
    return out


def _evaluate(report: Any) -> MetricTable | None:
    goals = getattr(report.context, "goals", ())
    if not goals:
        return None
    headline = _headline_rows(report)
    latest = {metric: _latest_full(rows) for metric, rows in headline.items()}
    table = evaluate_targets(
        {t.metric: latest[t.metric].value if t.metric in latest else None for t in goals}, goals
    )
    periods = [latest[m].period if m in latest else None for m in table.column("metric")]
    return MetricTable(
        columns=(*table.columns, "period"),
        rows=tuple((*row, p) for row, p in zip(table.rows, periods, strict=True)),
        index=table.index,
    )


def _series(report: Any) -> list[tuple[str, str, list[ReportRow]]]:
    """Every period series of the report: ``(metric, segment text, rows)``."""
    groups: dict[tuple[str, str], list[ReportRow]] = {}
    for row in [*report.rows, *report.totals]:
        if row.period == "unknown" or isinstance(row.value, dict):
            continue
        segment = ", ".join(f"{k}={v}" for k, v in row.segment) or ("all" if report.by else "")
        groups.setdefault((row.metric, segment), []).append(row)
    out = []
    for (metric, segment), rows in groups.items():
        rows = sorted(rows, key=lambda r: r.period)
        # A last period holding a sliver of the data (the report cut mid-week) is
        # noise, not a signal: left out as on the cards.
        if len(rows) > 1 and rows[-1] is not _latest_full(rows):
            rows = rows[:-1]
        rows = [r for r in rows if _finite(r.value) and r.n > 0]
        if len(rows) >= _MIN_PERIODS:
            out.append((metric, segment, rows))
    return out


def _finite(value: Any) -> bool:
    if isinstance(value, timedelta):
        return True
    return isinstance(value, (int, float, np.number)) and math.isfinite(float(value))


def _alerts(report: Any) -> tuple[MetricTable, int, int, float]:
    rows = []
    points = series = 0
    rates = set()
    for metric, segment, items in _series(report):
        results = [MetricResult(value=r.value, n=r.n, unit=r.unit) for r in items]
        try:
            chart = series_chart(results, labels=[r.period for r in items])
        except InvalidParameterError:
            continue
        series += 1
        points += len(chart.labels)
        rates.add(chart.false_alarm_rate)
        for period, value, statistic, _c, low, high, signal in chart.to_table().rows:
            if signal:
                unit = items[0].unit
                rows.append(
                    (metric, segment, period, value, statistic, signal, low, high, chart.rule, unit)
                )
    table = MetricTable(
        columns=("metric", "segment", "period", "value", "statistic", "signal", "lower",
                 "upper", "rule", "unit"),
        rows=tuple(rows),
        index=("metric", "segment", "period"),
    )  # fmt: skip
    return table, points, series, max(rates) if rates else math.nan


def _tags(tickets: Any) -> bool:
    return isinstance(tickets, TicketBatch) and len(tickets.tags["tag"].categories) > 0


def _window(surveys: RecordTable, period: str | None, zone: str, label: str) -> Any:
    """The window ``[first, last]`` answer of period ``label`` (the whole data: ``None``)."""
    if period is None or label in ("", "all"):
        return None
    at = np.asarray(surveys.get("responded_at", np.full(len(surveys), np.nan)), dtype=float)
    dated = np.isfinite(at)
    labels = np.full(at.size, "", dtype=object)
    labels[dated] = period_labels(at[dated], period, zone)
    inside = at[labels == label]
    if inside.size == 0:
        return None
    # A period is an interval: every answer between its first and last is in it.
    start = datetime.fromtimestamp(float(inside.min()), timezone.utc)
    end = datetime.fromtimestamp(float(inside.max()), timezone.utc) + timedelta(microseconds=1)
    return start, end


def _said(report: Any, surveys: Any) -> tuple[str, dict[str, MetricTable], dict[str, MetricTable]]:
    headline = _headline_rows(report)
    survey_rows = next((headline[k] for k in _SURVEY_KINDS if k in headline), None)
    label = _latest_full(survey_rows).period if survey_rows else "all"
    window = _window(surveys, report.context.period, report.context.timezone, label)
    comments: dict[str, MetricTable] = {}
    reasons: dict[str, MetricTable] = {}
    kinds = set(np.asarray(surveys["kind"]).tolist())
    has_comment = surveys.get("comment") is not None
    has_reason = surveys.get("reason") is not None
    for kind in (k for k in _SURVEY_KINDS if k in kinds):
        if has_comment:
            found = low_score_comments(surveys, kind=kind, window=window, limit=_COMMENT_LIMIT)
            if len(found):
                comments[kind] = found
        if has_reason:
            mix = reason_mix(surveys, kind=kind, window=window, low_only=True)
            if len(mix) and mix.column("reason") != ["(none)"]:
                reasons[kind] = mix
    return (label if window is not None else "all"), comments, reasons


def gather_insights(
    report: Any, inputs: Mapping[str, Any], *, survey_sends: Any = None
) -> Insights:
    """Targets, alerts and what customers said, for a built ``report`` over ``inputs``.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> from cxmetrics.reporting import report
    >>> r = report(surveys=[SurveyResponse(kind="csat", score=s, ticket_id=t, comment=c)
    ...                     for s, t, c in [(1, "T1", "rude"), (5, "T2", "great")]],
    ...            targets={"csat": 0.8})
    >>> r.insights.targets.column("met"), r.insights.comments["csat"].column("comment")
    ([False], ['rude'])
    """
    context = report.context
    alerts = spikes = None
    points = series = 0
    rate = math.nan
    if context.period is not None:
        alerts, points, series, rate = _alerts(report)
        tickets = inputs.get("tickets")
        if _tags(tickets):
            spikes = tag_spikes(tickets, period=context.period, timezone=context.timezone)
    surveys = inputs.get("surveys")
    said_period, comments, reasons = "", None, None
    if (
        isinstance(surveys, RecordTable)
        and len(surveys)
        and (surveys.get("comment") is not None or surveys.get("reason") is not None)
    ):
        said_period, comments, reasons = _said(report, surveys)
    rates = None
    if survey_sends is not None:  # one pass: per channel and period, summed for the page
        rates = response_rates(survey_sends, surveys, by="channel", period=context.period,
                               timezone=context.timezone)  # fmt: skip
    return Insights(
        targets=_evaluate(report),
        alerts=alerts,
        points=points,
        series=series,
        false_alarm_rate=rate,
        spikes=spikes,
        said_period=said_period,
        comments=comments,
        reasons=reasons,
        response_rates=rates,
    )


# -- the page: card notes and sections ------------------------------------------------


def _sign(direction: str) -> str:
    return "≥" if direction == "at_least" else "≤"


def _target_note(card: Card, report: Any) -> Card:
    """Note met or missed on a card whose metric has a target ("✗ target ≥ 85.0%: missed by …")."""
    table = getattr(report.insights, "targets", None)
    if table is None:
        return card
    for metric, _value, target, direction, met, gap, period in table.rows:
        if metric != card.metric or period != card.period or met is None:
            continue
        rows = _headline_rows(report).get(metric, [])
        unit = rows[0].unit if rows else ""
        scale = metric_scales(rows).get(metric)
        shown = format_value(target, unit, scale)
        gap_text = format_change(gap, unit, scale).lstrip("+-")
        if not met:
            verdict = f"✗ target {_sign(direction)} {shown}: missed by {gap_text}"
        elif gap == 0:
            verdict = f"✓ target {_sign(direction)} {shown}: met, exactly"
        else:
            verdict = f"✓ target {_sign(direction)} {shown}: met ({gap_text} to spare)"
        card = card.with_note(verdict)
    return card


def _alert_note(card: Card, report: Any) -> Card:
    alerts = getattr(report.insights, "alerts", None)
    if alerts is None:
        return card
    for metric, segment, period, *_rest in alerts.rows:
        if metric == card.metric and period == card.period and segment in ("", "all"):
            return card.with_note("⚠ outside its control limits this period (see Alerts)")
    return card


def _fmt(value: Any, unit: str, scale: tuple[float, str] | None) -> str:
    return format_value(value, unit, scale)


def _scales(report: Any) -> dict[str, tuple[float, str]]:
    return metric_scales([*report.rows, *report.totals])


def alert_sections(report: Any) -> list[Section]:
    """The "Alerts" section (only for a report with periods)."""
    insights = report.insights
    if insights.alerts is None:
        return []
    if insights.series == 0 and insights.spikes is None:
        note = f"No period series is long enough to chart (it takes {_MIN_PERIODS} periods)."
        return [Section("alerts", "Alerts", notes=(note,))]
    rate = insights.false_alarm_rate
    rate_text = "n/a" if math.isnan(rate) else f"{100 * rate:.2f}%"
    expected = 0.0 if math.isnan(rate) else rate * insights.points
    notes = [
        f"Control limits on {insights.series} period series ({insights.points} periods): "
        "a p-chart for rates, an EWMA chart for means, scores and durations, each at "
        f"3 standard errors. A period of a stable series is flagged with probability "
        f"{rate_text}, so about {expected:.1f} flag(s) are expected by chance in this report."
    ]
    scales = _scales(report)
    table: list[tuple[str, ...]] = []
    segmented = bool(report.by)
    if len(insights.alerts):
        table.append(
            ("metric", *(("segment",) if segmented else ()), "period", "value", "checked",
             "limits", "signal")
        )  # fmt: skip
        for (
            metric,
            segment,
            period,
            value,
            stat,
            signal,
            low,
            high,
            rule,
            unit,
        ) in insights.alerts.rows:
            scale = scales.get(metric)
            checked = _fmt(stat, unit, scale) + (" (EWMA)" if rule == "ewma" else "")
            table.append(
                (metric, *((segment,) if segmented else ()), period, _fmt(value, unit, scale),
                 checked, f"{_fmt(low, unit, scale)} – {_fmt(high, unit, scale)}",
                 "above" if signal == "high" else "below")
            )  # fmt: skip
    else:
        notes.append("Nothing flagged: every period is within its control limits.")
    spikes = insights.spikes
    if spikes is not None:
        if len(spikes):
            notes.append(
                "Tag spikes (a tag's share of the period's tickets above its own history, "
                "one-sided at 3 standard errors): "
                + "; ".join(
                    f"{tag} in {period}: {100 * share:.1f}% of {total} tickets "
                    f"(usually {100 * expected_share:.1f}%)"
                    for tag, period, _n, total, share, expected_share, _u, _z in spikes.rows
                )
                + "."
            )
        else:
            notes.append("No tag spiked above its own history.")
    return [Section("alerts", "Alerts", notes=tuple(notes), table=tuple(table))]


def said_sections(report: Any) -> list[Section]:
    """The "What customers said" section: low-score comments, reasons, response rates."""
    insights = report.insights
    if insights.comments is None and insights.response_rates is None:
        return []
    notes: list[str] = []
    table: list[tuple[str, ...]] = []
    where = "the whole data" if insights.said_period in ("", "all") else insights.said_period
    for kind, comments in (insights.comments or {}).items():
        if not table:
            table.append(("survey", "score", "ticket", "reason", "comment", "agent", "channel"))
        for ticket, score, reason, comment, agent, channel, _at in comments.rows:
            table.append(
                (kind.upper(), f"{score:g}", str(ticket or ""), str(reason or ""), str(comment),
                 str(agent or ""), str(channel or ""))
            )  # fmt: skip
    for kind, mix in (insights.reasons or {}).items():
        notes.append(
            f"Reasons given with low {kind.upper()} scores in {where}: "
            + ", ".join(
                f"{reason} {100 * share:.0f}% ({answers})"
                for reason, answers, share, _mean in mix.rows
            )
            + "."
        )
    if insights.comments is not None and not insights.comments:
        notes.append(f"No low score came with a comment in {where}.")
    rates = insights.response_rates
    if rates is not None and len(rates):
        notes.append(_response_line(rates))
    if table:
        kinds = ", ".join(k.upper() for k in insights.comments or {})
        notes.append(
            f"The lowest {kinds} scores that came with a comment in {where}, worst first "
            f"(at most {_COMMENT_LIMIT} per survey):"
        )
    return [
        Section("customers-said", "What customers said", notes=tuple(notes), table=tuple(table))
    ]


def _response_line(rates: MetricTable) -> str:
    """The response-rate line: overall, then by period and by channel when there are several."""
    sums: dict[str, dict[str, list[int]]] = {"period": {}, "channel": {}}
    for row in _records(rates):
        for key in ("period", "channel"):
            if key in row:
                counts = sums[key].setdefault(str(row[key]), [0, 0])
                counts[0] += row["answered"]
                counts[1] += row["sent"]
    answered, sent = sum(rates.column("answered")), sum(rates.column("sent"))
    line = f"Survey response rate: {100 * answered / max(sent, 1):.1f}% ({answered} of {sent} sent)"
    for key in ("period", "channel"):
        if len(sums[key]) > 1:
            line += f"; by {key}: " + ", ".join(
                f"{name} {100 * a / max(n, 1):.0f}%" for name, (a, n) in sorted(sums[key].items())
            )
    return line + "."


def row_targets(report: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plain rows with ``target`` and ``target_met`` for the metrics that have a target."""
    goals = {t.metric: t for t in getattr(report.context, "goals", ())}
    if not goals:
        return list(rows)
    out = []
    for row, plain in zip(report.rows, rows, strict=True):
        target = goals.get(row.metric)
        met = None if target is None or isinstance(row.value, dict) else target.met(row.value)
        out.append(
            {**plain, "target": None if target is None else target.number, "target_met": met}
        )
    return out


CARD_ANNOTATORS.extend([_target_note, _alert_note])
SECTION_BUILDERS.extend([alert_sections, said_sections])
