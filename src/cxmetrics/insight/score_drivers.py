r"""What moves the score: survey answers joined to their tickets, measure by measure.

:func:`drivers` joins each answer of one survey to the ticket it names and relates
the outcome to each ticket measure, controlling for channel (a channel's own mean
is taken out of the outcome and of the measure, so a measure is only compared
with tickets of the same channel):

* the **effect**: the least-squares slope of the outcome on the measure within
  channels (per hour for durations, per unit for counts), with a
  heteroskedasticity-robust (HC1) normal interval;
* for durations, the **threshold**: the step fit
  :math:`y = \alpha_{\mathrm{channel}} + \delta\,[x > \tau]` whose :math:`\tau`
  (searched over the measure's quantiles) leaves the least squared error; the
  drop :math:`\delta` comes with its HC1 interval. A segmented (change-point)
  fit, as in ``ruptures``' single change-point search or the isotonic step of
  scikit-learn's ``IsotonicRegression``, reduced to one step in one covariate.

Caveats, stated in the docs too: the data are observational (slow replies go
with hard tickets, so an effect is an association, not a cause); the answers are
from customers who chose to answer (see :func:`response_rates`); the threshold's
interval does not account for the search over :math:`\tau`, so treat a drop
whose interval only just excludes zero as a hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.core.dispatch import engine_function
from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.insight._rows import survey_table
from cxmetrics.metrics.csat import SATISFIED_BY_SCALE
from cxmetrics.stats import wilson_interval, z_value
from cxmetrics.tickets.measure import ticket_metrics

__all__ = ["DURATION_MEASURES", "DriversResult", "drivers", "outcome_values"]

FloatArray = npt.NDArray[np.float64]

DURATION_MEASURES: dict[str, str] = {
    "first_reply": "first response time",
    "full_resolution": "resolution time",
    "requester_wait": "requester wait time",
}
"""Duration columns of :func:`~cxmetrics.tickets.ticket_metrics` that drivers reads (hours)."""

COUNT_MEASURES: dict[str, str] = {
    "replies": "agent replies",
    "reopens": "reopens",
    "assignee_stations": "agents who held the ticket",
}
"""Count columns of :func:`~cxmetrics.tickets.ticket_metrics` that drivers reads."""


def outcome_values(kinds: Any, scores: FloatArray, scales: Any, outcome: str) -> FloatArray:
    """Each answer as the number whose mean is the survey's headline figure.

    CSAT: 1 for a satisfied answer, else 0 (the mean is the CSAT share); NPS: 100
    for a promoter (9-10), -100 for a detractor (0-6), else 0 (the mean is the NPS);
    CES and reviews: the score.

    Examples
    --------
    >>> outcome_values(None, np.array([5.0, 3.0]), np.array([5, 5]), "csat").tolist()
    [1.0, 0.0]
    >>> outcome_values(None, np.array([10.0, 7.0, 2.0]), None, "nps").tolist()
    [100.0, 0.0, -100.0]
    """
    if outcome == "csat":
        satisfied = [s in SATISFIED_BY_SCALE.get(int(c), ()) for s, c in zip(scores, scales, strict=True)]  # fmt: skip
        return np.asarray(satisfied, dtype=np.float64)
    if outcome == "nps":
        return np.where(scores >= 9, 100.0, np.where(scores <= 6, -100.0, 0.0))
    return scores.astype(np.float64)


def check_outcome(outcome: str, owner: str) -> None:
    """Raise unless ``outcome`` is a survey kind."""
    if outcome not in ("csat", "nps", "ces", "review"):
        raise InvalidParameterError(
            f"The 'outcome' parameter of {owner} must be one of csat, nps, ces, review. "
            f"Got {outcome!r} instead."
        )


@dataclass(frozen=True)
class DriversResult:
    """What :func:`drivers` found.

    Attributes
    ----------
    outcome : str
    n : int
        Answers matched to a ticket.
    effects : MetricTable
        Per measure: ``measure``, ``label``, ``per`` (``"hour"`` or ``"unit"``),
        ``effect`` (change of the outcome per hour or unit, within channels),
        ``lower``, ``upper``, ``n``.
    thresholds : MetricTable
        Per duration: ``measure``, ``threshold`` (timedelta), ``below`` and
        ``above`` (mean outcome on either side), ``drop`` (the step within
        channels, negative when the outcome falls), ``lower``, ``upper``,
        ``n_below``, ``n_above``.
    channels : MetricTable
        Per channel: ``channel``, ``n``, ``outcome`` (the mean), ``lower``, ``upper``.
    """

    outcome: str
    n: int
    effects: MetricTable
    thresholds: MetricTable
    channels: MetricTable

    def to_pandas(self) -> Any:
        """The effects as a pandas DataFrame (needs pandas)."""
        return self.effects.to_pandas()


def _within(values: FloatArray, groups: npt.NDArray[np.int64], count: int) -> FloatArray:
    """``values`` minus the mean of their group (columns of a 2-D array at once)."""
    sizes = np.bincount(groups, minlength=count).astype(np.float64)
    sums = np.zeros((count, *values.shape[1:]))
    for group in range(count):  # a few channels: one vectorised sum each
        sums[group] = values[groups == group].sum(axis=0)
    means = sums / np.maximum(sizes, 1.0).reshape((-1,) + (1,) * (values.ndim - 1))
    centred: FloatArray = values - means[groups]
    return centred


def _slope(x: FloatArray, y: FloatArray, dof: int) -> tuple[float, float]:
    """Least-squares slope of centred ``y`` on centred ``x`` and its HC1 standard error."""
    sxx = float(x @ x)
    if sxx == 0.0 or x.size <= dof:
        return float("nan"), float("nan")
    beta = float(x @ y) / sxx
    residual = y - beta * x
    variance = x.size / (x.size - dof) * float((x * x) @ (residual * residual)) / sxx**2
    return beta, float(np.sqrt(variance))


def _threshold(
    x: FloatArray, y: FloatArray, groups: npt.NDArray[np.int64], count: int, grid: int
) -> tuple[float, FloatArray] | None:
    """The step point that explains most of the outcome within channels, and its indicator."""
    candidates = np.unique(np.quantile(x, np.linspace(0.05, 0.95, grid)))
    if candidates.size == 0:
        return None
    centred_y = _within(y, groups, count)
    explained = np.empty(candidates.size)
    # A block of candidates at a time: about eight million cells at most.
    width = max(1, 8_000_000 // max(x.size, 1))
    for start in range(0, candidates.size, width):
        block = candidates[start : start + width]
        centred_steps = _within((x[:, None] > block[None, :]).astype(np.float64), groups, count)
        sxx = np.einsum("ij,ij->j", centred_steps, centred_steps)
        sxy = centred_steps.T @ centred_y
        with np.errstate(divide="ignore", invalid="ignore"):
            explained[start : start + width] = np.where(sxx > 0, sxy * sxy / sxx, -np.inf)
    best = int(np.argmax(explained))
    if not np.isfinite(explained[best]):
        return None
    return float(candidates[best]), (x > candidates[best]).astype(np.float64)


def drivers(
    tickets: Any,
    surveys: Any,
    *,
    outcome: str = "csat",
    measures: Sequence[str] | None = None,
    calendar: Any = None,
    definitions: str = "default",
    control: str | None = "channel",
    grid: int = 49,
    confidence: float = 0.95,
) -> DriversResult:
    """Relate one survey's answers to the measures of the tickets they answer.

    Parameters
    ----------
    tickets : tickets
        ``Ticket`` records, a ``TicketBatch`` or a tickets DataFrame.
    surveys : survey answers
        ``SurveyResponse`` records, a survey table or DataFrame; answers need a
        ``ticket_id``. Answers of other kinds, or naming no known ticket, are left out.
    outcome : {"csat", "nps", "ces", "review"}, default="csat"
        What each answer counts as: see :func:`outcome_values`.
    measures : sequence of str, optional
        Columns of :func:`~cxmetrics.tickets.ticket_metrics`: durations
        (``first_reply``, ``full_resolution``, ``requester_wait``; in business
        hours with ``calendar``) and counts (``replies``, ``reopens``,
        ``assignee_stations``). Default: all of them.
    calendar : BusinessCalendar, optional
        Measure durations in business time of this calendar.
    definitions : str, default="default"
        The rules preset the measures follow.
    control : str or None, default="channel"
        The ticket field held fixed; None compares all tickets together.
    grid : int, default=49
        Candidate thresholds: this many quantiles of the duration, from 5 % to 95 %.
    confidence : float, default=0.95

    Returns
    -------
    DriversResult

    Examples
    --------
    On the bundled sample, where satisfaction falls with the wait for a first reply:

    >>> from cxmetrics.datasets import load_sample
    >>> sample = load_sample()
    >>> found = drivers(sample.tickets, sample.surveys, measures=["first_reply", "reopens"])
    >>> effect = found.effects.to_dict()
    >>> effect["measure"], [e < 0 for e in effect["effect"]]
    (['first_reply', 'reopens'], [True, True])
    >>> row = found.thresholds.to_dict()
    >>> row["above"][0] < row["below"][0]
    True
    """
    check_outcome(outcome, "drivers")
    if grid < 1:
        raise InvalidParameterError(f"grid must be a positive number of candidates, got {grid}")
    chosen = tuple(measures) if measures is not None else (*DURATION_MEASURES, *COUNT_MEASURES)
    unknown = [m for m in chosen if m not in DURATION_MEASURES and m not in COUNT_MEASURES]
    if unknown:
        known = ", ".join((*DURATION_MEASURES, *COUNT_MEASURES))
        raise InvalidParameterError(f"unknown measure(s) {unknown}; drivers reads {known}")
    engine_function("drivers", tickets)  # a Dask or Spark input: a clear error
    table = ticket_metrics(tickets, calendar=calendar, definitions=definitions)
    answers = survey_table(surveys)
    rows = np.asarray(answers["kind"] == outcome, dtype=bool)
    ticket_ids = answers.get("ticket_id")
    if ticket_ids is None:
        raise InvalidParameterError("drivers needs survey answers with a ticket_id")
    position = {ticket: row for row, ticket in enumerate(table["id"].tolist())}
    matched = np.fromiter(
        (position.get(t, -1) for t in ticket_ids.tolist()), dtype=np.int64, count=len(answers)
    )
    keep = rows & (matched >= 0)
    ticket_rows = matched[keep]
    y = outcome_values(None, answers["score"][keep], answers["scale"][keep], outcome)
    if control is None:
        labels = np.zeros(ticket_rows.size, dtype=np.int64)
        names: list[str] = ["(all)"]
    else:
        raw = table[control][ticket_rows]
        names = sorted({str(v) for v in raw.tolist()})
        labels = np.searchsorted(np.array(names, dtype=object), raw.astype(str))
    count = len(names)
    z = z_value(confidence)
    effects, thresholds = [], []
    for measure in chosen:
        column = f"{measure}_business" if calendar is not None and measure in DURATION_MEASURES else measure  # fmt: skip
        x = np.asarray(table[column], dtype=np.float64)[ticket_rows]
        duration = measure in DURATION_MEASURES
        if duration:
            x = x / 3600.0
        ok = ~np.isnan(x)
        xs, ys, gs = x[ok], y[ok], labels[ok]
        beta, se = _slope(_within(xs, gs, count), _within(ys, gs, count), count + 1)
        label = DURATION_MEASURES.get(measure) or COUNT_MEASURES[measure]
        per = "hour" if duration else "unit"
        effects.append((measure, label, per, beta, beta - z * se, beta + z * se, int(xs.size)))
        if duration and xs.size > count + 1:
            found = _threshold(xs, ys, gs, count, grid)
            if found is not None:
                tau, step = found
                drop, drop_se = _slope(_within(step, gs, count), _within(ys, gs, count), count + 1)
                above = step > 0
                thresholds.append((
                    measure, timedelta(seconds=round(tau * 3600.0)), float(ys[~above].mean()),
                    float(ys[above].mean()), drop, drop - z * drop_se, drop + z * drop_se,
                    int((~above).sum()), int(above.sum()),
                ))  # fmt: skip
    channel_rows = []
    for code, name in enumerate(names):
        values = y[labels == code]
        channel_rows.append((name, int(values.size), *_mean_interval(values, outcome, confidence)))
    return DriversResult(
        outcome=outcome,
        n=int(y.size),
        effects=MetricTable(
            columns=("measure", "label", "per", "effect", "lower", "upper", "n"),
            rows=tuple(effects),
            index=("measure",),
        ),
        thresholds=MetricTable(
            columns=(
                "measure",
                "threshold",
                "below",
                "above",
                "drop",
                "lower",
                "upper",
                "n_below",
                "n_above",
            ),
            rows=tuple(thresholds),
            index=("measure",),
        ),
        channels=MetricTable(
            columns=(control or "group", "n", "outcome", "lower", "upper"),
            rows=tuple(channel_rows),
            index=(control or "group",),
        ),
    )


def _mean_interval(values: FloatArray, outcome: str, confidence: float) -> tuple[float, ...]:
    if values.size == 0:
        return (float("nan"),) * 3
    mean = float(values.mean())
    if outcome == "csat":
        return (mean, *wilson_interval(float(values.sum()), values.size, confidence))
    if values.size < 2:
        return (mean, float("nan"), float("nan"))
    half = z_value(confidence) * float(values.std(ddof=1)) / np.sqrt(values.size)
    return (mean, mean - half, mean + half)
