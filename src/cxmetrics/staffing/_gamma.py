"""Regularised incomplete gamma functions in log space, for Erlang A and fractional Erlang B."""

from __future__ import annotations

import math

__all__ = ["log_lower_gamma_p", "log_upper_gamma_q"]


def _series(a: float, x: float) -> float:
    # Σ x^n / ((a+1)…(a+n)): P = x^a e^-x / Γ(a+1) times this sum; terms shrink at once.
    term = total = 1.0
    n = 0
    while term > total * 1e-17:
        n += 1
        term *= x / (a + n)
        total += term
    return total


def _continued_fraction(a: float, x: float) -> float:
    # Q = x^a e^-x / Γ(a) times this fraction (modified Lentz), fast for x ≥ a + 1.
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-16:
            break
    return h


def log_lower_gamma_p(a: float, x: float) -> float:
    """Log P(a, x), the regularised lower incomplete gamma function (a > 0, x ≥ 0).

    Examples
    --------
    >>> round(math.exp(log_lower_gamma_p(1.0, 2.0)), 12) == round(1 - math.exp(-2.0), 12)
    True
    """
    if x <= 0.0:
        return -math.inf
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        return log_front - math.log(a) + math.log(_series(a, x))
    q = math.exp(log_front) * _continued_fraction(a, x)
    return math.log1p(-min(q, 1.0 - 1e-300))


def log_upper_gamma_q(a: float, x: float) -> float:
    """Log Q(a, x) = log(1 − P(a, x)), without the cancellation of 1 − P for large ``x``.

    Examples
    --------
    >>> round(log_upper_gamma_q(1.0, 50.0), 12)
    -50.0
    """
    if x <= 0.0:
        return 0.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        p = math.exp(log_front - math.log(a)) * _series(a, x)
        return math.log1p(-min(p, 1.0 - 1e-300))
    return log_front + math.log(_continued_fraction(a, x))
