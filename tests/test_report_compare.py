"""The report's tests of change: the fast Welch p-value against the exact one, and BH."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.reporting.compare import _quantile_p_value, _welch_p_value
from cxmetrics.reporting.significance import benjamini_hochberg
from cxmetrics.stats import compare_means


def test_fast_welch_agrees_with_the_exact_test() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        n_a, n_b = rng.integers(16, 3000, size=2)
        a, b = (
            rng.gamma(2.0, 60.0, int(n_a)),
            rng.gamma(2.0, 60.0, int(n_b)) * rng.uniform(0.8, 1.2),
        )
        moments_a = (float(a.sum()), float(np.square(a).sum()), int(a.size))
        moments_b = (float(b.sum()), float(np.square(b).sum()), int(b.size))
        exact = compare_means(moments_a, moments_b).p_value
        assert abs(_welch_p_value(moments_a, moments_b, 0.95) - exact) < 1e-3


def test_median_test_sees_a_shift_and_not_a_copy() -> None:
    rng = np.random.default_rng(3)
    before = rng.exponential(3600.0, 400)
    assert (_quantile_p_value(before, before * 1.6, 0.5, 0.95) or 1.0) < 0.001
    assert (_quantile_p_value(before, before.copy(), 0.5, 0.95) or 0.0) > 0.5


@given(st.lists(st.floats(0.0, 1.0), max_size=60), st.floats(0.01, 0.2))
def test_benjamini_hochberg_against_its_definition(p_values: list[float], level: float) -> None:
    flags = benjamini_hochberg(p_values, level)
    m = len(p_values)
    ranked = sorted(p_values)
    passing = [k for k in range(1, m + 1) if ranked[k - 1] <= k * level / m]
    cut = ranked[max(passing) - 1] if passing else -1.0
    assert flags == [p <= cut for p in p_values] or (
        # ties at the cut: every p equal to it is flagged in both readings
        sum(flags) == max(passing, default=0)
    )
    # Order invariance: flags follow the p-values, not their positions.
    reordered = benjamini_hochberg(p_values[::-1], level)
    assert reordered == flags[::-1]
