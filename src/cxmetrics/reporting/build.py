"""Many metrics, per period, in one table: the KPI report.

:func:`report` runs every requested metric (by default every registered metric
that the given data can feed and that needs no parameter) over the whole input and,
with ``period=``, per calendar period in a timezone. Each row carries the value,
its ``n``, its confidence interval and, per period, the change against the previous
period with whether that change is statistically significant.

The steps: the inputs are normalised (:mod:`~cxmetrics.reporting.inputs`), cut once
per input into segments and periods (:mod:`~cxmetrics.reporting.grouping`), each
metric runs over the groups of its input and each period is compared with the one
before (:mod:`~cxmetrics.reporting.compare`); the rows make a
:class:`~cxmetrics.reporting.result.Report`.
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from datetime import timezone as dt_timezone
from functools import partial
from typing import Any

import numpy as np

import cxmetrics.reporting.compare as compare
from cxmetrics.core.base import Metric, MetricResult
from cxmetrics.core.dispatch import engine_function
from cxmetrics.core.periods import Period
from cxmetrics.core.state import CodedCountsState, CountsState, RatioState
from cxmetrics.exceptions import InvalidParameterError, UndefinedMetricWarning
from cxmetrics.metrics._duration import parse_statistic
from cxmetrics.registry import available_metrics, get_metric
from cxmetrics.reporting.catalog import missing_input, parameter_needed
from cxmetrics.reporting.context import ReportContext, context_of, data_range
from cxmetrics.reporting.grouping import (
    Groups,
    Parts,
    cut_groups,
    group_rows,
    outcome_cutter,
    subset,
)
from cxmetrics.reporting.inputs import has_field, has_kind, normalise, only_kind
from cxmetrics.reporting.insights import as_targets, gather_insights
from cxmetrics.reporting.parts import (
    Folded,
    MetricPart,
    ReportPart,
    ReportPlan,
    merge_parts,
    period_order,
)
from cxmetrics.reporting.result import Report
from cxmetrics.reporting.row import ReportRow
from cxmetrics.reporting.significance import flag_significant
from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tickets.cache import shared_measures

__all__ = ["finish_report", "fold_report", "merge_parts", "plan_report", "report"]


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
    statistic: str = "mean",
    quantiles: str = "exact",
    charts: bool | Sequence[str] = False,
    targets: Any = None,
    survey_sends: Any = None,
    staff_surveys: Any = None,
    qa_evaluations: Any = None,
    callbacks: Any = None,
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
    statistic : str, default="mean"
        The statistic of every ticket duration (first response, resolution…):
        ``"mean"``, ``"median"`` or a percentile such as ``"p90"`` (``params`` of a
        metric override it). The page header states it.
    quantiles : {"exact", "sketch"}, default="exact"
        How every ticket duration keeps its values (``params`` of a metric
        override it): ``"exact"`` keeps every duration (8 bytes each, per metric);
        ``"sketch"`` a KLL sketch of a few kilobytes per group, whose medians and
        percentiles are within the sketch's stated rank error (means stay exact).
        Sketches keep a streamed or distributed report's memory flat.
    charts : bool or list of str, default=False
        Draw the charts (needs the ``plot`` extra): ``True`` picks the trends of
        the most important metrics that have data (CSAT, NPS, first response,
        resolution time, SLA compliance, FCR, service level, abandonment, AHT,
        backlog, volume), a list names the metrics to chart;
        :meth:`Report.to_html` embeds them in their sections.
    targets : mapping or sequence of Target, optional
        Per-metric targets, as in a targets TOML file (``{"csat": 0.85,
        "first_response_time": "4h"}``, see :func:`cxmetrics.insight.read_targets`)
        or :class:`cxmetrics.insight.Target` objects: the headline cards say met or
        missed and by how much, the trend charts draw the line, and every row of
        the JSON and CSV exports carries ``target`` and ``target_met``.
    survey_sends : surveys sent, optional
        One row per survey sent (``SurveySent`` records or a table with
        ``ticket_id``, ``sent_at``, ``channel``…): the page states the response
        rate (see :func:`cxmetrics.insight.response_rates`).
    staff_surveys : list of SurveyResponse or DataFrame, optional
        The staff's answers to the eNPS question (0-10, kind ``nps``; a table may
        leave ``kind`` out): the report shows employee NPS (``enps``), by period of
        ``responded_at``.
    qa_evaluations : list of QAEvaluation or DataFrame, optional
        Quality-assurance evaluations (a table: one row per evaluation, one column
        per criterion, see :func:`cxmetrics.io.to_qa_table`): the report shows the
        QA score (``qa_score``, criteria weighed equally unless
        ``params={"qa_score": {"weights": {...}}}``), by period of ``evaluated_at``.
    callbacks : mappings or DataFrame, optional
        Callback requests and voicemails (``requested_at``, ``called_back_at``,
        ``source``…; see :func:`cxmetrics.io.to_callback_table`): the report shows
        the callback time (``callback_time``) and the share called back
        (``callbacks_kept``), by period of ``requested_at``.

    Returns
    -------
    Report
        Metrics named in ``metrics`` that cannot run on the data are an error;
        default metrics that cannot run, or whose input is absent (no replies, no
        transfer field, no surveys, no SLA policy), are listed in
        ``Report.skipped`` with the reason instead of showing a value. A change is
        ``significant`` after Benjamini-Hochberg control over all the report's
        comparisons (see :mod:`cxmetrics.reporting.significance`).

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
    given = (
        ("tickets", tickets),
        ("surveys", surveys),
        ("calls", calls),
        ("customers", customers),
        ("staff_surveys", staff_surveys),
        ("qa_evaluations", qa_evaluations),
        ("callbacks", callbacks),
    )
    for _, data in given:  # a Dask or Spark input: the engine folds the report's parts
        implementation = None if data is None else engine_function("report", data)
        if implementation is not None:
            return implementation(  # type: ignore[no-any-return]
                tickets=tickets, surveys=surveys, calls=calls, customers=customers,
                metrics=metrics, period=period, by=by, timezone=timezone, calendar=calendar,
                sla=sla, params=params, statistic=statistic, quantiles=quantiles,
                charts=charts, targets=targets,
                survey_sends=survey_sends, staff_surveys=staff_surveys,
                qa_evaluations=qa_evaluations, callbacks=callbacks,
            )  # fmt: skip
    inputs = _read_inputs(given)
    plan = plan_report(
        metrics=metrics, period=period, by=by, timezone=timezone, calendar=calendar, sla=sla,
        params=params, statistic=statistic, quantiles=quantiles, targets=targets,
    )  # fmt: skip
    _check_segments(inputs, plan.by)
    run = _Run(plan, inputs)
    with ThreadPoolExecutor(max_workers=1) as pool, shared_measures():
        # SLA outcomes depend on nothing else the report computes: evaluate them
        # on a second core while the ticket metrics run (numpy releases the GIL).
        tickets_given = inputs.get("tickets")
        if (
            sla is not None
            and "sla_compliance" in plan.names
            and isinstance(tickets_given, TicketBatch)
        ):
            sla_options = plan.options(get_metric("sla_compliance"))
            run.sla_outcomes = pool.submit(_evaluate_once, tickets_given, sla_options)
        for name in plan.names:  # fold one part (the whole input), then finish the metric
            part = run.fold(name, final=True)
            if part is not None:
                run.finish(name, part)
        result = _assemble(plan, run, context_of(inputs, **plan.context_settings()))
        if charts:  # inside the block: the duration chart reuses the measurement
            from cxmetrics.reporting.charts import report_charts

            chosen = None if charts is True else list(charts)
            result = replace(
                result,
                charts=report_charts(result, inputs.get("tickets"), calendar, timezone, chosen),
            )
    insights = gather_insights(result, inputs, survey_sends=survey_sends)
    return replace(result, insights=insights)


def plan_report(
    *,
    metrics: Sequence[str] | None = None,
    period: Period | None = None,
    by: Sequence[str] | str | None = None,
    timezone: str = "UTC",
    calendar: Any = None,
    sla: Any = None,
    params: dict[str, dict[str, Any]] | None = None,
    statistic: str = "mean",
    quantiles: str = "exact",
    targets: Any = None,
) -> ReportPlan:
    """The settings of a report, checked, with the metrics to run and their parameters.

    Every part of a partitioned report is folded with the same plan (one SLA
    evaluation instant, one set of parameters).

    Examples
    --------
    >>> plan = plan_report(metrics=["csat"], period="week", by="channel")
    >>> plan.names, plan.by, plan.explicit
    (('csat',), ('channel',), True)
    """
    by_fields = (by,) if isinstance(by, str) else tuple(by or ())
    goals = as_targets(targets)
    names, metric_params = _metrics_to_run(metrics, params, sla)
    _with_statistic(names, metric_params, statistic)
    _with_quantiles(names, metric_params, quantiles)
    return ReportPlan(
        names=tuple(names), params=metric_params, explicit=metrics is not None,
        calendar=calendar, period=period, timezone=timezone, by=by_fields,
        statistic=statistic, sla=sla, goals=goals,
    )  # fmt: skip


def fold_report(plan: ReportPlan, kind: str, data: Any) -> ReportPart:
    """The mergeable part of a report over one partition of the ``kind`` input.

    ``data`` is one partition (a ticket batch with the whole history of its tickets
    and every ticket of their customers, or a slice of another table). Parts merge
    with :func:`~cxmetrics.reporting.parts.merge_parts`, in any order and grouping,
    and :func:`finish_report` turns the merged part into the report.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> plan = plan_report(metrics=["csat"])
    >>> part = fold_report(plan, "surveys", [SurveyResponse(kind="csat", score=5)])
    >>> other = fold_report(plan, "surveys", [SurveyResponse(kind="csat", score=1)])
    >>> finish_report(plan, merge_parts(part, other), kinds=("surveys",)).rows[0].value
    0.5
    """
    inputs = {kind: normalise(kind, data)}
    run = _Run(plan, inputs)
    with shared_measures():
        metrics = {}
        for name in plan.names:
            if get_metric(name).input_kind == kind:
                folded = run.fold(name, final=False)
                if folded is not None:
                    metrics[name] = folded
    low, high = data_range(inputs)
    return ReportPart(metrics=metrics, low=low, high=high)


def finish_report(
    plan: ReportPlan,
    part: ReportPart | None,
    *,
    kinds: Sequence[str],
    charts: bool | Sequence[str] = False,
    left_out: Sequence[str] = (),
) -> Report:
    """The report from the merged part of every partition of every input.

    Parameters
    ----------
    plan : ReportPlan
        From :func:`plan_report`.
    part : ReportPart or None
        The merged parts (``None``: no partition had a row).
    kinds : sequence of str
        The inputs given (``"tickets"``, ``"surveys"``…), even when empty.
    charts : bool or list of str
        The metric trends to draw, as in :func:`report`; the duration
        distribution and the volume heatmap need the raw tickets and are left out.
    left_out : sequence of str
        What the report could not compute from parts, stated on the page and in
        the JSON (``insights.left_out``).

    Returns
    -------
    Report
        Equal to :func:`report` over the same rows (rows, totals, skipped, context).
    """
    part = part if part is not None else ReportPart()
    run = _Run(plan, dict.fromkeys(kinds))
    for name in plan.names:
        if not run.given(name, get_metric(name)):
            continue
        folded = part.metrics.get(name)
        if folded is None:  # no partition had a row of its input
            folded = run.fold(name, final=False, empty=True)
        if folded is not None:
            run.finish(name, folded)
    extent = None if math.isinf(part.low) else (part.low, part.high)
    context = context_of({}, extent=extent, **plan.context_settings())
    result = _assemble(plan, run, context)
    notes = list(left_out)
    if charts:
        from cxmetrics.reporting.charts import report_charts

        chosen = None if charts is True else [c for c in charts if c not in _RAW_CHARTS]
        result = replace(
            result, charts=report_charts(result, None, plan.calendar, plan.timezone, chosen)
        )
        if charts is True or any(c in _RAW_CHARTS for c in charts):
            notes.append(_RAW_CHARTS_NOTE)
    insights = gather_insights(result, {})
    return replace(result, insights=replace(insights, left_out=tuple(notes)))


_RAW_CHARTS = ("durations", "volume_by_hour")
_RAW_CHARTS_NOTE = (
    "charts: the duration distribution and the volume by hour and weekday are drawn "
    "from the raw tickets, which a partitioned report does not hold"
)


def _assemble(plan: ReportPlan, run: _Run, context: ReportContext) -> Report:
    """The report of the finished metrics: significance over all comparisons, then rows."""
    if plan.sla is None and not plan.explicit and "sla_compliance" not in plan.names:
        run.skipped.append(f"sla_compliance: {parameter_needed('sla_compliance')}")
    flagged = flag_significant([*run.rows, *run.totals], 1.0 - _confidence(plan.params))
    rows, totals = flagged[: len(run.rows)], flagged[len(run.rows) :]
    return Report(tuple(rows), tuple(run.skipped), plan.by, context=context, totals=tuple(totals))


def _with_quantiles(
    names: Sequence[str], params: dict[str, dict[str, Any]], quantiles: str
) -> None:
    """Give every duration metric the report's ``quantiles`` unless its params name them."""
    if quantiles not in ("exact", "sketch"):
        raise InvalidParameterError(f"quantiles must be 'exact' or 'sketch', got {quantiles!r}")
    if quantiles != "exact":
        _give_every(names, params, "quantiles", quantiles)


def _with_statistic(
    names: Sequence[str], params: dict[str, dict[str, Any]], statistic: str
) -> None:
    """Give every duration metric the report's ``statistic`` unless its params name one."""
    try:  # a bad statistic is an error before any work
        parse_statistic(statistic)
    except InvalidParameterError:
        raise InvalidParameterError(
            f"statistic must be 'mean', 'median' or a percentile such as 'p90', got {statistic!r}"
        ) from None
    if statistic != "mean":
        _give_every(names, params, "statistic", statistic)


def _give_every(
    names: Sequence[str], params: dict[str, dict[str, Any]], name: str, value: str
) -> None:
    """Set parameter ``name`` of every metric that takes it, unless its params set it."""
    for metric in names:
        if name in get_metric(metric).Params.model_fields:
            params[metric] = {name: value, **params.get(metric, {})}


def _confidence(params: dict[str, dict[str, Any]]) -> float:
    """The confidence level of the report's tests (the metrics' default, 0.95)."""
    levels = {
        float(options["confidence"]) for options in params.values() if "confidence" in options
    }
    return levels.pop() if len(levels) == 1 else 0.95


def _read_inputs(given: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """The inputs given (``(kind, data)`` pairs, ``None`` when absent), normalised."""
    return {kind: normalise(kind, data) for kind, data in given if data is not None}


def _check_segments(inputs: dict[str, Any], by: Sequence[str]) -> None:
    """Refuse a ``by`` field that no input has."""
    for field_name in by:
        if not any(has_field(kind, data, field_name) for kind, data in inputs.items()):
            raise InvalidParameterError(
                f"cannot segment by {field_name!r}: no input has that field (tickets have "
                "channel, group, segment, priority, status, agent_id, customer_id, created_by)"
                + (
                    "; a ticket carries several tags, so a metric per tag is "
                    "cxmetrics.insight.metric_by_tag(tickets, metric=...)"
                    if field_name in ("tag", "tags")
                    else ""
                )
            )


def _metrics_to_run(
    metrics: Sequence[str] | None, params: dict[str, dict[str, Any]] | None, sla: Any
) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The metric names to run and their parameters, with SLA compliance when ``sla`` is given."""
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
    return names, params


@dataclass
class _Run:
    """One report (or one part of it) in the making: its inputs, and the rows so far.

    Each input is cut into groups once, for the first metric that reads it; the
    metrics after it reuse the cut.
    """

    plan: ReportPlan
    inputs: dict[str, Any]
    sla_outcomes: Future[Any] | None = None
    """SLA outcomes of every ticket, evaluated on a second thread."""
    rows: list[ReportRow] = field(default_factory=list)
    totals: list[ReportRow] = field(default_factory=list)
    """With ``by``: each metric per period over all segments (merged states)."""
    skipped: list[str] = field(default_factory=list)
    cuts: dict[tuple[str, str | None], tuple[Parts, Groups]] = field(default_factory=dict)

    def fold(self, name: str, *, final: bool, empty: bool = False) -> MetricPart | None:
        """Metric ``name`` over its input, per group: a part to merge, or to finish.

        ``final`` (the whole input): a default metric whose input lacks what it
        needs is not folded. Otherwise the reason is kept beside the states, and
        the merged parts decide (a metric runs if any part has what it needs).
        ``empty``: the metric over no rows (no partition had one).
        """
        plan = self.plan
        cls = get_metric(name)
        if empty:
            data: Any = normalise(cls.input_kind, [])
            reason = None
        else:
            if not self.given(name, cls):
                return None
            data = self.input_of(name, cls, record=final)
            if data is None:
                return None
            reason = self._reason(name, cls)
        part = MetricPart(cls.input_kind, reason)
        if final and reason is not None and not plan.explicit:
            return part
        options = plan.options(cls)
        parts, groups = self._cut(cls, data)
        try:
            outcomes = getattr(cls, "row_outcomes", None)
            if outcomes is not None:  # a row's outcome depends on rows of other groups
                flags = outcomes(data, cls(**options).params)
                part.groups = _fold_outcomes(cls, options, groups, flags)
            else:
                if name == "sla_compliance" and isinstance(data, TicketBatch):
                    parts = cut_groups(groups, outcome_cutter(self._outcomes(data, options)))
                part.groups = _fold_groups(cls, options, parts)
        except (InvalidParameterError, TypeError, ValueError) as exc:
            if plan.explicit and final:
                raise
            part.error = exc
        return part

    def finish(self, name: str, part: MetricPart) -> None:
        """Add the rows of metric ``name`` from its (merged) part, or say why it is skipped."""
        plan = self.plan
        if not plan.explicit and part.reason is not None:
            self.skipped.append(f"{name}: {part.reason}")
            return
        if part.error is not None:
            if plan.explicit:
                raise part.error
            self.skipped.append(f"{name}: {parameter_needed(name) or part.error}")
            return
        cls = get_metric(name)
        try:
            totals: list[ReportRow] | None = [] if plan.by else None
            rows = _metric_rows(cls, plan.options(cls), part.groups, totals, part.totals)
        except (InvalidParameterError, TypeError, ValueError) as exc:
            if plan.explicit:
                raise
            self.skipped.append(f"{name}: {parameter_needed(name) or exc}")
            return
        if not plan.explicit and rows and all(_undefined(row.value) for row in rows):
            self.skipped.append(f"{name}: no data to compute it from")
            return
        self.rows.extend(rows)
        self.totals.extend(totals or ())

    def input_of(self, name: str, cls: type[Metric[Any, Any]], *, record: bool = True) -> Any:
        """The input metric ``name`` reads (survey answers of its kind), ``None`` to leave it out.

        With ``record``, an answer kind absent from the surveys leaves a default
        metric out here; otherwise (a part) the absence is a reason of the part.
        """
        plan = self.plan
        data = self.inputs[cls.input_kind]
        if cls.survey_kind is not None:
            if record and not has_kind(data, cls.survey_kind) and not plan.explicit:
                self.skipped.append(f"{name}: {_no_answers(cls.survey_kind)}")
                return None
            data = only_kind(data, cls.survey_kind)
        return data

    def given(self, name: str, cls: type[Metric[Any, Any]]) -> bool:
        """Whether the input metric ``name`` reads was given (else it is skipped, or an error)."""
        if cls.input_kind in self.inputs:
            return True
        if self.plan.explicit:
            raise InvalidParameterError(
                f"metric {name!r} needs {cls.input_kind}, which report was not given"
            )
        self.skipped.append(f"{name}: {missing_input(name, cls.input_kind, self.inputs)}")
        return False

    def _reason(self, name: str, cls: type[Metric[Any, Any]]) -> str | None:
        """Why a default metric cannot run on this input (``None``: it can)."""
        if self.plan.explicit:
            return None
        data = self.inputs[cls.input_kind]
        if cls.survey_kind is not None and not has_kind(data, cls.survey_kind):
            return _no_answers(cls.survey_kind)
        return missing_input(name, cls.input_kind, self.inputs)

    def _cut(self, cls: type[Metric[Any, Any]], data: Any) -> tuple[Parts, Groups]:
        """The groups of the input ``cls`` reads, and the part of ``data`` in each."""
        key = (cls.input_kind, cls.survey_kind)
        if key not in self.cuts:
            plan = self.plan
            groups = group_rows(cls.input_kind, data, plan.period, plan.timezone, plan.by)
            self.cuts[key] = cut_groups(groups, partial(subset, cls.input_kind, data)), groups
        return self.cuts[key]

    def _outcomes(self, tickets: TicketBatch, options: dict[str, Any]) -> Any:
        """SLA outcomes of every ticket: those evaluated on the side, else evaluated now."""
        if self.sla_outcomes is not None:
            return self.sla_outcomes.result()
        return _evaluate_once(tickets, options)


def _no_answers(survey_kind: str) -> str:
    return f"no {survey_kind.upper()} answers in the surveys"


def _evaluate_once(tickets: TicketBatch, options: dict[str, Any]) -> Any:
    """SLA outcomes of every ticket, evaluated as the ``sla_compliance`` options say."""
    from cxmetrics.sla import evaluate_sla

    params = get_metric("sla_compliance")(**options).params
    if params.policy is None:
        raise InvalidParameterError("sla_compliance needs a policy: pass report(sla=...)")
    return evaluate_sla(tickets, params.policy, as_of=params.as_of, definitions=params.definitions)


def _fold_groups(cls: type[Metric[Any, Any]], options: dict[str, Any], groups: Parts) -> Folded:
    """The metric over each group's part: per segment, its periods in order."""
    folded: Folded = {}
    for segment, parts in groups.items():
        steps = []
        for label, part in parts:
            metric = cls(**options)
            metric.update(part)
            steps.append((label, metric))
        folded[segment] = steps
    return folded


def _fold_outcomes(
    cls: type[Metric[Any, Any]], options: dict[str, Any], groups: Groups, flags: Any
) -> Folded:
    """Each group's state from per-row outcomes computed over the whole input.

    ``flags`` is ``(counted, met)`` per row (e.g. a call and whether it was resolved
    first time, which depends on the customer's next call, maybe in another period).
    """
    counted, met = flags
    folded: Folded = {}
    for segment, periods in groups.items():
        folded[segment] = [
            (label, cls.from_state(
                RatioState(int(np.count_nonzero(met[rows])), int(np.count_nonzero(counted[rows]))),
                **options,
            ))
            for label, rows in periods
        ]  # fmt: skip
    return folded


def _metric_rows(
    cls: type[Metric[Any, Any]],
    options: dict[str, Any],
    folded: Folded,
    totals: list[ReportRow] | None = None,
    sealed_totals: dict[str, Metric[Any, Any]] | None = None,
) -> list[ReportRow]:
    """One row per group: the metric's value, each period against the one before.

    With ``totals`` (a segmented report), the segments' states of each period are
    merged (states are monoids) and one row per period over all segments is
    appended to it: the headline figures, at no second pass over the data.
    ``sealed_totals`` are those totals already taken (per-customer tallies sealed
    in their partitions, see :func:`~cxmetrics.reporting.parts.seal_part`).
    """
    rows: list[ReportRow] = []
    by_label: dict[str, list[Metric[Any, Any]]] = {}
    for segment, steps in folded.items():
        for label, metric in steps:
            by_label.setdefault(label, []).append(metric)
        rows.extend(_compared(cls.name, segment, steps))
    # Breakdowns (volume per day, channel mix) are not headline figures: their
    # states are not merged (dicts merge slowly).
    if totals is not None and rows and not isinstance(rows[0].value, dict):
        merged = []
        for label in sorted(by_label, key=period_order):
            if sealed_totals is not None:
                merged.append((label, sealed_totals[label]))
                continue
            total = cls(**options)
            if isinstance(total.state, (CountsState, CodedCountsState)):  # tallies: one pass
                total.merge(type(total.state).merge_all(m.state for m in by_label[label]))
            else:
                for metric in by_label[label]:
                    total.merge(metric)
            merged.append((label, total))
        totals.extend(_compared(cls.name, (), merged))
    return rows


def _compared(
    name: str, segment: tuple[tuple[str, str], ...], steps: Sequence[tuple[str, Metric[Any, Any]]]
) -> list[ReportRow]:
    """The rows of one segment's periods, each compared with the period before."""
    rows = []
    previous: Metric[Any, Any] | None = None
    previous_value: Any = None
    previous_details: dict[str, Any] = {}
    for label, metric in steps:
        result: MetricResult = _quiet(metric)
        change = p = None
        if previous is not None and label != "unknown":
            change = compare.change(result.value, previous_value)
            if change is not None:
                p = compare.p_value(metric, previous, dict(result.details), previous_details)
        low, high = result.interval if result.interval is not None else (None, None)
        if _undefined(low) or _undefined(high):  # one answer: no interval, not (nan, nan)
            low = high = None
        rows.append(
            ReportRow(
                metric=name,
                period=label,
                value=result.value,
                n=result.n,
                unit=result.unit,
                low=low,
                high=high,
                change=change,
                p_value=p,
                segment=segment,
                details=dict(result.details),
            )
        )
        if label != "unknown":
            previous, previous_value = metric, result.value
            previous_details = dict(result.details)
    return rows


def _quiet(metric: Metric[Any, Any]) -> MetricResult:
    # An empty period is reported as n = 0 and "n/a", which says more than a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return metric.compute()


def _undefined(value: Any) -> bool:
    """Whether a metric value is undefined (nan, or an empty breakdown)."""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return not value
    return value is None
