r"""Confidence intervals and two-sample comparisons for support metrics.

Every function here is pure and takes plain counts or sums, so it works on the state
of any metric. Intervals are two-sided at level ``confidence`` (default 95 %).

Which interval goes with which metric:

- proportions (CSAT top-box, FCR, SLA compliance, churn): :func:`wilson_interval`;
- NPS: :func:`nps_interval`, the adjusted-Wald interval of Rocks (2016) and Sauro;
- means (CES, handle time, response time): :func:`t_interval`;
- medians and other quantiles: :func:`quantile_interval`, distribution-free, from
  order statistics;
- "did it really change?": :func:`compare_proportions` and :func:`compare_nps`.

References
----------
.. [1] E. B. Wilson, "Probable inference, the law of succession, and statistical
   inference", JASA 22 (1927).
.. [2] B. Rocks, "Interval estimation for the 'net promoter score'", The American
   Statistician 70 (2016).
.. [3] J. Sauro, "Comparing Net Promoter Scores", MeasuringU (2019).
.. [4] R. G. Newcombe, "Interval estimation for the difference between independent
   proportions", Statistics in Medicine 17 (1998), method 10.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

from cxmetrics.exceptions import InvalidParameterError

__all__ = [
    "Comparison",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "nps_interval",
    "quantile_interval",
    "student_t_quantile",
    "t_interval",
    "wilson_interval",
    "z_value",
]


def z_value(confidence: float = 0.95) -> float:
    """Return the two-sided standard-normal critical value for ``confidence``.

    Examples
    --------
    >>> round(z_value(0.95), 6)
    1.959964
    """
    _check_confidence(confidence)
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise InvalidParameterError(f"confidence must be in (0, 1), got {confidence}")


def wilson_interval(
    successes: float, total: float, confidence: float = 0.95
) -> tuple[float, float]:
    r"""Wilson score interval for a proportion.

    .. math::
        \frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n} + \frac{z^2}{4n^2}}}
             {1 + z^2/n}

    Unlike the textbook Wald interval it stays inside [0, 1] and keeps its coverage
    for small samples and proportions near 0 or 1 (CSAT is often above 90 %).

    Parameters
    ----------
    successes : float
        Number of successes, ``0 <= successes <= total``.
    total : float
        Number of trials.
    confidence : float, default=0.95

    Returns
    -------
    (float, float)
        Lower and upper bound; ``(nan, nan)`` when ``total`` is 0.

    Examples
    --------
    >>> low, high = wilson_interval(8, 10)
    >>> round(low, 4), round(high, 4)
    (0.4902, 0.9433)
    """
    if total < 0 or not 0 <= successes <= total:
        raise InvalidParameterError(f"need 0 <= successes <= total, got {successes} of {total}")
    if total == 0:
        return (math.nan, math.nan)
    z = z_value(confidence)
    p = successes / total
    denominator = 1.0 + z * z / total
    centre = (p + z * z / (2.0 * total)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / total + z * z / (4.0 * total * total)) / denominator
    # At p = 0 or 1 the bound equals the estimate exactly; rounding must not cross it.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == total else min(1.0, centre + half)
    return (low, high)


def nps_interval(
    promoters: int, passives: int, detractors: int, confidence: float = 0.95
) -> tuple[float, float]:
    r"""Adjusted-Wald confidence interval for a Net Promoter Score, on [-100, 100].

    Adds 3 answers to the sample, 3/4 of them promoters and 3/4 detractors
    (Rocks 2016; Sauro), then uses the variance of a difference of two
    proportions of one multinomial:

    .. math::
        n' = n + 3,\quad p' = \frac{P + 3/4}{n'},\quad d' = \frac{D + 3/4}{n'},\quad
        \mathrm{NPS}' = p' - d',\quad
        \mathrm{se} = \sqrt{\frac{p' + d' - (p' - d')^2}{n'}}

    and the interval is :math:`100 (\mathrm{NPS}' \pm z\,\mathrm{se})`, clipped to
    [-100, 100]. It is centred on the adjusted score, not the observed one.

    Examples
    --------
    >>> low, high = nps_interval(50, 30, 20)
    >>> round(low, 1), round(high, 1)
    (14.1, 44.2)
    """
    n = promoters + passives + detractors
    if min(promoters, passives, detractors) < 0:
        raise InvalidParameterError("counts must not be negative")
    if n == 0:
        return (math.nan, math.nan)
    nps, se = _adjusted_nps(promoters, passives, detractors)
    z = z_value(confidence)
    return (max(-100.0, 100.0 * (nps - z * se)), min(100.0, 100.0 * (nps + z * se)))


def _adjusted_nps(promoters: int, passives: int, detractors: int) -> tuple[float, float]:
    n_adj = promoters + passives + detractors + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    variance = (p + d - (p - d) ** 2) / n_adj
    return p - d, math.sqrt(variance)


def _regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    # Lentz's continued fraction (Numerical Recipes, betacf); converges fast for
    # x < (a + 1) / (a + b + 2), and the symmetry relation covers the rest.
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - _regularized_incomplete_beta(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        m2 = 2 * m
        numerator = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + numerator / c
        c = c if abs(c) > tiny else tiny
        fraction *= d * c
        numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + numerator / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        fraction *= step
        if abs(step - 1.0) < 1e-15:
            break
    return math.exp(log_front) * fraction / a


def _student_t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def student_t_quantile(probability: float, df: float) -> float:
    """Quantile of Student's t distribution with ``df`` degrees of freedom.

    Safeguarded Newton iteration on the CDF (through the regularised incomplete
    beta function) from a Cornish-Fisher start, falling back to bisection inside a
    bracket whenever a step would leave it; from 500 degrees of freedom on, the
    asymptotic series in ``1/df`` (Abramowitz & Stegun 26.7.5). No SciPy needed,
    accurate to about 1e-12. Results are cached: a report asks for the same few quantiles many times.

    Examples
    --------
    >>> round(student_t_quantile(0.975, 10), 4)
    2.2281
    >>> round(student_t_quantile(0.975, 1), 4)
    12.7062
    """
    if not 0.0 < probability < 1.0:
        raise InvalidParameterError(f"probability must be in (0, 1), got {probability}")
    if df <= 0:
        raise InvalidParameterError(f"degrees of freedom must be positive, got {df}")
    if probability < 0.5:
        return -_upper_t_quantile(1.0 - probability, float(df))
    return _upper_t_quantile(probability, float(df))


# From this many degrees of freedom the asymptotic series is exact to about 1e-12
# (and more accurate than the iteration, whose incomplete beta loses digits).
_SERIES_DF = 500.0


def _t_quantile_series(probability: float, df: float) -> float:
    # Abramowitz & Stegun 26.7.5: the t quantile as a series in 1/df around z.
    x = NormalDist().inv_cdf(probability)
    x2 = x * x
    g1 = (x2 + 1) * x / 4
    g2 = ((5 * x2 + 16) * x2 + 3) * x / 96
    g3 = (((3 * x2 + 19) * x2 + 17) * x2 - 15) * x / 384
    g4 = ((((79 * x2 + 776) * x2 + 1482) * x2 - 1920) * x2 - 945) * x / 92160
    return x + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


@lru_cache(maxsize=8192)
def _upper_t_quantile(probability: float, df: float) -> float:
    if df >= _SERIES_DF:
        return _t_quantile_series(probability, df)
    low, high = 0.0, 1.0
    while _student_t_cdf(high, df) < probability:
        low, high = high, 2.0 * high
    z = NormalDist().inv_cdf(probability)
    t = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df * df)
    if not low < t < high:
        t = 0.5 * (low + high)
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(200):
        excess = _student_t_cdf(t, df) - probability
        if excess < 0:
            low = t
        else:
            high = t
        density = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        step = excess / density if density > 0 else math.inf
        candidate = t - step
        if not low < candidate < high:  # Newton would leave the bracket: bisect
            candidate = 0.5 * (low + high)
        if abs(candidate - t) <= 1e-13 * max(1.0, abs(t)) or high - low <= 1e-13 * max(1.0, high):
            return candidate
        t = candidate
    return t


def t_interval(
    total: float, total_squares: float, count: int, confidence: float = 0.95
) -> tuple[float, float]:
    r"""Student-t confidence interval for a mean, from a sum, a sum of squares and a count.

    .. math::
        \bar x \pm t_{1-\alpha/2,\,n-1} \frac{s}{\sqrt n},\qquad
        s^2 = \frac{\sum x^2 - (\sum x)^2 / n}{n - 1}

    Parameters
    ----------
    total, total_squares : float
        Sum and sum of squares of the observations.
    count : int
        Number of observations.
    confidence : float, default=0.95

    Returns
    -------
    (float, float)
        ``(nan, nan)`` with fewer than two observations.

    Examples
    --------
    >>> low, high = t_interval(15.0, 55.0, 5)   # 1, 2, 3, 4, 5
    >>> round(low, 4), round(high, 4)
    (1.0368, 4.9632)
    """
    _check_confidence(confidence)
    if count < 2:
        return (math.nan, math.nan)
    mean = total / count
    # Clamp the rounding error of nearly constant samples, which can dip below zero.
    variance = max(0.0, (total_squares - total * total / count) / (count - 1))
    half = student_t_quantile(0.5 + confidence / 2.0, count - 1) * math.sqrt(variance / count)
    return (mean - half, mean + half)


def _binomial_cdf(k: int, n: int, p: float) -> float:
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    # P(X <= k) = 1 - I_p(k + 1, n - k)
    return 1.0 - _regularized_incomplete_beta(k + 1.0, float(n - k), p)


def quantile_interval(
    count: int, quantile: float = 0.5, confidence: float = 0.95
) -> tuple[int, int] | None:
    r"""Distribution-free confidence interval for a quantile, as order-statistic ranks.

    For the sorted sample :math:`x_{(1)} \le \dots \le x_{(n)}`, returns 1-based
    ranks ``(j, k)`` such that :math:`P(x_{(j)} \le q_p \le x_{(k)}) \ge` the
    confidence, from the Binomial(n, p) distribution of the number of observations
    below the quantile: the narrowest such pair, the most symmetric around ``n p``
    among equals. Exact up to 2,000 observations; above, the normal approximation
    widened by one rank on each side.

    Parameters
    ----------
    count : int
        Sample size.
    quantile : float, default=0.5
        The quantile, e.g. 0.5 for the median or 0.9 for p90.
    confidence : float, default=0.95

    Returns
    -------
    (int, int) or None
        Ranks ``j < k``, or ``None`` when the sample is too small for any interval
        to reach the confidence (e.g. a median from 5 observations at 95 %).

    Examples
    --------
    >>> quantile_interval(10)   # median of 10: from the 2nd to the 9th value
    (2, 9)
    >>> quantile_interval(5) is None
    True
    """
    _check_confidence(confidence)
    if not 0.0 < quantile < 1.0:
        raise InvalidParameterError(f"quantile must be in (0, 1), got {quantile}")
    if count < 1:
        return None
    if count > _EXACT_RANKS_UP_TO:
        return _normal_ranks(count, quantile, confidence)
    # Exact: for every lower rank j near n p, the least upper rank k reaching the
    # coverage P(j <= B < k), B ~ Binomial(n, p); keep the narrowest pair, ties
    # broken towards symmetry around n p.
    centre = count * quantile
    spread = 6.0 * math.sqrt(count * quantile * (1.0 - quantile)) + 2.0
    best: tuple[float, float, int, int] | None = None
    for j in range(max(1, int(centre - spread)), min(count, int(centre + 2.0)) + 1):
        below_j = _binomial_cdf(j - 1, count, quantile)
        if 1.0 - below_j < confidence - 1e-12:
            break
        low, high = j + 1, count + 1
        while low < high:  # least k with cdf(k - 1) - cdf(j - 1) >= confidence
            mid = (low + high) // 2
            if _binomial_cdf(mid - 1, count, quantile) - below_j >= confidence - 1e-12:
                high = mid
            else:
                low = mid + 1
        k = low
        if k > count:
            continue
        key = (k - j, abs((j + k) / 2.0 - (centre + 0.5)), j, k)
        if best is None or key < best:
            best = key
    return None if best is None else (best[2], best[3])


_EXACT_RANKS_UP_TO = 2000


def _normal_ranks(count: int, quantile: float, confidence: float) -> tuple[int, int]:
    # For large samples the binomial is close to normal; widen by one rank on each
    # side so that the coverage stays at or above the level asked for.
    half = z_value(confidence) * math.sqrt(count * quantile * (1.0 - quantile))
    centre = count * quantile
    j = max(1, math.floor(centre - half))
    k = min(count, math.ceil(centre + half) + 1)
    return (j, k)


@dataclass(frozen=True)
class Comparison:
    """The difference between two samples of one metric (``b - a``).

    Attributes
    ----------
    difference : float
        ``b - a``, on the metric's scale (a share for proportions, points for NPS).
    interval : (float, float)
        Confidence interval of the difference.
    p_value : float
        Two-sided p-value of "no difference".
    significant : bool
        Whether the interval excludes 0 (at the level ``confidence``).
    confidence : float
    """

    difference: float
    interval: tuple[float, float]
    p_value: float
    significant: bool
    confidence: float


def compare_proportions(
    successes_a: int, total_a: int, successes_b: int, total_b: int, confidence: float = 0.95
) -> Comparison:
    r"""Compare two proportions (e.g. last month's and this month's FCR).

    The interval of :math:`p_b - p_a` is Newcombe's hybrid score interval (method
    10), built from the two Wilson intervals; the p-value is the pooled two-proportion
    z-test.

    Examples
    --------
    >>> c = compare_proportions(70, 100, 85, 100)
    >>> round(c.difference, 2), c.significant, round(c.p_value, 4)
    (0.15, True, 0.0111)
    >>> compare_proportions(7, 10, 8, 10).significant
    False
    """
    if min(total_a, total_b) <= 0:
        raise InvalidParameterError("both samples need at least one observation")
    pa, pb = successes_a / total_a, successes_b / total_b
    la, ua = wilson_interval(successes_a, total_a, confidence)
    lb, ub = wilson_interval(successes_b, total_b, confidence)
    difference = pb - pa
    low = difference - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = difference + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    pooled = (successes_a + successes_b) / (total_a + total_b)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / total_a + 1.0 / total_b))
    p_value = 1.0 if se == 0 else 2.0 * (1.0 - NormalDist().cdf(abs(difference) / se))
    return Comparison(
        difference=difference,
        interval=(low, high),
        p_value=p_value,
        significant=not low <= 0.0 <= high,
        confidence=confidence,
    )


def compare_nps(
    a: tuple[int, int, int], b: tuple[int, int, int], confidence: float = 0.95
) -> Comparison:
    r"""Compare two Net Promoter Scores given as (promoters, passives, detractors).

    Uses the adjusted-Wald method for the difference of two independent NPS (Sauro):
    each score is adjusted as in :func:`nps_interval` and the variances add. The
    difference is reported on the observed scores, in points on [-200, 200].

    Examples
    --------
    >>> c = compare_nps((40, 30, 30), (60, 25, 15))
    >>> round(c.difference, 1), c.significant
    (35.0, True)
    """
    if sum(a) == 0 or sum(b) == 0:
        raise InvalidParameterError("both samples need at least one answer")
    observed_a = 100.0 * (a[0] - a[2]) / sum(a)
    observed_b = 100.0 * (b[0] - b[2]) / sum(b)
    adjusted_a, se_a = _adjusted_nps(*a)
    adjusted_b, se_b = _adjusted_nps(*b)
    se = math.hypot(se_a, se_b)
    z = z_value(confidence)
    centre = adjusted_b - adjusted_a
    low, high = 100.0 * (centre - z * se), 100.0 * (centre + z * se)
    p_value = 1.0 if se == 0 else 2.0 * (1.0 - NormalDist().cdf(abs(centre) / se))
    return Comparison(
        difference=observed_b - observed_a,
        interval=(low, high),
        p_value=p_value,
        significant=not low <= 0.0 <= high,
        confidence=confidence,
    )


def compare_means(
    a: tuple[float, float, int], b: tuple[float, float, int], confidence: float = 0.95
) -> Comparison:
    r"""Compare two means given as (sum, sum of squares, count): Welch's t-test.

    .. math::
        t = \frac{\bar x_b - \bar x_a}{\sqrt{s_a^2/n_a + s_b^2/n_b}}

    with the Welch–Satterthwaite degrees of freedom; the interval is
    :math:`\bar x_b - \bar x_a \pm t_{1-\alpha/2,\nu}\,\mathrm{se}`.

    Examples
    --------
    >>> a = (15.0, 55.0, 5)       # 1, 2, 3, 4, 5
    >>> b = (40.0, 330.0, 5)      # 6, 7, 8, 9, 10
    >>> c = compare_means(a, b)
    >>> c.difference, c.significant, round(c.p_value, 5)
    (5.0, True, 0.00105)
    """
    (total_a, squares_a, n_a), (total_b, squares_b, n_b) = a, b
    if min(n_a, n_b) < 2:
        raise InvalidParameterError("both samples need at least two observations")
    mean_a, mean_b = total_a / n_a, total_b / n_b
    var_a = max(0.0, (squares_a - total_a * total_a / n_a) / (n_a - 1))
    var_b = max(0.0, (squares_b - total_b * total_b / n_b) / (n_b - 1))
    difference = mean_b - mean_a
    se_squared = var_a / n_a + var_b / n_b
    if se_squared == 0.0:
        significant = difference != 0.0
        return Comparison(
            difference,
            (difference, difference),
            0.0 if significant else 1.0,
            significant,
            confidence,
        )
    df = se_squared**2 / ((var_a / n_a) ** 2 / (n_a - 1) + (var_b / n_b) ** 2 / (n_b - 1))
    se = math.sqrt(se_squared)
    half = student_t_quantile(0.5 + confidence / 2.0, df) * se
    p_value = 2.0 * (1.0 - _student_t_cdf(abs(difference) / se, df))
    low, high = difference - half, difference + half
    return Comparison(difference, (low, high), p_value, not low <= 0.0 <= high, confidence)
