r"""Control limits on period series, and tag spikes: which periods are unusual.

Three rules from statistical process control (Montgomery, *Introduction to
Statistical Quality Control*, ch. 7 and 9), each vectorised over the periods:

* :func:`p_chart` for rates (CSAT, FCR, SLA compliance…): a Shewhart chart of
  proportions with limits :math:`\bar p \pm k \sqrt{\bar p (1 - \bar p) / n_t}`.
* :func:`ewma_chart` for means and durations: the exponentially weighted moving
  average :math:`z_t = \lambda x_t + (1 - \lambda) z_{t-1}` against
  :math:`\mu \pm L \sigma \sqrt{\tfrac{\lambda}{2 - \lambda}(1 - (1 - \lambda)^{2t})}`,
  with :math:`\sigma` from the average moving range (:math:`\overline{MR} / 1.128`).
* :func:`cusum_chart`: the tabular CUSUM with reference value ``k`` and decision
  interval ``h`` (in :math:`\sigma`), which accumulates small persistent shifts.

:func:`tag_spikes` compares each tag's share of a period's tickets with its own
history (a one-sided p-chart against the earlier periods).

Each chart states its nominal false-alarm rate (the probability that a point of a
stable series is flagged); the test suite measures it on simulated stable series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.core.arrays import distinct
from cxmetrics.core.base import MetricResult
from cxmetrics.core.periods import PERIODS, period_label_codes
from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.inputs import as_ticket_batch

__all__ = [
    "ControlChart",
    "alerts_table",
    "cusum_chart",
    "ewma_chart",
    "p_chart",
    "series_chart",
    "tag_spikes",
]

FloatArray = npt.NDArray[np.float64]


def _two_sided(width: float) -> float:
    """P(|Z| > width) for a standard normal Z."""
    return math.erfc(width / math.sqrt(2.0))


@dataclass(frozen=True)
class ControlChart:
    """One series with its control limits and the periods that break them.

    Attributes
    ----------
    rule : {"p_chart", "ewma", "cusum"}
    labels : tuple of str
        The periods, in order.
    values : tuple of float
        The observed figure per period.
    statistic : tuple of float
        What the limits apply to: the value (p-chart), the moving average (EWMA),
        or the larger of the upper and lower cumulative sums in sigma (CUSUM).
    center, lower, upper : tuple of float
        The center line and the limits of ``statistic`` per period.
    signal : tuple of {"high", "low", ""}
        Which limit each period breaks, if any.
    false_alarm_rate : float
        The nominal probability that one period of a stable series is flagged.

    Examples
    --------
    >>> chart = p_chart([90, 91, 89, 60], [100, 100, 100, 100], labels=["w1", "w2", "w3", "w4"])
    >>> chart.alerts().rows[0][:3]
    ('w4', 0.6, 'low')
    """

    rule: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    statistic: tuple[float, ...]
    center: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    signal: tuple[str, ...]
    false_alarm_rate: float

    def to_table(self) -> MetricTable:
        """Every period with its limits.

        Columns ``period``, ``value``, ``statistic``, ``center``, ``lower``,
        ``upper``, ``signal``.
        """
        return MetricTable(
            columns=("period", "value", "statistic", "center", "lower", "upper", "signal"),
            rows=tuple(
                zip(
                    self.labels,
                    self.values,
                    self.statistic,
                    self.center,
                    self.lower,
                    self.upper,
                    self.signal,
                    strict=True,
                )
            ),
            index=("period",),
        )

    def to_pandas(self) -> Any:
        """:meth:`to_table` as a pandas DataFrame indexed by period (needs pandas)."""
        return self.to_table().to_pandas()

    def alerts(self) -> MetricTable:
        """Only the flagged periods.

        Columns ``period``, ``value``, ``signal``, ``lower``, ``upper``, ``rule``.
        """
        return MetricTable(
            columns=("period", "value", "signal", "lower", "upper", "rule"),
            rows=tuple(
                (label, value, signal, low, high, self.rule)
                for label, value, signal, low, high in zip(
                    self.labels, self.values, self.signal, self.lower, self.upper, strict=True
                )
                if signal
            ),
            index=("period",),
        )


def _labels(labels: Sequence[str] | None, n: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(str(i) for i in range(n))
    if len(labels) != n:
        raise InvalidParameterError(f"labels has {len(labels)} entries for {n} periods")
    return tuple(str(label) for label in labels)


def _baseline(baseline: int | None, n: int, name: str) -> int:
    if baseline is None:
        return n
    if not 2 <= baseline <= n:
        raise InvalidParameterError(
            f"The 'baseline' parameter of {name} must be between 2 and the number of "
            f"periods ({n}). Got {baseline!r} instead."
        )
    return baseline


def _signals(statistic: FloatArray, lower: FloatArray, upper: FloatArray) -> tuple[str, ...]:
    high = statistic > upper
    low = statistic < lower
    return tuple("high" if h else "low" if lo else "" for h, lo in zip(high, low, strict=True))


def _width(width: float, name: str) -> float:
    if not width > 0:
        raise InvalidParameterError(f"The width of {name} must be positive. Got {width!r}.")
    return float(width)


def _chart(
    rule: str,
    labels: Sequence[str] | None,
    values: FloatArray,
    statistic: FloatArray,
    center: float,
    bounds: tuple[FloatArray, FloatArray],
    false_alarm_rate: float,
) -> ControlChart:
    lower, upper = (np.broadcast_to(b, values.shape).astype(np.float64) for b in bounds)
    n = values.size
    return ControlChart(
        rule=rule,
        labels=_labels(labels, n),
        values=tuple(values.tolist()),
        statistic=tuple(statistic.tolist()),
        center=(center,) * n,
        lower=tuple(lower.tolist()),
        upper=tuple(upper.tolist()),
        signal=_signals(statistic, lower, upper),
        false_alarm_rate=false_alarm_rate,
    )


def p_chart(
    successes: Sequence[float] | FloatArray,
    trials: Sequence[float] | FloatArray,
    *,
    labels: Sequence[str] | None = None,
    width: float = 3.0,
    baseline: int | None = None,
    center: float | None = None,
) -> ControlChart:
    """Shewhart p-chart: each period's rate against limits for its own sample size.

    Parameters
    ----------
    successes, trials : sequences of numbers
        Per period, the count that is a success (satisfied answers, tickets solved
        on first contact…) and the count it is out of.
    labels : sequence of str, optional
        Period names.
    width : float, default=3.0
        Limits at ``width`` standard errors: a stable period is flagged with
        probability about 0.27 % (normal approximation; ``false_alarm_rate``).
    baseline : int, optional
        The number of leading periods whose pooled rate is the center line; the
        default, all periods, judges the series against itself.
    center : float, optional
        A known rate to use as the center line instead.

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> chart = p_chart([45, 47, 44, 30], [50, 50, 50, 50])
    >>> chart.signal, round(chart.center[0], 3)
    (('', '', '', 'low'), 0.83)
    """
    hits = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if hits.shape != n.shape or hits.ndim != 1:
        raise InvalidParameterError("successes and trials must be sequences of the same length")
    if (n < 0).any() or (hits < 0).any() or (hits > n).any():
        raise InvalidParameterError("counts must satisfy 0 <= successes <= trials")
    k = _width(width, "p_chart")
    base = _baseline(baseline, n.size, "p_chart")
    p_bar = center if center is not None else float(hits[:base].sum() / max(n[:base].sum(), 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, hits / n, np.nan)
        spread = k * np.sqrt(p_bar * (1.0 - p_bar) / n)
    lower = np.clip(p_bar - spread, 0.0, 1.0)
    upper = np.clip(p_bar + spread, 0.0, 1.0)
    return _chart("p_chart", labels, rate, rate, p_bar, (lower, upper), _two_sided(k))


def _sigma(values: FloatArray, sigma: float | None) -> float:
    """The given sigma, or the average moving range over d2 = 1.128."""
    if sigma is not None:
        return float(sigma)
    if values.size < 2:
        raise InvalidParameterError("estimating the spread needs at least two periods")
    return float(np.mean(np.abs(np.diff(values))) / 1.128)


def ewma_chart(
    values: Sequence[float] | FloatArray,
    *,
    labels: Sequence[str] | None = None,
    weight: float = 0.2,
    width: float = 3.0,
    baseline: int | None = None,
    center: float | None = None,
    sigma: float | None = None,
) -> ControlChart:
    r"""EWMA chart for a series of means or durations (one number per period).

    Parameters
    ----------
    values : sequence of float
        The per-period figure (e.g. mean first response time in hours).
    labels : sequence of str, optional
    weight : float, default=0.2
        The weight :math:`\lambda` of the newest period (0 < weight <= 1).
    width : float, default=3.0
        :math:`L`: limits at ``width`` standard deviations of the average, so a
        period of a stable series is flagged with probability about 0.27 %.
    baseline : int, optional
        The number of leading periods that set the center (their mean) and the
        spread (their average moving range); default all periods.
    center, sigma : float, optional
        Known center and standard deviation of one period's value.

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> chart = ewma_chart([4.0, 4.2, 3.9, 4.1, 4.0, 5.5, 6.0, 6.2], baseline=5)
    >>> chart.signal[-3:]
    ('high', 'high', 'high')
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise InvalidParameterError("values must be a sequence of numbers")
    if not 0 < weight <= 1:
        raise InvalidParameterError(f"weight must be in (0, 1]. Got {weight!r} instead.")
    k = _width(width, "ewma_chart")
    base = _baseline(baseline, x.size, "ewma_chart")
    mu = center if center is not None else float(x[:base].mean())
    s = _sigma(x[:base], sigma)
    z = np.empty(x.size)
    previous = mu
    for t, value in enumerate(x.tolist()):  # a recursion over periods, not rows
        previous = weight * value + (1.0 - weight) * previous
        z[t] = previous
    steps = np.arange(1, x.size + 1)
    spread = k * s * np.sqrt(weight / (2.0 - weight) * (1.0 - (1.0 - weight) ** (2 * steps)))
    return _chart("ewma", labels, x, z, mu, (mu - spread, mu + spread), _two_sided(k))


def cusum_chart(
    values: Sequence[float] | FloatArray,
    *,
    labels: Sequence[str] | None = None,
    slack: float = 0.5,
    limit: float = 5.0,
    baseline: int | None = None,
    center: float | None = None,
    sigma: float | None = None,
) -> ControlChart:
    r"""Tabular CUSUM for a series of means or durations.

    .. math::
        C^+_t = \max(0, C^+_{t-1} + (x_t - \mu)/\sigma - k),\quad
        C^-_t = \max(0, C^-_{t-1} - (x_t - \mu)/\sigma - k)

    A period is flagged when either sum exceeds ``limit`` (:math:`h`). The sums
    restart from zero after a signal. With ``slack=0.5`` and ``limit=5`` a stable
    series raises a false alarm about once in 465 periods (Montgomery, table 9.3);
    ``false_alarm_rate`` is that reciprocal.

    Parameters
    ----------
    values : sequence of float
    labels : sequence of str, optional
    slack : float, default=0.5
        :math:`k`, in standard deviations: half the shift to detect.
    limit : float, default=5.0
        :math:`h`, in standard deviations.
    baseline : int, optional
        Leading periods that set the center and spread; default all.
    center, sigma : float, optional
        Known center and standard deviation.

    Returns
    -------
    ControlChart
        ``statistic`` is the larger sum, signed (negative for the lower sum);
        ``lower`` and ``upper`` are ``-limit`` and ``limit``.

    Examples
    --------
    >>> chart = cusum_chart([10, 11, 9, 10, 10, 12, 13, 13, 14, 13], baseline=5)
    >>> [label for label, signal in zip(chart.labels, chart.signal) if signal]
    ['7', '9']
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise InvalidParameterError("values must be a sequence of numbers")
    h = _width(limit, "cusum_chart")
    base = _baseline(baseline, x.size, "cusum_chart")
    mu = center if center is not None else float(x[:base].mean())
    s = _sigma(x[:base], sigma)
    scaled = (x - mu) / s if s > 0 else np.zeros_like(x)
    statistic = np.empty(x.size)
    high = low = 0.0
    for t, value in enumerate(scaled.tolist()):  # a recursion over periods, not rows
        high = max(0.0, high + value - slack)
        low = max(0.0, low - value - slack)
        statistic[t] = high if high >= low else -low
        if high > h or low > h:
            high = low = 0.0
    rate = 1.0 / 465.0 if (slack, h) == (0.5, 5.0) else math.nan
    return _chart("cusum", labels, x, statistic, 0.0, (np.array(-h), np.array(h)), rate)


def tag_spikes(
    tickets: Any,
    *,
    period: str = "week",
    timezone: str = "UTC",
    width: float = 3.0,
    min_history: int = 3,
    min_tickets: int = 3,
) -> MetricTable:
    r"""Tags whose share of a period's tickets jumps above their own history.

    For each tag and period after the first ``min_history`` periods, the expected
    share is the tag's pooled share :math:`\bar p` of the :math:`N` tickets of all
    earlier periods, and the period is a spike when its share exceeds
    :math:`\bar p + k \sqrt{\bar p (1 - \bar p)(1/n_t + 1/N)}` (a one-sided
    two-proportion test: the history is an estimate too) and at least
    ``min_tickets`` tickets carry the tag. The nominal false-alarm rate of one
    (tag, period) is :math:`1 - \Phi(k)`, 0.13 % for ``width=3``; for small
    counts the binomial's skew makes it larger (the suite measures about 0.3 %
    for a 10 % tag in weeks of 150 tickets).

    Parameters
    ----------
    tickets : tickets
        ``Ticket`` records, a ``TicketBatch`` or a tickets DataFrame, with tags.
    period : {"day", "week", "month", "quarter", "year"}, default="week"
        Periods of the tickets' creation, local to ``timezone``.
    timezone : str, default="UTC"
    width : float, default=3.0
    min_history : int, default=3
        Periods of history needed before a period is judged.
    min_tickets : int, default=3
        The fewest tickets with the tag for a spike.

    Returns
    -------
    MetricTable
        One row per spike: ``tag``, ``period``, ``tickets`` (with the tag),
        ``total`` (tickets in the period), ``share``, ``expected`` (the history's
        share), ``upper`` (the limit), ``z`` (standard errors above expected),
        largest ``z`` first.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics import Ticket
    >>> monday = datetime(2024, 3, 4, 10, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=f"{w}-{i}", created_at=monday + timedelta(weeks=w),
    ...                   tags=("payment error",) if i < (12 if w == 4 else 2) else ())
    ...            for w in range(5) for i in range(40)]
    >>> spikes = tag_spikes(tickets)
    >>> spikes.column("tag"), spikes.column("period"), spikes.column("share")
    (['payment error'], ['2024-W14'], [0.3])
    """
    if period not in PERIODS:
        raise InvalidParameterError(
            f"The 'period' parameter of tag_spikes must be one of {', '.join(PERIODS)}. "
            f"Got {period!r} instead."
        )
    k = _width(width, "tag_spikes")
    batch = as_ticket_batch(tickets)
    columns = ("tag", "period", "tickets", "total", "share", "expected", "upper", "z")
    if len(batch) == 0:
        return MetricTable(columns=columns, rows=(), index=("tag", "period"))
    names, period_of = period_label_codes(batch.created_at, period, timezone)
    totals = np.bincount(period_of, minlength=names.size).astype(np.float64)
    tags = batch.tags
    tag_codes = tags["tag"]
    # A ticket counts once per tag: the distinct (tag, ticket) pairs, as one integer each.
    pair = distinct(tag_codes.codes.astype(np.int64) * (len(batch) + 1) + tags.ticket)
    pair_tag, pair_ticket = np.divmod(pair, len(batch) + 1)
    counts = np.zeros((len(tag_codes.categories), names.size))
    np.add.at(counts, (pair_tag, period_of[pair_ticket]), 1.0)
    past = np.cumsum(counts, axis=1) - counts
    past_total = np.cumsum(totals) - totals
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = past / past_total
        # The history's share is an estimate too: the spread of the difference.
        spread = np.sqrt(expected * (1 - expected) * (1 / totals + 1 / past_total))
        upper = expected + k * spread
        share = counts / totals
        z = (share - expected) / spread
    judged = np.arange(names.size) >= min_history
    # A tag never seen before that appears in force is a spike too (expected 0).
    spike = judged & (share > upper) & (counts >= min_tickets)
    rows = [
        (tag_codes.categories[t], str(names[p]), int(counts[t, p]), int(totals[p]),
         float(share[t, p]), float(expected[t, p]), float(upper[t, p]), float(z[t, p]))
        for t, p in zip(*np.nonzero(spike), strict=True)
    ]  # fmt: skip
    rows.sort(key=lambda row: (-row[7], row[0], row[1]))
    return MetricTable(columns=columns, rows=tuple(rows), index=("tag", "period"))


def _number(value: Any) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def series_chart(
    results: Sequence[MetricResult],
    *,
    labels: Sequence[str],
    rule: str = "auto",
    baseline: int | None = None,
) -> ControlChart:
    """The control chart of one metric's period series, the rule picked from its unit.

    Ratios (``unit == "ratio"``: CSAT, FCR, SLA compliance…) get a :func:`p_chart`
    of ``round(value * n)`` successes out of ``n``; everything else (means, scores,
    durations in seconds, counts) an :func:`ewma_chart` of the values. Periods
    without a value (NaN) are left out of the chart.

    Parameters
    ----------
    results : sequence of MetricResult
        One per period, in order (e.g. a report's rows for one metric and segment).
    labels : sequence of str
        The periods.
    rule : {"auto", "p_chart", "ewma", "cusum"}, default="auto"
    baseline : int, optional
        Leading periods that set the center and spread (default: all).

    Examples
    --------
    >>> from cxmetrics import CSAT
    >>> weeks = []
    >>> for answers in ([5, 4, 4, 5, 2] * 20, [5, 4, 5, 4, 1] * 20, [5, 4, 4, 3, 5] * 20,
    ...                 [1, 2, 2, 5, 3] * 20):
    ...     metric = CSAT()
    ...     metric.update(answers)
    ...     weeks.append(metric.compute())
    >>> chart = series_chart(weeks, labels=["W1", "W2", "W3", "W4"], baseline=3)
    >>> chart.rule, chart.signal
    ('p_chart', ('', '', '', 'low'))
    """
    if len(results) != len(labels):
        raise InvalidParameterError(f"{len(results)} results for {len(labels)} labels")
    values = np.array([_number(r.value) for r in results])
    keep = ~np.isnan(values)
    kept_labels = [label for label, ok in zip(labels, keep.tolist(), strict=True) if ok]
    n = np.array([r.n for r in results], dtype=np.float64)[keep]
    values = values[keep]
    ratio = bool(results) and results[0].unit == "ratio"
    chosen = ("p_chart" if ratio else "ewma") if rule == "auto" else rule
    if chosen == "p_chart":
        return p_chart(np.round(values * n), n, labels=kept_labels, baseline=baseline)
    if chosen == "ewma":
        return ewma_chart(values, labels=kept_labels, baseline=baseline)
    if chosen == "cusum":
        return cusum_chart(values, labels=kept_labels, baseline=baseline)
    raise InvalidParameterError(
        f"The 'rule' parameter of series_chart must be 'auto', 'p_chart', 'ewma' or "
        f"'cusum'. Got {rule!r} instead."
    )


def alerts_table(charts: Mapping[str, ControlChart]) -> MetricTable:
    """Every flagged period of several charts, for an "Alerts" section or JSON.

    Parameters
    ----------
    charts : mapping of name to ControlChart
        E.g. ``{"csat": series_chart(...), "first_response_time": ...}``.

    Returns
    -------
    MetricTable
        ``metric``, ``period``, ``value``, ``signal`` (``"high"`` / ``"low"``),
        ``lower``, ``upper``, ``rule``, ``false_alarm_rate``; ``to_dict()`` is
        JSON-ready.

    Examples
    --------
    >>> chart = p_chart([90, 91, 60], [100, 100, 100], labels=["W1", "W2", "W3"], baseline=2)
    >>> alerts_table({"csat": chart}).rows[0][:4]
    ('csat', 'W3', 0.6, 'low')
    """
    rows = []
    for name, chart in charts.items():
        for period, value, signal, low, high, rule in chart.alerts().rows:
            rows.append((name, period, value, signal, low, high, rule, chart.false_alarm_rate))
    return MetricTable(
        columns=("metric", "period", "value", "signal", "lower", "upper", "rule",
                 "false_alarm_rate"),
        rows=tuple(rows),
        index=("metric", "period"),
    )  # fmt: skip
