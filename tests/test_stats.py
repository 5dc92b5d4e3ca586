"""Intervals and comparisons against published values and brute-force oracles."""

from __future__ import annotations

import math
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.stats import (
    compare_nps,
    compare_proportions,
    nps_interval,
    quantile_interval,
    student_t_quantile,
    t_interval,
    wilson_interval,
    z_value,
)


def test_wilson_matches_newcombe_1998_table() -> None:
    # Newcombe (1998), Statistics in Medicine 17, table I, method 3 (score):
    # 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605; 0/20 -> 0 to 0.1611.
    assert wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson_interval(15, 148) == pytest.approx((0.0624, 0.1605), abs=1e-4)
    assert wilson_interval(0, 20) == pytest.approx((0.0, 0.1611), abs=1e-4)
    assert wilson_interval(1, 29) == pytest.approx((0.0061, 0.1718), abs=1e-4)


def test_newcombe_difference_matches_published_example() -> None:
    # Newcombe (1998), part II, method 10: 56/70 - 48/80 = 0.2000, CI 0.0524 to 0.3339.
    comparison = compare_proportions(48, 80, 56, 70)
    assert comparison.difference == pytest.approx(0.2)
    assert comparison.interval == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert comparison.significant


def test_t_quantiles_match_tables() -> None:
    table = {
        (0.975, 1): 12.7062,
        (0.975, 2): 4.3027,
        (0.975, 29): 2.0452,
        (0.95, 5): 2.0150,
        (0.995, 120): 2.6174,
        (0.9, 3): 1.6377,
    }
    for (p, df), expected in table.items():
        assert student_t_quantile(p, df) == pytest.approx(expected, abs=1e-4)
    assert student_t_quantile(0.975, 1e7) == pytest.approx(z_value(0.95), abs=1e-5)
    assert student_t_quantile(0.025, 10) == pytest.approx(-student_t_quantile(0.975, 10))


@pytest.mark.parametrize("df", [500.0, 750.0, 2000.0, 10000.0])
@pytest.mark.parametrize("p", [0.9, 0.975, 0.995, 0.9995])
def test_t_quantile_series_inverts_the_cdf(p: float, df: float) -> None:
    # From 500 degrees of freedom the quantile comes from the asymptotic series;
    # the CDF (continued fraction, itself good to ~1e-11 here) maps it back to p.
    from cxmetrics.stats import _student_t_cdf

    assert _student_t_cdf(student_t_quantile(p, df), df) == pytest.approx(p, abs=1e-10)
    # and the iteration just below the switch agrees with the series just above it
    assert student_t_quantile(p, 499.999) == pytest.approx(student_t_quantile(p, 500.0), rel=1e-7)


def test_t_interval_hand_example_and_degenerate_cases() -> None:
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5, s^2 = 32/7, t(0.975, 7) = 2.364624
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    low, high = t_interval(sum(values), sum(v * v for v in values), len(values))
    half = 2.364624 * math.sqrt(32 / 7 / 8)
    assert (low, high) == pytest.approx((5 - half, 5 + half), abs=1e-5)
    assert all(math.isnan(v) for v in t_interval(3.0, 9.0, 1))
    assert t_interval(6.0, 12.0, 3) == (2.0, 2.0)  # constant sample: zero width


def _exact_coverage(n: int, p: float, j: int, k: int) -> float:
    # P(x_(j) <= q_p <= x_(k)) = P(j <= B < k) for B ~ Binomial(n, p), summed exactly.
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(j, k))


@pytest.mark.parametrize("n", [6, 9, 10, 17, 30, 51, 100])
@pytest.mark.parametrize("p", [0.5, 0.9])
def test_quantile_interval_reaches_coverage_and_is_tight(n: int, p: float) -> None:
    ranks = quantile_interval(n, p)
    # Oracle: every (j, k) pair by brute force; the narrowest reaching 95 %.
    feasible = [
        (k - j, j, k)
        for j, k in combinations(range(1, n + 1), 2)
        if _exact_coverage(n, p, j, k) >= 0.95 - 1e-12
    ]
    if not feasible:
        assert ranks is None
        return
    assert ranks is not None
    j, k = ranks
    assert _exact_coverage(n, p, j, k) >= 0.95 - 1e-12
    assert k - j == min(width for width, _, _ in feasible)


def test_median_interval_of_100_is_exact_not_the_normal_rule() -> None:
    # The normal rule of thumb gives ranks 40 and 61; the exact binomial shows that
    # 40 to 60 already covers 95.40 %, and neither narrower pair does.
    assert quantile_interval(100) == (40, 60)
    assert _exact_coverage(100, 0.5, 40, 60) == pytest.approx(0.9540, abs=1e-4)
    assert _exact_coverage(100, 0.5, 41, 60) < 0.95
    assert _exact_coverage(100, 0.5, 40, 59) < 0.95


@pytest.mark.parametrize("n", [2001, 5000, 100_000])
def test_large_sample_ranks_keep_coverage(n: int) -> None:
    j, k = quantile_interval(n)  # type: ignore[misc]
    mean, sd = n / 2, math.sqrt(n) / 2
    # normal approximation with continuity correction of P(j <= B <= k - 1)
    cover = (
        math.erf((k - 0.5 - mean) / sd / math.sqrt(2)) / 2
        - math.erf((j - 0.5 - mean) / sd / math.sqrt(2)) / 2
    )
    assert cover >= 0.95


def test_nps_interval_hand_example() -> None:
    # 50/30/20: n'=103, p'=50.75/103, d'=20.75/103 -> 29.13 ± 15.08
    p, d = 50.75 / 103, 20.75 / 103
    se = math.sqrt((p + d - (p - d) ** 2) / 103)
    expected = (100 * (p - d - 1.959964 * se), 100 * (p - d + 1.959964 * se))
    assert nps_interval(50, 30, 20) == pytest.approx(expected, abs=1e-4)
    assert nps_interval(10, 0, 0)[1] == 100.0  # clipped


def test_compare_nps_hand_example() -> None:
    a, b = (40, 30, 30), (60, 25, 15)
    comparison = compare_nps(a, b)
    assert comparison.difference == pytest.approx(35.0)

    def adjusted(p: int, m: int, d: int) -> tuple[float, float]:
        n = p + m + d + 3
        pp, dd = (p + 0.75) / n, (d + 0.75) / n
        return pp - dd, (pp + dd - (pp - dd) ** 2) / n

    (na, va), (nb, vb) = adjusted(*a), adjusted(*b)
    half = 1.959964 * math.sqrt(va + vb)
    assert comparison.interval == pytest.approx(
        (100 * (nb - na - half), 100 * (nb - na + half)), abs=1e-4
    )
    assert comparison.significant and comparison.p_value < 0.05


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_the_estimate_and_stays_in_unit_interval(k: int, n: int) -> None:
    k = min(k, n)
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


@given(st.integers(1, 300), st.integers(1, 300), st.integers(0, 300), st.integers(0, 300))
def test_comparing_a_sample_with_itself_is_never_significant(
    n: int, m: int, k: int, _: int
) -> None:
    k = min(k, n)
    assert not compare_proportions(k, n, k, n).significant
    assert compare_proportions(k, n, k, n).difference == 0.0


@given(
    st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)).filter(
        lambda t: sum(t) > 0
    )
)
def test_nps_interval_in_range_and_narrows_with_more_data(counts: tuple[int, int, int]) -> None:
    low, high = nps_interval(*counts)
    assert -100.0 <= low <= high <= 100.0
    bigger = tuple(10 * c for c in counts)
    low10, high10 = nps_interval(*bigger)
    assert high10 - low10 <= high - low + 1e-9


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="confidence must be in"):
        z_value(1.5)
    with pytest.raises(ValueError, match="need 0 <= successes <= total"):
        wilson_interval(5, 3)
    with pytest.raises(ValueError, match="both samples need"):
        compare_proportions(0, 0, 1, 1)
